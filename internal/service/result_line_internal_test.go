package service

import (
	"testing"

	"switchboard/internal/core"
)

// TestResultLine pins the timeline's summary of a result; the built-in
// engine's result reads as it always did.
func TestResultLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		r    core.Result
		want string
	}{
		{core.Result{}, ""},
		{core.Result{Score: &core.Score{Value: 82, Max: 100}, Label: "Great fit", Value: core.ResultPassed}, ": 82/100, Great fit"},
		{core.Result{Value: core.ResultPassed}, ": passed"},
		{core.Result{Score: &core.Score{Value: 4.5, Min: 1, Max: 5}}, ": 4.5/5"},
	} {
		if got := resultLine(tc.r); got != tc.want {
			t.Errorf("resultLine(%+v) = %q, want %q", tc.r, got, tc.want)
		}
	}
}
