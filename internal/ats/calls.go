package ats

import (
	"context"
	"net/http"
	"time"
)

// Call is one outbound HTTP request to an ATS, as the order timeline shows it.
type Call struct {
	Method   string
	Path     string
	Status   int // 0 when no response arrived
	Err      string
	Duration time.Duration
}

type recorderKey struct{}

// WithCallRecorder returns a context under which every request made through a
// RecordingTransport is reported to record, so that each ATS call and retry of
// a job lands on the order's timeline without connectors knowing about it.
func WithCallRecorder(ctx context.Context, record func(Call)) context.Context {
	return context.WithValue(ctx, recorderKey{}, record)
}

// RecordingTransport reports each round trip to the recorder in the request's
// context, if any. URLs are reported without their query, which may carry
// secrets.
type RecordingTransport struct {
	Base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t RecordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	start := time.Now()
	resp, err := base.RoundTrip(req)
	if record, ok := req.Context().Value(recorderKey{}).(func(Call)); ok {
		c := Call{Method: req.Method, Path: req.URL.Path, Duration: time.Since(start)}
		if err != nil {
			c.Err = err.Error()
		} else {
			c.Status = resp.StatusCode
		}
		record(c)
	}
	return resp, err
}

type providerKey struct{}

// ProviderClient returns a copy of c whose requests say, in their context,
// which connector makes them (ProviderOf), so that instrumentation labels
// calls by ATS rather than by a host a tenant chose.
func ProviderClient(c *http.Client, provider string) *http.Client {
	cc := *c
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cc.Transport = providerTransport{base: base, provider: provider}
	return &cc
}

// ProviderOf is the provider a request was made for through a
// ProviderClient, or "".
func ProviderOf(ctx context.Context) string {
	p, _ := ctx.Value(providerKey{}).(string)
	return p
}

type providerTransport struct {
	base     http.RoundTripper
	provider string
}

func (t providerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.base.RoundTrip(req.WithContext(context.WithValue(req.Context(), providerKey{}, t.provider)))
}
