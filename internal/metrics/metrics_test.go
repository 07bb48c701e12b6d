package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func scrape(t *testing.T, h http.Handler, auth string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

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
	client := &http.Client{Transport: m.Transport(http.DefaultTransport, func(*http.Request) string { return "lever" })}
	resp, err := client.Get(ats.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	_, body := scrape(t, m.Handler(""), "")
	for _, want := range []string{
		`switchboard_webhooks_total{outcome="accepted",provider="lever"} 2`,
		`switchboard_jobs_total{kind="write_back",outcome="retry"} 1`,
		`switchboard_ats_request_duration_seconds_count{code="429",provider="lever"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestCallLabelsAreBounded: calls to many hosts (which tenants choose) make
// one series per provider and status, never one per host.
func TestCallLabelsAreBounded(t *testing.T) {
	t.Parallel()
	m := New()
	var providers = map[string]string{}
	tr := m.Transport(http.DefaultTransport, func(r *http.Request) string { return providers[r.URL.Host] })
	client := &http.Client{Transport: tr}
	const hosts = 12
	for i := range hosts {
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		if i%2 == 0 {
			providers[strings.TrimPrefix(srv.URL, "http://")] = "smartrecruiters"
		}
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		srv.Close()
	}
	_, body := scrape(t, m.Handler(""), "")
	var series []string
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "switchboard_ats_request_duration_seconds_count") {
			series = append(series, line)
		}
	}
	want := []string{
		`switchboard_ats_request_duration_seconds_count{code="200",provider="other"} 6`,
		`switchboard_ats_request_duration_seconds_count{code="200",provider="smartrecruiters"} 6`,
	}
	if strings.Join(series, "\n") != strings.Join(want, "\n") {
		t.Errorf("call series:\n%s\nwant:\n%s", strings.Join(series, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(body, "127.0.0.1") {
		t.Error("a host appears in the metrics")
	}
}

func TestMetricsToken(t *testing.T) {
	t.Parallel()
	h := New().Handler("s3cret-metrics-token")
	for _, tc := range []struct {
		auth string
		want int
	}{
		{"", http.StatusUnauthorized},
		{"Bearer wrong", http.StatusUnauthorized},
		{"s3cret-metrics-token", http.StatusUnauthorized},
		{"Basic s3cret-metrics-token", http.StatusUnauthorized},
		{"Bearer s3cret-metrics-token", http.StatusOK},
	} {
		code, body := scrape(t, h, tc.auth)
		if code != tc.want {
			t.Errorf("Authorization %q: %d, want %d", tc.auth, code, tc.want)
		}
		if code != http.StatusOK && strings.Contains(body, "go_goroutines") {
			t.Errorf("Authorization %q: metrics served with a refusal", tc.auth)
		}
	}
}

// TestHelpNamesEveryOutcome: each counter's help lists every value its
// outcome label takes, so a reader of /metrics knows them all.
func TestHelpNamesEveryOutcome(t *testing.T) {
	t.Parallel()
	m := New()
	m.Job("write_back", "done")
	m.Webhook("lever", "accepted")
	_, body := scrape(t, m.Handler(""), "")
	help := func(name string) string {
		for _, line := range strings.Split(body, "\n") {
			if strings.HasPrefix(line, "# HELP "+name+" ") {
				return line
			}
		}
		t.Fatalf("no help for %s", name)
		return ""
	}
	for name, outcomes := range map[string][]string{
		"switchboard_jobs_total":     {"done", "retry", "waiting", "gave_up"},
		"switchboard_webhooks_total": {"accepted", "duplicate", "ignored", "refused", "error"},
	} {
		h := help(name)
		for _, o := range outcomes {
			if !strings.Contains(h, o) {
				t.Errorf("%s help lacks %q: %s", name, o, h)
			}
		}
	}
}
