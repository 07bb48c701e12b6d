package workable_test

import (
	"encoding/json"
	"errors"
	"testing"

	"switchboard/internal/ats/workable"
)

func TestDecodeAssessmentRequest(t *testing.T) {
	t.Parallel()
	const ok = `"callback_url":"https://acme.workable.com/x/assessments/1","candidate":{"first_name":"Lakita","last_name":"Marrero","email":"l@example.com","phone":"+1"}`
	for _, tc := range []struct {
		name, body string
		wantErr    error
		wantTest   string
	}{
		{"string id", `{"test_id":"vac_1","job_shortcode":"GROOV005","job_title":"Office Manager",` + ok + `}`, nil, "vac_1"},
		{"number id", `{"test_id":1,` + ok + `}`, nil, "1"},
		{"unknown fields are ignored", `{"test_id":"2","stage":"assessment","extra":{"a":1},` + ok + `}`, nil, "2"},
		{"no test", `{` + ok + `}`, workable.ErrIncomplete, ""},
		{"null test", `{"test_id":null,` + ok + `}`, workable.ErrIncomplete, ""},
		{"no callback", `{"test_id":"1","candidate":{"email":"l@example.com"}}`, workable.ErrIncomplete, ""},
		{"no email", `{"test_id":"1","callback_url":"https://a.workable.com/x","candidate":{"first_name":"A"}}`, workable.ErrIncomplete, ""},
		{"object id", `{"test_id":{"id":1},` + ok + `}`, workable.ErrBadRequest, ""},
		{"email a number", `{"test_id":"1","callback_url":"https://a.workable.com/x","candidate":{"email":5}}`, workable.ErrBadRequest, ""},
		{"not json", `test_id=1`, workable.ErrBadRequest, ""},
		{"an array", `[]`, workable.ErrBadRequest, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := workable.DecodeAssessmentRequest([]byte(tc.body))
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if err == nil && string(r.TestID) != tc.wantTest {
				t.Fatalf("test_id %q, want %q", r.TestID, tc.wantTest)
			}
		})
	}
}

func TestAssessmentRequestName(t *testing.T) {
	t.Parallel()
	if got := (workable.CandidateInfo{FirstName: " Lakita ", LastName: "Marrero"}).Name(); got != "Lakita Marrero" {
		t.Fatalf("Name() = %q", got)
	}
}

func TestFlexString(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{`"82"`: "82", `82`: "82", `4.5`: "4.5", `1e3`: "1e3", `null`: "", `"a\"b"`: `a"b`} {
		var f workable.FlexString
		if err := json.Unmarshal([]byte(in), &f); err != nil || string(f) != want {
			t.Errorf("%s: %q %v, want %q", in, f, err, want)
		}
	}
	for _, in := range []string{`true`, `{}`, `[1]`} {
		var f workable.FlexString
		if err := json.Unmarshal([]byte(in), &f); err == nil {
			t.Errorf("%s accepted as %q", in, f)
		}
	}
	if b, _ := json.Marshal(workable.Test{ID: "vac_1", Name: "A"}); string(b) != `{"id":"vac_1","name":"A"}` {
		t.Errorf("a test encodes as %s", b)
	}
}

func TestDecodeResultsUpdate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body string
		ok   bool
	}{
		{`{"status":"pending"}`, true},
		{`{"status":"expired"}`, true},
		{`{"status":"completed","results_url":"https://h/r","assessment":{"score":82,"grade":"excelled","details":{"a":1},"duration":"00:41:17"},"attachments":[{"description":"PDF","url":"https://h/p.pdf"}]}`, true},
		{`{"status":"completed","results_url":"https://h/r","assessment":{"score":"82"}}`, true},
		{`{"status":"completed"}`, false}, // results_url is mandatory
		{`{"status":"done"}`, false},      // unknown status
		{`{"status":"completed","results_url":"u","assessment":{"grade":"A"}}`, false}, // unknown grade
		{`{"status":"pending","attachments":[{"description":"x"}]}`, false},            // an attachment without a url
		{`[]`, false},
	} {
		_, err := workable.DecodeResultsUpdate([]byte(tc.body))
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, workable.ErrInvalidUpdate)) {
			t.Errorf("%s: %v, want ok %v", tc.body, err, tc.ok)
		}
	}
}

func TestDecodeSPIError(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{`{"error":"Not authorized"}`: "Not authorized", `{"message":"Bad"}`: "Bad", `{}`: "", `<html>`: ""} {
		_, msg, ok := workable.DecodeSPIError([]byte(body))
		if msg != want || ok != (want != "") {
			t.Errorf("%s: %q %v, want %q", body, msg, ok, want)
		}
	}
}
