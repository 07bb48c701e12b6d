// Package metrics exposes Switchboard's Prometheus metrics at /metrics:
// webhooks by outcome, jobs by outcome, and every outbound ATS call by
// provider and status, with its latency. Labels come from bounded sets only
// (never a host, which a tenant sets), so no one can grow the series. Each
// App has its own registry, so tests and the demo never share counters.
package metrics

import (
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Job outcomes: the values of switchboard_jobs_total's outcome label.
const (
	JobDone    = "done"
	JobRetry   = "retry"   // failed; runs again later
	JobWaiting = "waiting" // snoozed: its order's write-back or its integration's share of the workers was taken
	JobGaveUp  = "gave_up" // failed for good (refused, a configuration to fix, or out of attempts)
)

// JobOutcomes lists every job outcome.
var JobOutcomes = []string{JobDone, JobRetry, JobWaiting, JobGaveUp}

// Webhook outcomes: the values of switchboard_webhooks_total's outcome label.
const (
	WebhookAccepted  = "accepted"
	WebhookDuplicate = "duplicate" // verified, already stored
	WebhookIgnored   = "ignored"
	WebhookRefused   = "refused"
	WebhookError     = "error" // Switchboard could not take it (the sender retries)
)

// WebhookOutcomes lists every webhook outcome.
var WebhookOutcomes = []string{WebhookAccepted, WebhookDuplicate, WebhookIgnored, WebhookRefused, WebhookError}

// Metrics is one process's set of metrics.
type Metrics struct {
	reg      *prometheus.Registry
	webhooks *prometheus.CounterVec
	jobs     *prometheus.CounterVec
	calls    *prometheus.HistogramVec
}

// New registers the metrics, with the Go runtime's and the process's.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_webhooks_total",
			Help: "Inbound ATS webhooks by provider and outcome (" + strings.Join(WebhookOutcomes, ", ") + ").",
		}, []string{"provider", "outcome"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_jobs_total",
			Help: "Job runs by kind and outcome (" + strings.Join(JobOutcomes, ", ") + "; waiting: snoozed until its order's write-back or its integration's share of the workers is free).",
		}, []string{"kind", "outcome"}),
		calls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "switchboard_ats_request_duration_seconds",
			Help:    "Outbound calls to ATSs by provider (other: not an ATS call) and status code (0: no response).",
			Buckets: prometheus.DefBuckets,
		}, []string{"provider", "code"}),
	}
	m.reg.MustRegister(m.webhooks, m.jobs, m.calls,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus' text format. With a token, a
// scrape must send it as "Authorization: Bearer <token>".
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	want := sha256.Sum256([]byte("Bearer " + token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Hashes, so the comparison takes as long whatever was sent.
		got := sha256.Sum256([]byte(r.Header.Get("Authorization")))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need the token: Authorization: Bearer <--metrics-token>", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Webhook counts one inbound webhook.
func (m *Metrics) Webhook(provider, outcome string) {
	m.webhooks.WithLabelValues(provider, outcome).Inc()
}

// Job counts one job run.
func (m *Metrics) Job(kind, outcome string) {
	m.jobs.WithLabelValues(kind, outcome).Inc()
}

// Transport wraps base so that every outbound call is observed, labelled by
// what provider says the request is for ("" counts as "other"). provider
// must answer from a bounded set.
func (m *Metrics) Transport(base http.RoundTripper, provider func(*http.Request) string) http.RoundTripper {
	return roundTripper{m: m, base: base, provider: provider}
}

type roundTripper struct {
	m        *Metrics
	base     http.RoundTripper
	provider func(*http.Request) string
}

func (t roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	code := 0
	if err == nil {
		code = resp.StatusCode
	}
	p := cmp.Or(t.provider(req), "other")
	t.m.calls.WithLabelValues(p, strconv.Itoa(code)).Observe(time.Since(start).Seconds())
	return resp, err
}
