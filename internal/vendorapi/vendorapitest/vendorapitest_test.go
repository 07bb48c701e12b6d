package vendorapitest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// recorder is a testing.TB that keeps what Client reports instead of
// failing the test that runs it.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatal(args ...any) { panic(fmt.Sprint(args...)) }

// canned answers every request with one status and body.
type canned struct {
	status int
	body   string
}

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body) // the server would read it; the validator must have left it whole
		r.Body.Close()
	}
	return &http.Response{StatusCode: c.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(c.body)), Request: r}, nil
}

const base = "http://sb.test/api/vendor"

func TestClient(t *testing.T) {
	t.Parallel()
	okStatus := `{"statusCode":200,"message":"Record updated successfully.","timestamp":"2026-03-04T05:06:07Z"}`
	result := `{"result":{"value":"passed"},"score":{"value":"80","min":0,"max":100},"attachments":[{"url":"https://v.example/r.pdf","content_type":{"value":"pdf"}}]}`
	tests := []struct {
		name       string
		method     string
		path       string
		account    bool
		body       string
		answer     canned
		wantErrors []string // substrings, one per reported error; none for a clean exchange
	}{
		{name: "good result update", method: "PATCH", path: "/unified/ats/assessments/orders/ord_1/result", account: true,
			body: result, answer: canned{200, okStatus}},
		{name: "good listing", method: "GET", path: "/unified/ats/assessments/orders?status=open&page_size=10", account: true,
			answer: canned{200, `{"data":[],"next":null}`}},
		{name: "error answer", method: "GET", path: "/unified/ats/assessments/orders/ord_1", account: true,
			answer: canned{404, `{"statusCode":404,"message":"No such order.","timestamp":"2026-03-04T05:06:07Z"}`}},
		{name: "answer not in the document", method: "PATCH", path: "/unified/ats/assessments/orders/ord_1/result", account: true,
			body: result, answer: canned{200, `{"ok":true}`}, wantErrors: []string{"is not in the document"}},
		{name: "status not in the document", method: "GET", path: "/webhook",
			answer: canned{409, okStatus}, wantErrors: []string{"409"}},
		{name: "request missing x-account-id", method: "GET", path: "/unified/ats/assessments/orders/ord_1",
			answer: canned{200, `{"data":{}}`}, wantErrors: []string{"x-account-id", "answer 200"}},
		{name: "request body with an unknown field", method: "PUT", path: "/webhook", body: `{"url":"https://v.example/h","urls":[]}`,
			answer: canned{200, `{"url":"https://v.example/h"}`}, wantErrors: []string{"PUT /api/vendor/webhook is not in the document"}},
		{name: "route not in the document", method: "GET", path: "/orders",
			answer: canned{404, okStatus}, wantErrors: []string{"GET /api/vendor/orders is not in the document", "answer 404"}},
		{name: "the document itself is not checked", method: "GET", path: "/openapi.json", answer: canned{200, `{}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{TB: t}
			c := Client(rec, tt.answer)
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequest(tt.method, base+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.SetBasicAuth("svk_key", "")
			if tt.account {
				req.Header.Set("x-account-id", "acc_1")
			}
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			if string(got) != tt.answer.body {
				t.Errorf("the caller read %q, want the answer %q whole", got, tt.answer.body)
			}
			if len(rec.errors) != len(tt.wantErrors) {
				t.Fatalf("reported %d errors, want %d: %q", len(rec.errors), len(tt.wantErrors), rec.errors)
			}
			for i, want := range tt.wantErrors {
				if !strings.Contains(rec.errors[i], want) {
					t.Errorf("error %d %q, want it to contain %q", i, rec.errors[i], want)
				}
			}
		})
	}
}
