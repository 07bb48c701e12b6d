// Package metrics exposes Switchboard's Prometheus metrics at /metrics:
// webhooks by outcome, jobs by outcome, and every outbound ATS call by host
// and status, with its latency. Each App has its own registry, so tests and
// the demo never share counters.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

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
			Help: "Inbound ATS webhooks by provider and outcome (accepted, duplicate, ignored, refused).",
		}, []string{"provider", "outcome"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_jobs_total",
			Help: "Job runs by kind and outcome (done, retry, gave_up).",
		}, []string{"kind", "outcome"}),
		calls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "switchboard_ats_request_duration_seconds",
			Help:    "Outbound calls to ATSs by host and status code (0: no response).",
			Buckets: prometheus.DefBuckets,
		}, []string{"host", "code"}),
	}
	m.reg.MustRegister(m.webhooks, m.jobs, m.calls,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Webhook counts one inbound webhook.
func (m *Metrics) Webhook(provider, outcome string) {
	m.webhooks.WithLabelValues(provider, outcome).Inc()
}

// Job counts one job run.
func (m *Metrics) Job(kind, outcome string) {
	m.jobs.WithLabelValues(kind, outcome).Inc()
}

// Transport wraps base so that every outbound ATS call is observed.
func (m *Metrics) Transport(base http.RoundTripper) http.RoundTripper {
	return roundTripper{m: m, base: base}
}

type roundTripper struct {
	m    *Metrics
	base http.RoundTripper
}

func (t roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	code := 0
	if err == nil {
		code = resp.StatusCode
	}
	t.m.calls.WithLabelValues(req.URL.Host, strconv.Itoa(code)).Observe(time.Since(start).Seconds())
	return resp, err
}
