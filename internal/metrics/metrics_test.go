package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMetricsAreServed(t *testing.T) {
	t.Parallel()
	m := New()
	m.Webhook("lever", "accepted")
	m.Webhook("lever", "accepted")
	m.Job("write_back", "retry")

	ats := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer ats.Close()
	client := &http.Client{Transport: m.Transport(http.DefaultTransport)}
	resp, err := client.Get(ats.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	host := strings.TrimPrefix(ats.URL, "http://")
	for _, want := range []string{
		`switchboard_webhooks_total{outcome="accepted",provider="lever"} 2`,
		`switchboard_jobs_total{kind="write_back",outcome="retry"} 1`,
		`switchboard_ats_request_duration_seconds_count{code="429",host="` + host + `"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
