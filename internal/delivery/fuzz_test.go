package delivery

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"switchboard/internal/core"
)

// FuzzAnswered: whatever a vendor answers, the attempt's meaning follows the
// status alone (2xx accepted, 422 refused, anything else failed), a
// refusal's message is printable text a person can be shown (at most
// maxMessage runes, never empty), the test URL is the one a 2xx JSON body
// gave, and the stored response is valid UTF-8 of at most snippetBytes.
func FuzzAnswered(f *testing.F) {
	f.Add(200, "", []byte(`{"test_url":"https://vendor.example/t"}`), false)
	f.Add(422, "", []byte(`{"message":"no"}`), false)
	f.Add(422, "", []byte("\x00\xff"), false)
	f.Add(503, "120", []byte("down"), false)
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte{}, true)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, broken bool) {
		if status < 100 || status > 999 {
			return // not an HTTP status a client hands back
		}
		if len(body) > maxAnswerBytes+1 {
			body = body[:maxAnswerBytes+1]
		}
		var rerr error
		if broken {
			rerr = errors.New("connection reset")
		}
		h := http.Header{"Retry-After": {retryAfter}}
		a := answered(Attempt{Record: core.DeliveryAttempt{DeliveryID: "msg_1", At: now}}, status, h, body, rerr, now)
		want := Failed
		switch {
		case status >= 200 && status < 300:
			want = Accepted
		case status == http.StatusUnprocessableEntity:
			want = Refused
		}
		if a.Outcome != want || a.Record.Status != status {
			t.Fatalf("status %d: outcome %s, want %s", status, a.Outcome, want)
		}
		if len(a.Record.Response) > snippetBytes || !utf8.ValidString(a.Record.Response) {
			t.Fatalf("stored response %q", a.Record.Response)
		}
		switch a.Outcome {
		case Accepted:
			var ans struct {
				TestURL string `json:"test_url"`
			}
			if len(body) > maxAnswerBytes || json.Unmarshal(body, &ans) != nil {
				ans.TestURL = ""
			}
			if a.TestURL != ans.TestURL {
				t.Fatalf("test URL %q, want %q", a.TestURL, ans.TestURL)
			}
		case Refused:
			if a.Message == "" || utf8.RuneCountInString(a.Message) > maxMessage || !utf8.ValidString(a.Message) {
				t.Fatalf("refusal message %q", a.Message)
			}
			for _, r := range a.Message {
				if !unicode.IsPrint(r) {
					t.Fatalf("refusal message %q holds %U", a.Message, r)
				}
			}
		case Failed:
			if a.RetryAfter < 0 || a.TestURL != "" {
				t.Fatalf("failure %+v", a)
			}
		}
	})
}
