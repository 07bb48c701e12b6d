package delivery_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/delivery"
	"switchboard/internal/stdwebhook"
)

func TestSend(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	current, previous := stdwebhook.NewSecret(), stdwebhook.NewSecret()
	d := core.Delivery{ID: "msg_1", Payload: []byte(`{"type":"assessment.created","data":{"id":"ord_1"}}`)}
	tests := []struct {
		name    string
		status  int
		header  map[string]string
		body    string
		want    delivery.Outcome
		testURL string
		message string
		retry   time.Duration
	}{
		{name: "accepted with the candidate's URL", status: 200, body: `{"test_url":"https://vendor.example/t/1"}`, want: delivery.Accepted, testURL: "https://vendor.example/t/1"},
		{name: "accepted without a body", status: 202, want: delivery.Accepted},
		{name: "accepted with a body that is not JSON", status: 200, body: "OK", want: delivery.Accepted},
		{name: "refused with a message", status: 422, body: `{"message":"We do not test in Klingon"}`, want: delivery.Refused, message: "We do not test in Klingon"},
		{name: "refused without one", status: 422, body: `nope`, want: delivery.Refused, message: "the vendor refused the order without saying why"},
		{name: "refusal message made printable", status: 422, body: `{"message":"bad\u0007 \u202einput"}`, want: delivery.Refused, message: "bad   input"},
		{name: "server error", status: 503, header: map[string]string{"Retry-After": "120"}, want: delivery.Failed, message: "the endpoint answered 503 Service Unavailable", retry: 2 * time.Minute},
		{name: "not found is a failure, not a refusal", status: 404, want: delivery.Failed, message: "the endpoint answered 404 Not Found"},
		{name: "a redirect is not followed into acceptance", status: 301, header: map[string]string{"Location": "/elsewhere"}, want: delivery.Failed, message: "the endpoint answered 301 Moved Permanently"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got *http.Request
			var gotBody []byte
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r
				gotBody, _ = io.ReadAll(r.Body)
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			t.Cleanup(srv.Close)
			client := srv.Client()
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			a := delivery.Sender{Client: client, UserAgent: "Switchboard"}.Send(t.Context(), d, srv.URL+"/hooks", []stdwebhook.Secret{current, previous}, now, 5*time.Second)
			if a.Outcome != tt.want || a.TestURL != tt.testURL || a.Message != tt.message || a.RetryAfter != tt.retry {
				t.Errorf("attempt = %+v; want outcome %s, test URL %q, message %q, retry after %s", a, tt.want, tt.testURL, tt.message, tt.retry)
			}
			if a.Record.Status != tt.status || a.Record.DeliveryID != "msg_1" || !a.Record.At.Equal(now) || a.Record.Response != tt.body {
				t.Errorf("record = %+v; want status %d, the delivery, the time and the body", a.Record, tt.status)
			}
			if got.Method != http.MethodPost || got.Header.Get("Content-Type") != "application/json" || string(gotBody) != string(d.Payload) {
				t.Errorf("request %s %s %q; want a JSON POST of the payload as is", got.Method, got.Header.Get("Content-Type"), gotBody)
			}
			for _, s := range []stdwebhook.Secret{current, previous} {
				if err := stdwebhook.Verify(got.Header, gotBody, now, time.Minute, s); err != nil {
					t.Errorf("signature does not verify with one of the secrets: %v", err)
				}
			}
			if id := got.Header.Get("webhook-id"); id != "msg_1" {
				t.Errorf("webhook-id = %q, want the delivery's id", id)
			}
		})
	}
}

func TestSendWithoutAnswer(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	d := core.Delivery{ID: "msg_1", Payload: []byte(`{}`)}
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(block); slow.Close() })
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	tests := []struct {
		name, url string
		secrets   []stdwebhook.Secret
		want      string
	}{
		{"too slow", slow.URL, []stdwebhook.Secret{stdwebhook.NewSecret()}, "no answer in time"},
		{"nobody listening", closedURL, []stdwebhook.Secret{stdwebhook.NewSecret()}, "no answer: "},
		{"no secret", slow.URL, nil, "the delivery could not be signed: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := delivery.Sender{Client: http.DefaultClient}.Send(context.Background(), d, tt.url, tt.secrets, now, 50*time.Millisecond)
			if a.Outcome != delivery.Failed || !strings.HasPrefix(a.Message, tt.want) || a.Record.Status != 0 || a.Record.Error != a.Message {
				t.Errorf("attempt = %+v; want a failure saying %q…", a, tt.want)
			}
		})
	}
}

func TestSchedule(t *testing.T) {
	t.Parallel()
	var total time.Duration
	for n := 1; ; n++ {
		w, more := delivery.NextWait(n, 0, 0.5)
		if !more {
			if n != delivery.MaxAttempts() {
				t.Errorf("the schedule ends after attempt %d, want %d", n, delivery.MaxAttempts())
			}
			break
		}
		if w <= 0 {
			t.Fatalf("wait after attempt %d = %s", n, w)
		}
		total += w
	}
	// "about three days": retried across a long weekend's outage, not for a week.
	if total < 70*time.Hour || total > 80*time.Hour {
		t.Errorf("attempts span %s, want about three days", total)
	}
	tests := []struct {
		n          int
		retryAfter time.Duration
		jitter     float64
		want       time.Duration
		more       bool
	}{
		{1, 0, 0.5, 5 * time.Second, true},
		{1, 0, 0, 4500 * time.Millisecond, true},
		{1, 0, 1, 5500 * time.Millisecond, true},
		{1, 0, 7, 5500 * time.Millisecond, true}, // jitter is clamped
		{2, time.Hour, 0.5, time.Hour, true},     // Retry-After longer than the schedule wins
		{2, time.Second, 0.5, 5 * time.Minute, true},
		{0, 0, 0.5, 0, false},
		{delivery.MaxAttempts(), 0, 0.5, 0, false},
	}
	for _, tt := range tests {
		got, more := delivery.NextWait(tt.n, tt.retryAfter, tt.jitter)
		if got != tt.want || more != tt.more {
			t.Errorf("NextWait(%d, %s, %v) = %s, %v; want %s, %v", tt.n, tt.retryAfter, tt.jitter, got, more, tt.want, tt.more)
		}
	}
}
