package result

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"switchboard/internal/strictjson"
)

// FuzzParse: Parse never panics; a refusal is an *Invalid and returns
// nothing; an accepted Update converts to a core.Result core accepts; an
// accepted body re-encoded is accepted as the same Update, and so
// is the Update's own wire form (sanitising a sanitised summary changes
// nothing); a sanitised summary holds no script, no event attribute and no
// link but https.
func FuzzParse(f *testing.F) {
	f.Add([]byte(stackOneExample), false)
	for _, s := range []string{
		`{"result": {"value": "in_progress"}}`,
		`{"score": {"value": 7.5, "min": -10, "max": 1e1}}`,
		`{"score": {"value": "1", "min": "0", "max": "1e400"}}`,
		`{"summary": "<p onclick=\"x()\"><b>a</b> <a href=\"javascript:alert(1)\">b</a><script>c</script><a href=\"https://e.com\">d</a></p>"}`,
		`{"summary": "<ul><li>a &amp; b</li></ul><img src=x onerror=alert(1)><svg><script>x</script></svg>"}`,
		`{"result_url": "http://example.com/r", "attachments": [{"url": "https://u@e.com/f", "content_type": {"value": "pdf"}}]}`,
		`{"start_date": "2021-01-01T03:00:00+02:00", "submission_date": "2021-01-01T01:00:00.5Z"}`,
		`{"result": {"value": "unmapped_value", "source_value": "x"}, "passthrough": {"a": [1, {"b": null}]}}`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, allowHTTP bool) {
		opt := Options{AllowHTTP: allowHTTP}
		u, err := Parse(bytes.NewReader(data), opt)
		if err != nil {
			var inv *Invalid
			if !errors.As(err, &inv) || len(inv.Fields) == 0 {
				t.Fatalf("Parse error %v is not an *Invalid with fields", err)
			}
			if !reflect.DeepEqual(u, Update{}) {
				t.Fatalf("refused, yet returned %+v", u)
			}
			return
		}
		if u.Summary != nil {
			checkSanitised(t, u.Summary.HTML)
		}
		// Parse is at least as strict as core: what it accepts, core stores.
		if _, err := u.Result(); err != nil {
			t.Fatalf("accepted by Parse, refused by core: %v", err)
		}

		var b Body
		if err := strictjson.Decode(bytes.NewReader(data), &b, "the body"); err != nil {
			t.Fatalf("accepted by Parse, refused by the decoder: %v", err)
		}
		sameUpdate(t, "the re-encoded body", b, opt, u)
		sameUpdate(t, "the update's own wire form", wireOf(u), opt, u)
	})
}

// sameUpdate fails unless b, encoded and parsed, reads as want.
func sameUpdate(t *testing.T, what string, b Body, opt Options, want Update) {
	t.Helper()
	// Without HTML escaping: passthrough is kept as the bytes sent, and
	// json.Marshal would turn its "&" into "\u0026", the same JSON in
	// other bytes.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		t.Fatal(err)
	}
	data := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	got, err := Parse(bytes.NewReader(data), opt)
	if err != nil {
		t.Fatalf("%s %s refused: %v", what, data, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s %s reads differently:\n%+v\nwant\n%+v", what, data, got, want)
	}
}

// checkSanitised fails when h holds anything but the policy's elements and
// attributes, or a link but https.
func checkSanitised(t *testing.T, h string) {
	t.Helper()
	if strings.Contains(strings.ToLower(h), "<script") {
		t.Fatalf("summary %q holds <script", h)
	}
	allowed := map[string]bool{"p": true, "br": true, "b": true, "strong": true, "i": true, "em": true,
		"u": true, "s": true, "ul": true, "ol": true, "li": true, "a": true}
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, more := z.TagName()
		if !allowed[string(name)] {
			t.Fatalf("summary %q holds <%s>", h, name)
		}
		for more {
			var k, v []byte
			k, v, more = z.TagAttr()
			key, val := string(k), strings.ToLower(string(v))
			switch {
			case strings.HasPrefix(key, "on"):
				t.Fatalf("summary %q holds an event attribute %s", h, key)
			case strings.Contains(val, "javascript:"):
				t.Fatalf("summary %q holds javascript: in %s", h, key)
			case key == "href" && !strings.HasPrefix(val, "https://"):
				t.Fatalf("summary %q links to %s", h, val)
			case key != "href" && key != "rel":
				t.Fatalf("summary %q holds attribute %s", h, key)
			}
		}
	}
}

// wireOf is the wire form of a validated update.
func wireOf(u Update) Body {
	b := Body{ID: u.ID, ResultURL: u.ResultURL, Passthrough: u.Passthrough}
	if u.Score != nil {
		b.Score = &Score{Label: u.Score.Label, Value: NumberOf(formatNumber(u.Score.Value)),
			Min: NumberOf(formatNumber(u.Score.Min)), Max: NumberOf(formatNumber(u.Score.Max))}
	}
	if !u.StartedAt.IsZero() {
		b.StartDate = u.StartedAt.Format(time.RFC3339Nano)
	}
	if !u.SubmittedAt.IsZero() {
		b.SubmissionDate = u.SubmittedAt.Format(time.RFC3339Nano)
	}
	if u.Summary != nil {
		b.Summary = u.Summary.HTML
	}
	if u.Outcome != "" {
		b.Result = &Enum{Value: string(u.Outcome), SourceValue: u.OutcomeSource}
	}
	for _, a := range u.Attachments {
		b.Attachments = append(b.Attachments, Attachment{URL: a.URL, ContentType: &Enum{Value: a.ContentType, SourceValue: a.ContentTypeSource}})
	}
	if u.CandidateID != "" || u.ProfileURL != "" {
		b.Candidate = &Candidate{ID: u.CandidateID, ProfileURL: u.ProfileURL}
	}
	return b
}
