package result

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// stackOneExample is StackOne's own example body (its SDK docs), with the
// attachment on https and a content type.
const stackOneExample = `{
  "id": "ord_1",
  "score": {"label": "Percentage", "value": "80", "min": "0", "max": "100"},
  "start_date": "2021-01-01T01:01:01.000Z", "submission_date": "2021-01-01T02:01:01.000Z",
  "summary": "Test is passed",
  "result": {"value": "passed", "source_value": "Passed"},
  "result_url": "https://example.com/result?id=xyz",
  "attachments": [{"url": "https://example.com/report.pdf", "content_type": {"value": "pdf", "source_value": "application/pdf"}}],
  "candidate": {"id": "8187e5da", "profile_url": "https://example.com/candidate?id=xyz"},
  "passthrough": {"other_known_names": "John Doe"}
}`

func TestParseStackOneExample(t *testing.T) {
	t.Parallel()
	got, err := Parse(strings.NewReader(stackOneExample), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := Update{
		ID:            "ord_1",
		Outcome:       Passed,
		OutcomeSource: "Passed",
		Score:         &ValidScore{Label: "Percentage", Value: 80, Min: 0, Max: 100},
		Summary:       &Summary{HTML: "Test is passed", Text: "Test is passed"},
		ResultURL:     "https://example.com/result?id=xyz",
		Attachments:   []ValidAttachment{{URL: "https://example.com/report.pdf", ContentType: ContentPDF, ContentTypeSource: "application/pdf"}},
		StartedAt:     time.Date(2021, 1, 1, 1, 1, 1, 0, time.UTC),
		SubmittedAt:   time.Date(2021, 1, 1, 2, 1, 1, 0, time.UTC),
		CandidateID:   "8187e5da",
		ProfileURL:    "https://example.com/candidate?id=xyz",
		Passthrough:   []byte(`{"other_known_names":"John Doe"}`),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  Options
		body string
		want Update
	}{
		{"in progress only", Options{}, `{"result": {"value": "in_progress"}}`, Update{Outcome: InProgress}},
		{"score as numbers", Options{}, `{"score": {"value": 7.5, "min": -10, "max": 1e1}}`,
			Update{Score: &ValidScore{Value: 7.5, Min: -10, Max: 10}}},
		{"score mixed, value on the bounds", Options{}, `{"score": {"value": "0", "min": 0, "max": "0.5"}}`,
			Update{Score: &ValidScore{Value: 0, Min: 0, Max: 0.5}}},
		{"nulls are absent", Options{}, `{"score": null, "summary": null, "attachments": null, "result": {"value": "completed", "source_value": null}}`,
			Update{Outcome: Completed}},
		{"unmapped with its own word", Options{}, `{"result": {"value": "unmapped_value", "source_value": "Needs review"}}`,
			Update{Outcome: UnmappedValue, OutcomeSource: "Needs review"}},
		{"http when allowed", Options{AllowHTTP: true}, `{"result_url": "http://vendor.internal/r/1"}`,
			Update{ResultURL: "http://vendor.internal/r/1"}},
		{"offset date to UTC", Options{}, `{"start_date": "2021-01-01T03:00:00+02:00"}`,
			Update{StartedAt: time.Date(2021, 1, 1, 1, 0, 0, 0, time.UTC)}},
		{"same start and submission", Options{}, `{"start_date": "2021-01-01T01:00:00Z", "submission_date": "2021-01-01T01:00:00Z"}`,
			Update{StartedAt: time.Date(2021, 1, 1, 1, 0, 0, 0, time.UTC), SubmittedAt: time.Date(2021, 1, 1, 1, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(strings.NewReader(tt.body), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("a", n) }
	att := func(n int) string {
		items := make([]string, n)
		for i := range items {
			items[i] = `{"url": "https://example.com/` + strings.Repeat("x", i+1) + `", "content_type": {"value": "pdf"}}`
		}
		return `{"attachments": [` + strings.Join(items, ",") + `]}`
	}
	tests := []struct {
		name string
		opt  Options
		body string
		want []FieldError
	}{
		// Decoding.
		{"empty body", Options{}, ``, []FieldError{{"", "the body is empty: send a JSON object"}}},
		{"not an object", Options{}, `[1]`, []FieldError{{"", "the body must be a JSON object"}}},
		{"unknown field", Options{}, `{"scroe": {}}`, []FieldError{{"scroe", "is not a known field"}}},
		{"wrong type", Options{}, `{"summary": 5}`, []FieldError{{"summary", "must be a string, not a number"}}},
		{"two values", Options{}, `{"result": {"value": "passed"}} {}`, []FieldError{{"", "the body holds more than one JSON value: send one object"}}},
		{"too large", Options{}, `{"summary": "` + long(MaxBodyBytes) + `"}`, []FieldError{{"", "the body is larger than 256 KiB"}}},
		{"sets nothing", Options{}, `{"id": "ord_1"}`, []FieldError{{"", "the update sets nothing: send at least one of result, score, summary, result_url, attachments, start_date or submission_date"}}},

		// Score.
		{"score partial", Options{}, `{"score": {"label": "Percent", "value": "80"}}`, []FieldError{
			{"score.min", "is missing: a score needs value, min and max together (or no score at all)"},
			{"score.max", "is missing: a score needs value, min and max together (or no score at all)"},
		}},
		{"score not numbers", Options{}, `{"score": {"value": "abc", "min": "NaN", "max": true}}`, []FieldError{
			{"score.value", `must be a number, like 80 or "80", not "abc"`},
			{"score.min", `must be a number, like 80 or "80", not "NaN"`},
			{"score.max", `must be a number, like 80 or "80"`},
		}},
		{"score too large", Options{}, `{"score": {"value": "1", "min": "0", "max": "1e400"}}`, []FieldError{{"score.max", "is too large a number"}}},
		{"score odd forms", Options{}, `{"score": {"value": " 80", "min": "0x10", "max": "Infinity"}}`, []FieldError{
			{"score.value", `must be a number, like 80 or "80", not " 80"`},
			{"score.min", `must be a number, like 80 or "80", not "0x10"`},
			{"score.max", `must be a number, like 80 or "80", not "Infinity"`},
		}},
		{"score above max", Options{}, `{"score": {"value": "101", "min": "0", "max": "100"}}`, []FieldError{{"score.value", "must be at most score.max (100)"}}},
		{"score below min", Options{}, `{"score": {"value": -1, "min": 0, "max": 100}}`, []FieldError{{"score.value", "must be at least score.min (0)"}}},
		{"score min not below max", Options{}, `{"score": {"value": 5, "min": 5, "max": 5}}`, []FieldError{{"score.max", "must be greater than score.min (5)"}}},
		{"score label", Options{}, `{"score": {"label": "a\nb", "value": 1, "min": 0, "max": 2}}`, []FieldError{{"score.label", "must be one line of text, without control characters such as line breaks or tabs"}}},

		// Result.
		{"result unknown", Options{}, `{"result": {"value": "pased"}}`, []FieldError{{"result.value",
			`must be one of initiated, in_progress, cancelled, completed, expired, failed, passed, unmapped_value, not "pased" (for a value of your own, send unmapped_value with it in source_value)`}}},
		{"result without value", Options{}, `{"result": {"source_value": "Passed"}}`, []FieldError{{"result.value",
			"is required: one of initiated, in_progress, cancelled, completed, expired, failed, passed, unmapped_value"}}},
		{"unmapped without source", Options{}, `{"result": {"value": "unmapped_value"}}`, []FieldError{{"result.source_value", "is required with unmapped_value: say what the value is"}}},
		{"source too long", Options{}, `{"result": {"value": "passed", "source_value": "` + long(MaxSourceLength+1) + `"}}`, []FieldError{{"result.source_value", "is longer than 200 characters"}}},

		// URLs.
		{"http refused", Options{}, `{"result_url": "http://example.com/r"}`, []FieldError{{"result_url", "must be an https URL, not http"}}},
		{"other scheme", Options{AllowHTTP: true}, `{"result_url": "javascript:alert(1)"}`, []FieldError{{"result_url", "must be an absolute http or https URL with a host, like https://example.com/result"}}},
		{"relative", Options{}, `{"result_url": "/r/1"}`, []FieldError{{"result_url", "must be an absolute https URL with a host, like https://example.com/result"}}},
		{"ftp", Options{}, `{"result_url": "ftp://example.com/r"}`, []FieldError{{"result_url", "must be an https URL, not ftp"}}},
		{"userinfo", Options{}, `{"result_url": "https://user:pw@example.com/r"}`, []FieldError{{"result_url", "must not hold a user name or password: put credentials in a token in the path or query"}}},
		{"space", Options{}, `{"result_url": "https://example.com/a b"}`, []FieldError{{"result_url", "must be a URL without spaces or control characters (percent-encode them)"}}},
		{"url too long", Options{}, `{"result_url": "https://example.com/` + long(MaxURLLength) + `"}`, []FieldError{{"result_url", "is longer than 2048 characters"}}},
		{"profile url", Options{}, `{"result": {"value": "passed"}, "candidate": {"profile_url": "http://example.com/c"}}`, []FieldError{{"candidate.profile_url", "must be an https URL, not http"}}},

		// Attachments.
		{"attachment without url or type", Options{}, `{"attachments": [{}]}`, []FieldError{
			{"attachments[0].url", "is required: the URL Switchboard fetches the file from"},
			{"attachments[0].content_type", `is required: say what the file is, like {"value": "pdf"}`},
		}},
		{"attachment StackOne null type, http url", Options{}, `{"attachments": [{"url": "https://example.com/a.pdf", "content_type": {"value": "pdf"}}, {"url": "http://example.com/resume.pdf", "content_type": null}]}`, []FieldError{
			{"attachments[1].url", "must be an https URL, not http"},
			{"attachments[1].content_type", `is required: say what the file is, like {"value": "pdf"}`},
		}},
		{"attachment type unknown", Options{}, `{"attachments": [{"url": "https://example.com/a", "content_type": {"value": "docx"}}]}`, []FieldError{{"attachments[0].content_type.value",
			`must be one of text, pdf, video, other, unmapped_value, not "docx" (for a value of your own, send unmapped_value with it in source_value)`}}},
		{"attachment twice", Options{}, `{"attachments": [{"url": "https://example.com/a", "content_type": {"value": "pdf"}}, {"url": "https://example.com/a", "content_type": {"value": "text"}}]}`,
			[]FieldError{{"attachments[1].url", "is the same as attachments[0].url: send each file once"}}},
		{"too many attachments", Options{}, att(MaxAttachments + 1), []FieldError{{"attachments", "has 21 items: at most 20 are allowed"}}},

		// Summary.
		{"summary only script", Options{}, `{"summary": "<script>alert(1)</script><img src=x onerror=alert(1)>"}`, []FieldError{{"summary",
			"has no text left once scripts, styles and unsupported markup are removed: send text, optionally with simple formatting (p, br, b, i, u, s, ul, ol, li, https links)"}}},
		{"summary too long", Options{}, `{"summary": "` + long(MaxSummaryLength+1) + `"}`, []FieldError{{"summary", "is 20001 characters: at most 20000 are allowed"}}},
		{"summary control", Options{}, `{"summary": "a\u0000b"}`, []FieldError{{"summary", "must not contain control characters"}}},

		// Dates.
		{"date not RFC 3339", Options{}, `{"start_date": "2021-01-01", "submission_date": "yesterday"}`, []FieldError{
			{"start_date", `must be a date and time in RFC 3339 form, like 2021-01-01T01:01:01.000Z, not "2021-01-01"`},
			{"submission_date", `must be a date and time in RFC 3339 form, like 2021-01-01T01:01:01.000Z, not "yesterday"`},
		}},
		{"date out of range", Options{}, `{"start_date": "9999-12-31T23:59:59-01:00", "submission_date": "0001-01-01T00:00:00Z"}`, []FieldError{
			{"start_date", "is out of range: send a date between the years 1900 and 9999"},
			{"submission_date", "is out of range: send a date between the years 1900 and 9999"},
		}},
		{"submitted before start", Options{}, `{"start_date": "2021-01-02T00:00:00Z", "submission_date": "2021-01-01T00:00:00Z"}`, []FieldError{{"submission_date", "is before start_date: the submission cannot come before the start"}}},

		// Passthrough.
		{"passthrough not object", Options{}, `{"result": {"value": "passed"}, "passthrough": [1]}`, []FieldError{{"passthrough", "must be an object"}}},

		// Everything at once, in body order.
		{"all faults together", Options{}, `{
			"score": {"value": "x", "min": "0", "max": "100"},
			"start_date": "2021-01-02T00:00:00Z", "submission_date": "2021-01-01T00:00:00Z",
			"result": {"value": "done"},
			"result_url": "http://example.com",
			"attachments": [{"url": "https://a@example.com/f"}]
		}`, []FieldError{
			{"score.value", `must be a number, like 80 or "80", not "x"`},
			{"submission_date", "is before start_date: the submission cannot come before the start"},
			{"result.value", `must be one of initiated, in_progress, cancelled, completed, expired, failed, passed, unmapped_value, not "done" (for a value of your own, send unmapped_value with it in source_value)`},
			{"result_url", "must be an https URL, not http"},
			{"attachments[0].url", "must not hold a user name or password: put credentials in a token in the path or query"},
			{"attachments[0].content_type", `is required: say what the file is, like {"value": "pdf"}`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(strings.NewReader(tt.body), tt.opt)
			var inv *Invalid
			if !errors.As(err, &inv) {
				t.Fatalf("Parse = %+v, %v; want *Invalid", got, err)
			}
			if !reflect.DeepEqual(got, Update{}) {
				t.Errorf("Parse returned %+v beside its error; want the zero Update", got)
			}
			if !reflect.DeepEqual(inv.Fields, tt.want) {
				t.Errorf("fields =\n%q\nwant\n%q", inv.Fields, tt.want)
			}
		})
	}
}

func TestSummarySanitised(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, html, text string
	}{
		{"plain", "Test is passed", "Test is passed", "Test is passed"},
		{"entities", "a &lt; b &amp;&nbsp;c", "a &lt; b &amp;\u00a0c", "a < b & c"},
		{"bare less-than", "a < b", "a &lt; b", "a < b"},
		{"inline and lists kept", "<p><b>Strong</b> and <em>em</em></p><ul><li>one</li><li>two</li></ul>",
			"<p><b>Strong</b> and <em>em</em></p><ul><li>one</li><li>two</li></ul>", "Strong and em one two"},
		{"https link kept, marked", `<a href="https://example.com/x">report</a>`,
			`<a href="https://example.com/x" rel="nofollow noreferrer">report</a>`, "report"},
		{"javascript link dropped", `<a href="javascript:alert(1)">x</a>`, "x", "x"},
		{"link without host dropped", `<a href="https:">x</a><a href="https://u:p@example.com">y</a>`, "x  y", "x y"},
		{"http link dropped", `<a href="http://example.com">x</a>`, "x", "x"},
		{"script and style gone", `ok<script>alert(1)</script><style>p{}</style>`, "ok", "ok"},
		{"event attribute gone", `<p onclick="alert(1)">hi</p>`, "<p>hi</p>", "hi"},
		{"image gone", `see <img src="https://example.com/x.png"> this`, "see   this", "see this"},
		{"unknown element, text kept", `<div>a</div><span style="color:red">b</span>`, "a  b", "a b"},
		{"whitespace collapsed", "a\n\n\tb<br>c", "a\n\n\tb<br>c", "a b c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v validator
			s := v.summary(tt.in)
			if len(v.errs) > 0 {
				t.Fatal(v.errs)
			}
			if s.HTML != tt.html || s.Text != tt.text {
				t.Errorf("summary(%q) = %q, %q; want %q, %q", tt.in, s.HTML, s.Text, tt.html, tt.text)
			}
		})
	}
}

func TestInvalidError(t *testing.T) {
	t.Parallel()
	_, err := Parse(strings.NewReader(`{"score": {"value": "x", "min": 0, "max": 1}, "result_url": "http://e.com"}`), Options{})
	want := `invalid result update: score.value must be a number, like 80 or "80", not "x"; result_url must be an https URL, not http`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant %s", err, want)
	}
	// A decoding fault keeps the decoder's error for the log.
	_, err = Parse(strings.NewReader(`{"summary": 5}`), Options{})
	var inv *Invalid
	if !errors.As(err, &inv) || errors.Unwrap(inv) == nil {
		t.Errorf("error = %#v; want an *Invalid wrapping the decoder's error", err)
	}
}
