package workable

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"switchboard/internal/ats/atshttp"
)

// Workable counts an account token's requests in 10-second windows and
// allows 10 in each [V]. Switchboard sends one request of a token at a time
// and the next no sooner than Spacing after the last answer arrived: every
// request then reaches Workable at least Spacing after the one before it,
// however the network delays either, so no 10 seconds ever see more than
// 10. Workable's own word is kept on top: when a response says no request
// remains in the window (X-Rate-Limit-Remaining: 0) the next waits for
// X-Rate-Limit-Reset, and a 429 for its Retry-After. A wait, for the pace or
// for the request in flight, of more than atshttp.MaxInCallWait ends the
// call with a *atshttp.WaitError (the job is snoozed).
const (
	Window     = 10 * time.Second
	WindowMax  = 10
	Spacing    = Window / WindowMax
	maxBlocked = time.Hour // a Reset or Retry-After further off is not believed
)

// Limits is one token's share of Workable's limit. Every client acting with
// one token must share one (NewPool). It is safe for concurrent use.
type Limits struct {
	spacing time.Duration
	slot    chan struct{} // one request in flight
	mu      sync.Mutex
	last    time.Time // when the last answer arrived
	until   time.Time // no request before this: Workable said the window is spent
}

// NewLimits returns limits spacing requests by spacing.
func NewLimits(spacing time.Duration) *Limits {
	return &Limits{spacing: spacing, slot: make(chan struct{}, 1)}
}

// DefaultLimits are Workable's account-token limits as Switchboard keeps them.
func DefaultLimits() *Limits { return NewLimits(Spacing) }

// NewPool returns a pool of DefaultLimits, one per token.
func NewPool() *atshttp.Pool[*Limits] { return atshttp.NewPool(DefaultLimits) }

var (
	_ atshttp.Limiter          = (*Limits)(nil)
	_ atshttp.ResponseObserver = (*Limits)(nil)
)

// Acquire implements atshttp.Limiter: the token's one slot, then the pace
// and the window Workable said is spent. release records when the answer
// arrived and frees the slot.
func (l *Limits) Acquire(ctx context.Context, _ atshttp.Request, now func() time.Time, sleep func(context.Context, time.Duration) error) (func(), error) {
	t := time.NewTimer(atshttp.MaxInCallWait)
	defer t.Stop()
	select {
	case l.slot <- struct{}{}:
	case <-t.C:
		// Another request of the token is in flight, and slow.
		return nil, &atshttp.WaitError{Wait: l.spacing}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release := func() {
		l.mu.Lock()
		l.last = later(l.last, now())
		l.mu.Unlock()
		<-l.slot
	}
	l.mu.Lock()
	next := l.until
	if !l.last.IsZero() {
		next = later(next, l.last.Add(l.spacing))
	}
	l.mu.Unlock()
	if d := next.Sub(now()); d > 0 {
		if d > atshttp.MaxInCallWait {
			<-l.slot
			return nil, &atshttp.WaitError{Wait: d}
		}
		if err := sleep(ctx, d); err != nil {
			<-l.slot
			return nil, err
		}
	}
	return release, nil
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
