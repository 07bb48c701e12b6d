package result

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"switchboard/internal/core"
)

// convert parses body and converts the update, failing at either refusal.
func convert(t *testing.T, body string) core.Result {
	t.Helper()
	u, err := Parse(strings.NewReader(body), Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := u.Result()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestResultStackOneExample(t *testing.T) {
	t.Parallel()
	got := convert(t, stackOneExample)
	want := core.Result{
		Value:       core.ResultPassed,
		Score:       &core.Score{Value: 80, Min: 0, Max: 100},
		Label:       "Percentage",
		Summary:     "Test is passed",
		Attachments: []core.Attachment{{ContentType: "application/pdf", URL: "https://example.com/report.pdf"}},
		ResultURL:   "https://example.com/result?id=xyz",
		StartedAt:   time.Date(2021, 1, 1, 1, 1, 1, 0, time.UTC),
		SubmittedAt: time.Date(2021, 1, 1, 2, 1, 1, 0, time.UTC),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Result =\n%+v\nwant\n%+v", got, want)
	}
}

func TestResultFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want core.Result
	}{
		{"lifecycle word as sent", `{"result": {"value": "in_progress"}}`, core.Result{Value: "in_progress"}},
		{"unmapped as sent, its word left on the update", `{"result": {"value": "unmapped_value", "source_value": "Needs review"}}`,
			core.Result{Value: "unmapped_value"}},
		{"score without label", `{"score": {"value": 7.5, "min": -10, "max": 1e1}}`, core.Result{Score: &core.Score{Value: 7.5, Min: -10, Max: 10}}},
		{"summary as plain text", `{"summary": "<p><b>Strong</b> &amp; <a href=\"https://e.com\">calm</a></p><ul><li>one</li></ul>"}`,
			core.Result{Summary: "Strong & calm one"}},
		{"dates only", `{"start_date": "2021-01-01T03:00:00+02:00"}`, core.Result{StartedAt: time.Date(2021, 1, 1, 1, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := convert(t, tt.body)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Result =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestResultContentTypes(t *testing.T) {
	t.Parallel()
	tests := []struct{ word, mime string }{
		{ContentText, "text/plain"},
		{ContentPDF, "application/pdf"},
		{ContentVideo, "video/mp4"},
		{ContentOther, "application/octet-stream"},
		{ContentUnmapped, "application/octet-stream"},
	}
	if len(tests) != len(contentTypes) {
		t.Fatalf("%d mappings tested, %d content types accepted: test each", len(tests), len(contentTypes))
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			t.Parallel()
			body := `{"attachments": [{"url": "https://example.com/f", "content_type": {"value": "` + tt.word + `", "source_value": "x"}}]}`
			got := convert(t, body)
			want := []core.Attachment{{ContentType: tt.mime, URL: "https://example.com/f"}}
			if !reflect.DeepEqual(got.Attachments, want) {
				t.Errorf("attachments = %+v, want %+v", got.Attachments, want)
			}
		})
	}
}

// An Update built by hand past Parse's rules gets core's refusal, not a
// result core would not store.
func TestResultRefusesWhatCoreRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		u    Update
		want string
	}{
		{"scale without width", Update{Score: &ValidScore{Value: 5, Min: 5, Max: 5}}, "min 5 is not below max 5"},
		{"score outside", Update{Score: &ValidScore{Value: 11, Min: 0, Max: 10}}, "outside"},
		{"unknown content type", Update{Attachments: []ValidAttachment{{URL: "https://e.com/f", ContentType: "docx"}}}, `attachments[0]: no media type for content type "docx"`},
		{"submitted before started", Update{StartedAt: time.Date(2021, 1, 2, 0, 0, 0, 0, time.UTC), SubmittedAt: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}, "submitted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.u.Result()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Result = %+v, %v; want an error with %q", got, err, tt.want)
			}
			if !reflect.DeepEqual(got, core.Result{}) {
				t.Errorf("Result returned %+v beside its error", got)
			}
		})
	}
}
