package core_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"switchboard/internal/core"
)

func f(v float64) *float64 { return &v }

func TestNewScore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		value, min, max *float64
		want            *core.Score
		wantErr         string
	}{
		{name: "none", want: nil},
		{name: "all", value: f(82), min: f(0), max: f(100), want: &core.Score{Value: 82, Max: 100}},
		{name: "decimals and a negative scale", value: f(-0.5), min: f(-1), max: f(1.5), want: &core.Score{Value: -0.5, Min: -1, Max: 1.5}},
		{name: "value at min", value: f(3), min: f(3), max: f(4), want: &core.Score{Value: 3, Min: 3, Max: 4}},
		{name: "value at max", value: f(4), min: f(3), max: f(4), want: &core.Score{Value: 4, Min: 3, Max: 4}},
		{name: "scale without width", value: f(3), min: f(3), max: f(3), wantErr: "min 3 is not below max 3"},
		{name: "value only", value: f(82), wantErr: "1 of 3 given"},
		{name: "no max", value: f(82), min: f(0), wantErr: "2 of 3 given"},
		{name: "no value", min: f(0), max: f(100), wantErr: "2 of 3 given"},
		{name: "above max", value: f(101), min: f(0), max: f(100), wantErr: "score 101 is outside 0–100"},
		{name: "below min", value: f(-1), min: f(0), max: f(100), wantErr: "score -1 is outside 0–100"},
		{name: "min above max", value: f(5), min: f(10), max: f(1), wantErr: "min 10 is not below max 1"},
		{name: "not a number", value: f(math.NaN()), min: f(0), max: f(100), wantErr: "not a number"},
		{name: "infinite max", value: f(1), min: f(0), max: f(math.Inf(1)), wantErr: "not a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := core.NewScore(tc.value, tc.min, tc.max)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || got != nil {
					t.Fatalf("core.NewScore = %+v, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Errorf("core.NewScore = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestScorePercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    core.Score
		want int
	}{
		{core.Score{Value: 82, Max: 100}, 82},
		{core.Score{Value: 29, Max: 100}, 29},
		{core.Score{Value: 3, Min: 1, Max: 5}, 50},
		{core.Score{Value: 4.5, Max: 10}, 45},
		{core.Score{Value: 1, Max: 3}, 33},
		{core.Score{Value: 2, Max: 3}, 67},
		{core.Score{Value: 7, Min: 7, Max: 7}, 100},
	}
	for _, tc := range tests {
		if got := tc.s.Percent(); got != tc.want {
			t.Errorf("%+v.Percent() = %d, want %d", tc.s, got, tc.want)
		}
	}
}

func TestResultValidate(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	ok := core.Result{
		Score: &core.Score{Value: 7, Min: 1, Max: 10}, Label: "Good fit", Summary: "Solid.",
		Components: []core.Component{{Key: "a", Name: "A", Score: &core.Score{Value: 1, Max: 1}}, {Key: "b", Name: "B", Label: "Pass"}},
		Attachments: []core.Attachment{
			{Name: "Report", ContentType: "application/pdf", URL: "https://v.example/r.pdf"},
			{ContentType: "video/mp4", FileID: "file_1"},
		},
		ResultURL: "https://v.example/r", StartedAt: t0, SubmittedAt: t0.Add(time.Hour),
	}
	tests := []struct {
		name   string
		change func(r *core.Result)
		fields []string // the fields named in the error; none for a valid result
	}{
		{name: "valid", change: func(*core.Result) {}},
		{name: "bare", change: func(r *core.Result) { *r = core.Result{} }},
		{name: "score out of range", change: func(r *core.Result) { r.Score = &core.Score{Value: 11, Min: 1, Max: 10} }, fields: []string{"score"}},
		{name: "component without key or name", change: func(r *core.Result) { r.Components[0].Key, r.Components[0].Name = "", "" },
			fields: []string{"components[0].key", "components[0].name"}},
		{name: "component score without width", change: func(r *core.Result) { r.Components[1].Score = &core.Score{Value: 2, Min: 2, Max: 2} },
			fields: []string{"components[1].score"}},
		{name: "component score inverted", change: func(r *core.Result) { r.Components[1].Score = &core.Score{Value: 1, Min: 2, Max: 0} },
			fields: []string{"components[1].score"}},
		{name: "attachment with neither", change: func(r *core.Result) { r.Attachments[0].URL = "" }, fields: []string{"attachments[0]"}},
		{name: "attachment with both", change: func(r *core.Result) { r.Attachments[1].URL = "https://v.example/x" }, fields: []string{"attachments[1]"}},
		{name: "attachment without content type", change: func(r *core.Result) { r.Attachments[0].ContentType = "" }, fields: []string{"attachments[0]"}},
		{name: "submitted before started", change: func(r *core.Result) { r.SubmittedAt = t0.Add(-time.Second) }, fields: []string{"submitted_at"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := ok
			r.Components = append([]core.Component(nil), ok.Components...)
			r.Attachments = append([]core.Attachment(nil), ok.Attachments...)
			tc.change(&r)
			err := r.Validate()
			if len(tc.fields) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var ve *core.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want a core.ValidationError", err)
			}
			if len(ve.Fields) != len(tc.fields) {
				t.Errorf("fields %v, want %v", ve.Fields, tc.fields)
			}
			for _, fld := range tc.fields {
				if _, ok := ve.Fields[fld]; !ok {
					t.Errorf("no error for %s in %v", fld, ve.Fields)
				}
			}
		})
	}
}
