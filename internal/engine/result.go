package engine

import (
	"switchboard/internal/assess"
	"switchboard/internal/core"
)

// Result maps the built-in engine's outcome onto the order's neutral
// result: the overall score on the outcome's scale, the fit label, the
// summary, and one component per matching indicator (0–100 by construction
// in assess.Score). This is the one place the engine's terms meet the core's.
func Result(o assess.Outcome) core.Result {
	r := core.Result{
		Score:   &core.Score{Value: float64(o.Score), Min: float64(o.Min), Max: float64(o.Max)},
		Label:   string(o.Label),
		Summary: o.Summary,
	}
	for _, in := range o.Indicators {
		r.Components = append(r.Components, core.Component{
			Key: in.Key, Name: in.Name,
			Score: &core.Score{Value: float64(in.Score), Min: 0, Max: 100},
			Label: string(in.Label),
		})
	}
	return r
}
