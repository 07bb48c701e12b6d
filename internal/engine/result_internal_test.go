package engine

import (
	"reflect"
	"testing"

	"switchboard/internal/assess"
	"switchboard/internal/core"
)

// TestEngineResult pins how the built-in engine's outcome becomes the
// neutral result every connector reads (and migration 0010 mapped old rows
// the same way).
func TestEngineResult(t *testing.T) {
	t.Parallel()
	o := assess.Outcome{Score: 82, Min: 0, Max: 100, Label: assess.GreatFit, Summary: "Great fit (82/100).",
		Indicators: []assess.Indicator{
			{Key: "cog", Name: "Cognitive", Score: 90, Label: assess.GreatFit},
			{Key: "team", Name: "Teamwork", Score: 64, Label: assess.GoodFit},
		}}
	want := core.Result{
		Score: &core.Score{Value: 82, Max: 100}, Label: "Great fit", Summary: "Great fit (82/100).",
		Components: []core.Component{
			{Key: "cog", Name: "Cognitive", Score: &core.Score{Value: 90, Max: 100}, Label: "Great fit"},
			{Key: "team", Name: "Teamwork", Score: &core.Score{Value: 64, Max: 100}, Label: "Good fit"},
		},
	}
	got := Result(o)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Result = %+v\nwant %+v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("the engine's result is invalid: %v", err)
	}
}
