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
