// Package simkit holds what every ATS simulator needs alike: a token bucket
// per credential driven by the simulator's clock (so tests decide exactly
// when tokens come back), and the status a request no route matched should
// get, for answering it in the ATS's own error format.
package simkit

import (
	"net/http"
	"time"
)

// Buckets are per-key token buckets on an injected clock. They are not safe
// for concurrent use: the simulator calls them under its own lock.
type Buckets struct {
	rps   float64
	burst int
	now   func() time.Time
	m     map[string]*bucket
}

type bucket struct {
	tokens float64
	last   int64 // clock reading in ns at the last refill
}

// NewBuckets makes buckets of burst tokens refilling at rps; rps <= 0 means
// no limit.
func NewBuckets(rps float64, burst int, now func() time.Time) *Buckets {
	return &Buckets{rps: rps, burst: max(burst, 1), now: now, m: map[string]*bucket{}}
}

func (b *Buckets) refill(key string) *bucket {
	now := b.now().UnixNano()
	k := b.m[key]
	if k == nil {
		k = &bucket{tokens: float64(b.burst), last: now}
		b.m[key] = k
	}
	if elapsed := now - k.last; elapsed > 0 { // a clock moved backwards refills nothing
		k.tokens = min(float64(b.burst), k.tokens+float64(elapsed)/1e9*b.rps)
		k.last = now
	}
	return k
}

// Take spends one token of key's bucket; when it is empty it reports how
// long until the next token.
func (b *Buckets) Take(key string) (wait time.Duration, ok bool) {
	if b.rps <= 0 {
		return 0, true
	}
	k := b.refill(key)
	// The epsilon absorbs float error, e.g. 0.1 s × 10/s landing just under 1.
	if k.tokens < 1-1e-9 {
		return time.Duration((1 - k.tokens) / b.rps * 1e9), false
	}
	k.tokens = max(k.tokens-1, 0)
	return 0, true
}

// Remaining is the whole tokens left in key's bucket.
func (b *Buckets) Remaining(key string) int {
	if b.rps <= 0 {
		return b.burst
	}
	return int(b.refill(key).tokens + 1e-9)
}

// Unrouted says how mux answers a request no route matched: 404, or 405 with
// the methods to Allow. The simulator then answers with that status in its
// ATS's error body rather than the mux's plain text.
func Unrouted(mux *http.ServeMux, r *http.Request) (status int, allow string) {
	h, _ := mux.Handler(r)
	p := &probe{header: http.Header{}}
	h.ServeHTTP(p, r)
	if p.status == http.StatusMethodNotAllowed {
		return http.StatusMethodNotAllowed, p.header.Get("Allow")
	}
	return http.StatusNotFound, p.header.Get("Allow")
}

// probe records the status and headers the mux's fallback handler writes.
type probe struct {
	header http.Header
	status int
}

func (p *probe) Header() http.Header         { return p.header }
func (p *probe) Write(b []byte) (int, error) { return len(b), nil }
func (p *probe) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}
