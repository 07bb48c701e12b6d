package workable

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"switchboard/internal/ats/atshttp"
)

// Workable counts an account token's requests in 10-second windows and
// allows 10 in each [V]. Switchboard paces one request a second with no
// burst: at most 10 in any 10 seconds, and no wait between two requests of
// one job longer than atshttp.MaxInCallWait, so that a validation or a
// write-back of a few calls finishes in one go. The margin is Workable's
// own word: when a response says no request remains in the window
// (X-Rate-Limit-Remaining: 0), the next waits for X-Rate-Limit-Reset, and a
// 429's Retry-After is kept the same way, so requests that left a second
// apart but arrived bunched never make an eleventh.
const (
	Window     = 10 * time.Second
	WindowMax  = 10
	PaceRate   = 1 // requests per second
	PaceBurst  = 1
	maxBlocked = time.Hour // a Reset or Retry-After further off is not believed
)

// Limits is one token's share of Workable's limit: the pace, and what the
// last responses said of the window. Every client acting with one token
// must share one (Pool). It is safe for concurrent use.
type Limits struct {
	bucket *rate.Limiter
	mu     sync.Mutex
	until  time.Time // no request before this: the window is spent
}

// NewLimits returns limits pacing r requests a second with burst b.
func NewLimits(r float64, b int) *Limits {
	return &Limits{bucket: rate.NewLimiter(rate.Limit(r), max(b, 1))}
}

// DefaultLimits are Workable's account-token limits as Switchboard keeps them.
func DefaultLimits() *Limits { return NewLimits(PaceRate, PaceBurst) }

// NewPool returns a pool of DefaultLimits, one per token.
func NewPool() *atshttp.Pool[*Limits] { return atshttp.NewPool(DefaultLimits) }

var (
	_ atshttp.Limiter          = (*Limits)(nil)
	_ atshttp.ResponseObserver = (*Limits)(nil)
)

// Acquire implements atshttp.Limiter: first the window Workable said is
// spent, then the pace; a wait longer than atshttp.MaxInCallWait is a
// *atshttp.WaitError saying how long.
func (l *Limits) Acquire(ctx context.Context, _ atshttp.Request, now func() time.Time, sleep func(context.Context, time.Duration) error) (func(), error) {
	l.mu.Lock()
	until := l.until
	l.mu.Unlock()
	if d := until.Sub(now()); d > 0 {
		if d > atshttp.MaxInCallWait {
			return nil, &atshttp.WaitError{Wait: d}
		}
		if err := sleep(ctx, d); err != nil {
			return nil, err
		}
	}
	if err := atshttp.Pace(ctx, l.bucket, now, sleep); err != nil {
		return nil, err
	}
	return func() {}, nil
}

// Observe implements atshttp.ResponseObserver: X-Rate-Limit-Remaining 0
// holds requests until X-Rate-Limit-Reset, and a 429 until its Retry-After
// (or, without one, the reset; or else a whole window).
func (l *Limits) Observe(status int, h http.Header, now time.Time) {
	var until time.Time
	reset, hasReset := parseReset(h.Get(HeaderReset), now)
	if rem, err := strconv.Atoi(strings.TrimSpace(h.Get(HeaderRemaining))); err == nil && rem <= 0 && hasReset {
		until = reset
	}
	if status == http.StatusTooManyRequests {
		switch ra := atshttp.ParseRetryAfter(h.Get("Retry-After"), now); {
		case ra > 0:
			until = later(until, now.Add(min(ra, maxBlocked)))
		case hasReset:
			until = later(until, reset)
		default:
			until = later(until, now.Add(Window))
		}
	}
	if until.IsZero() {
		return
	}
	l.mu.Lock()
	l.until = later(l.until, until)
	l.mu.Unlock()
}

// parseReset reads X-Rate-Limit-Reset, the start of the next window in Unix
// seconds [I] (an HTTP date is read too); false when absent, unreadable, or
// in the past or implausibly far off.
func parseReset(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	var t time.Time
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 || secs > now.Add(maxBlocked).Unix() {
			return time.Time{}, false
		}
		t = time.Unix(secs, 0)
	} else if d, err := http.ParseTime(v); err == nil {
		t = d
	} else {
		return time.Time{}, false
	}
	if !t.After(now) || t.Sub(now) > maxBlocked {
		return time.Time{}, false
	}
	return t, true
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
