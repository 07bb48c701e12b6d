package workable_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"switchboard/internal/ats/workable"
)

// FuzzDecodeAssessmentRequest: what is accepted has every required field,
// within bounds, and survives a round trip unchanged; what is refused is
// one of the two refusals, never a panic.
func FuzzDecodeAssessmentRequest(f *testing.F) {
	for _, s := range []string{
		`{"test_id":"1","job_shortcode":"GROOV005","job_title":"Office Manager","callback_url":"https://acme.workable.com/a/1","candidate":{"first_name":"Lakita","last_name":"Marrero","email":"l@example.com","phone":"+1"}}`,
		`{"test_id":1,"callback_url":"u","candidate":{"email":"e"}}`,
		`{"test_id":{},"callback_url":"u","candidate":{"email":"e"}}`,
		`{"test_id":" ","callback_url":"u","candidate":{"email":"e"}}`,
		`null`, `[]`, `{"test_id":1e400}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := workable.DecodeAssessmentRequest(body)
		if err != nil {
			if !errors.Is(err, workable.ErrBadRequest) && !errors.Is(err, workable.ErrIncomplete) {
				t.Fatalf("refusal %v is neither bad request nor incomplete", err)
			}
			return
		}
		if r.TestID == "" || r.CallbackURL == "" || r.Candidate.Email == "" || len(r.TestID) > workable.MaxIDLen || len(r.CallbackURL) > workable.MaxURLLen {
			t.Fatalf("accepted %+v", r)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		again, err := workable.DecodeAssessmentRequest(b)
		if err != nil || again != r {
			t.Fatalf("round trip: %+v %v, want %+v", again, err, r)
		}
	})
}

// FuzzFlexString: a JSON string decodes to itself, a JSON number to its
// literal, and anything accepted re-encodes as a string that decodes back.
func FuzzFlexString(f *testing.F) {
	for _, s := range []string{`"82"`, `82`, `-1.5e3`, `null`, `true`, `{}`, `"\u00e9"`, ` 7 `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var fs workable.FlexString
		if err := json.Unmarshal(b, &fs); err != nil {
			return
		}
		trimmed := bytes.TrimSpace(b)
		var s string
		var n json.Number
		switch {
		case json.Unmarshal(trimmed, &s) == nil:
			if string(fs) != s {
				t.Fatalf("string %s decoded as %q", b, fs)
			}
		case string(trimmed) == "null":
			if fs != "" {
				t.Fatalf("null decoded as %q", fs)
			}
		case json.Unmarshal(trimmed, &n) == nil:
			if string(fs) != n.String() {
				t.Fatalf("number %s decoded as %q", b, fs)
			}
		default:
			t.Fatalf("%s accepted as %q but is no string, number or null", b, fs)
		}
		out, err := json.Marshal(string(fs))
		if err != nil {
			t.Fatal(err)
		}
		var back workable.FlexString
		if err := json.Unmarshal(out, &back); err != nil || back != fs {
			t.Fatalf("round trip %q: %q %v", fs, back, err)
		}
	})
}

// FuzzDecodeResultsUpdate: an accepted update is one Workable takes (known
// status and grade, results_url when completed, every attachment a url).
func FuzzDecodeResultsUpdate(f *testing.F) {
	for _, s := range []string{
		`{"status":"completed","results_url":"https://h/r","assessment":{"score":"82","grade":"excelled","summary":"s","details":{"a":1},"duration":"00:41:17"},"attachments":[{"description":"d","url":"u"}]}`,
		`{"status":"pending"}`, `{"status":"completed"}`, `{"status":"x"}`, `{"assessment":{"score":[]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		u, err := workable.DecodeResultsUpdate(body)
		if err != nil {
			if !errors.Is(err, workable.ErrInvalidUpdate) {
				t.Fatalf("refusal %v does not wrap ErrInvalidUpdate", err)
			}
			return
		}
		if !u.Status.Valid() || (u.Status == workable.StatusCompleted && strings.TrimSpace(u.ResultsURL) == "") ||
			(u.Assessment != nil && !u.Assessment.Grade.Valid()) {
			t.Fatalf("accepted %+v", u)
		}
		for _, a := range u.Attachments {
			if strings.TrimSpace(a.URL) == "" {
				t.Fatalf("accepted an attachment without a url: %+v", u)
			}
		}
	})
}

// FuzzDecodeSPIError: ok exactly when the body is a JSON object with a
// non-blank error or message, which is then the message, trimmed.
func FuzzDecodeSPIError(f *testing.F) {
	for _, s := range []string{`{"error":"Not authorized"}`, `{"message":" m "}`, `{"error":""}`, `<html>`, `{"error":5}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		code, msg, ok := workable.DecodeSPIError(body)
		var e workable.SPIError
		decoded := json.Unmarshal(body, &e) == nil
		want := strings.TrimSpace(e.Error)
		if want == "" {
			want = strings.TrimSpace(e.Message)
		}
		if !decoded {
			want = ""
		}
		if code != "" || msg != want || ok != (want != "") {
			t.Fatalf("DecodeSPIError(%q) = %q %q %v, want %q", body, code, msg, ok, want)
		}
	})
}
