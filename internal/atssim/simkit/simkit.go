// Package simkit holds what every ATS simulator needs alike: a token bucket
// per credential driven by the simulator's clock (so tests decide exactly
// when tokens come back), a record of arrivals to check a client's pace,
// injected failures for chosen requests, and the status a request no route
// matched should get, for answering it in the ATS's own error format.
package simkit

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
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

// Arrivals records when each key's requests arrived, so that a test can
// check a client's pace as an independent rate checker would: by the most
// requests of one key within any window of a given length. They are not
// safe for concurrent use: the simulator calls them under its own lock.
type Arrivals struct {
	m map[string][]time.Time
}

// Add records a request of key at t.
func (a *Arrivals) Add(key string, t time.Time) {
	if a.m == nil {
		a.m = map[string][]time.Time{}
	}
	a.m[key] = append(a.m[key], t)
}

// MaxIn is the most requests of any one key that arrived within a window
// of length d (from an arrival, up to but excluding d later).
func (a *Arrivals) MaxIn(d time.Duration) int {
	most := 0
	for _, ts := range a.m {
		ts = slices.Clone(ts)
		slices.SortFunc(ts, time.Time.Compare)
		j := 0
		for i := range ts {
			for ts[i].Sub(ts[j]) >= d {
				j++
			}
			most = max(most, i-j+1)
		}
	}
	return most
}

// Fault is an injected failure: the answer Status (a 4xx or 5xx), with
// Retry-After when RetryAfter > 0, for the requests Match accepts (nil: any).
// body is the start of the request's body (PeekBody).
type Fault struct {
	Status     int
	RetryAfter time.Duration
	Match      func(r *http.Request, body []byte) bool
}

// Faults are injected failures waiting for their requests, answered in the
// order they were added. They are not safe for concurrent use: the
// simulator calls them under its own lock.
type Faults struct {
	q []*queuedFault
	// standing answers every matching request the queue does not (an
	// outage), until cleared.
	standing *Fault
}

type queuedFault struct {
	Fault
	left *int          // of the same Add, not yet answered
	done chan struct{} // closed when the last of the same Add is answered
}

// Add queues n answers of f. The channel is closed once the last of them
// was taken, so a test can act at exactly that point.
func (fs *Faults) Add(n int, f Fault) <-chan struct{} {
	if f.Status < 400 || f.Status > 599 {
		panic(fmt.Sprintf("simkit: fault status %d is not a 4xx or 5xx", f.Status))
	}
	done := make(chan struct{})
	left := n
	if n <= 0 {
		close(done)
	}
	for range n {
		fs.q = append(fs.q, &queuedFault{Fault: f, left: &left, done: done})
	}
	return done
}

// SetStanding makes f the answer to every request it matches that no
// queued fault takes, however many, until SetStanding(nil): an outage that
// lasts until the test ends it, not for a counted number of requests.
func (fs *Faults) SetStanding(f *Fault) {
	if f != nil && (f.Status < 400 || f.Status > 599) {
		panic(fmt.Sprintf("simkit: fault status %d is not a 4xx or 5xx", f.Status))
	}
	fs.standing = f
}

// Take removes and returns the first queued fault that matches r, or else
// the standing fault when it matches.
func (fs *Faults) Take(r *http.Request, body []byte) (Fault, bool) {
	for i, f := range fs.q {
		if f.Match == nil || f.Match(r, body) {
			fs.q = slices.Delete(fs.q, i, i+1)
			if *f.left--; *f.left == 0 {
				close(f.done)
			}
			return f.Fault, true
		}
	}
	if f := fs.standing; f != nil && (f.Match == nil || f.Match(r, body)) {
		return *f, true
	}
	return Fault{}, false
}

// Header sets the fault's Retry-After on h, in whole seconds rounded up.
func (f Fault) Header(h http.Header) {
	if f.RetryAfter > 0 {
		h.Set("Retry-After", strconv.FormatInt(int64((f.RetryAfter+time.Second-1)/time.Second), 10))
	}
}

// PeekBody reads up to n bytes of r's body for matching faults, and leaves
// the body whole for the handler.
func PeekBody(r *http.Request, n int64) []byte {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	head, _ := io.ReadAll(io.LimitReader(r.Body, n))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
	return head
}
