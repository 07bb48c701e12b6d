package service

import (
	"reflect"
	"testing"

	"switchboard/internal/assess"
	"switchboard/internal/core"
)

// TestEngineResult pins how the built-in engine's outcome becomes the
// neutral result every connector reads (and migration 0010 mapped old rows
// the same way), and the timeline line it gives.
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
	got := engineResult(o)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("engineResult = %+v\nwant %+v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("the engine's result is invalid: %v", err)
	}
	if line := resultLine(got); line != ": 82/100, Great fit" {
		t.Errorf("timeline line %q, want the one the engine always wrote", line)
	}
	for _, tc := range []struct {
		r    core.Result
		want string
	}{
		{core.Result{}, ""},
		{core.Result{Value: core.ResultPassed}, ": passed"},
		{core.Result{Score: &core.Score{Value: 4.5, Min: 1, Max: 5}}, ": 4.5/5"},
	} {
		if got := resultLine(tc.r); got != tc.want {
			t.Errorf("resultLine(%+v) = %q, want %q", tc.r, got, tc.want)
		}
	}
}
