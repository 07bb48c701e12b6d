package atshttp

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// WindowLimit allows at most N requests to start in any rolling window of
// length W, by start time: a sliding log, in which the next request may
// start once the N-th previous one started at least W ago. Unlike a token
// bucket, which must be paced under an ATS's "N a second" to never exceed
// it in any one second, a sliding log can run at N per W steadily and still
// never have N+1 in any W.
//
// Gap, when set, also keeps consecutive starts at least Gap apart. A log
// alone lets N requests go at one instant, and the next then waits a whole
// W; when W is longer than MaxInCallWait that wait is a *WaitError, so a
// caller would be sent away every window. Spreading a burst over (N-1)·Gap
// shortens the wait of whoever follows it by as much.
//
// It is safe for concurrent use.
type WindowLimit struct {
	n      int
	window time.Duration
	gap    time.Duration

	mu     sync.Mutex
	starts []time.Time // ascending: every start (past or reserved) younger than window
	last   time.Time   // the latest start, for Gap
}

// NewWindowLimit returns a limit of n starts in any window, at least gap
// apart. n < 1 allows no request at all; window <= 0 leaves only the gap.
func NewWindowLimit(n int, window, gap time.Duration) *WindowLimit {
	return &WindowLimit{n: n, window: window, gap: gap}
}

// Wait takes the next start the limit allows, reading time from now and
// waiting for it through sleep. A start further off than MaxInCallWait is
// not taken and a *WaitError says when to come back; a start whose wait is
// cut short (ctx) is handed back.
func (l *WindowLimit) Wait(ctx context.Context, now func() time.Time, sleep func(context.Context, time.Duration) error) error {
	_, err := l.wait(ctx, now, sleep)
	return err
}

// wait is Wait, saying which start it took.
func (l *WindowLimit) wait(ctx context.Context, now func() time.Time, sleep func(context.Context, time.Duration) error) (time.Time, error) {
	if l.n < 1 {
		return time.Time{}, errors.New("rate limit: no request is ever allowed")
	}
	t := now()
	at, ok := l.reserve(t)
	if d := at.Sub(t); !ok {
		return time.Time{}, &WaitError{Wait: d}
	} else if d > 0 {
		if err := sleep(ctx, d); err != nil {
			l.cancel(at)
			return time.Time{}, err
		}
	}
	return at, nil
}

// Acquire implements Limiter.
func (l *WindowLimit) Acquire(ctx context.Context, _ Request, now func() time.Time, sleep func(context.Context, time.Duration) error) (func(), error) {
	if err := l.Wait(ctx, now, sleep); err != nil {
		return nil, err
	}
	return func() {}, nil
}

// reserve finds the earliest start allowed at or after t and records it,
// unless it is more than MaxInCallWait off (false).
func (l *WindowLimit) reserve(t time.Time) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.window > 0 {
		// Starts at or before t-window can no longer share a window with
		// one at t or later.
		old := 0
		for old < len(l.starts) && !l.starts[old].After(t.Add(-l.window)) {
			old++
		}
		l.starts = slices.Delete(l.starts, 0, old)
	}
	at := t
	if !l.last.IsZero() && l.gap > 0 {
		at = later(at, l.last.Add(l.gap))
	}
	if l.window > 0 && len(l.starts) >= l.n {
		at = later(at, l.starts[len(l.starts)-l.n].Add(l.window))
	}
	if at.Sub(t) > MaxInCallWait {
		return at, false
	}
	// at is never before the latest start (it is at or after last+gap, or
	// after a start of the log), so the log stays in order.
	if l.window > 0 {
		l.starts = append(l.starts, at)
	}
	l.last = later(l.last, at)
	return at, true
}

// cancel hands back a reserved start that was not used. Every start
// reserved after it stays where it is: they were placed with it in the log,
// so without it they are only further apart.
func (l *WindowLimit) cancel(at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := slices.IndexFunc(l.starts, at.Equal); i >= 0 {
		l.starts = slices.Delete(l.starts, i, i+1)
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
