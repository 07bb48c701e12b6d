// Package budget shares an ATS's limits between every client of one
// credential, in one process (Memory) or across replicas on one PostgreSQL
// database (Postgres): how many requests may start in any window, and how
// many may be in flight at once.
//
// A Budget never sleeps. Take either grants a start, at most maxWait ahead,
// which the caller waits for itself, or says how long to come back after
// (a *WaitError), so a caller whose wait is long snoozes its job instead of
// holding a worker (atshttp.MaxInCallWait is the usual maxWait).
package budget

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Limit is what one key may spend. Every taker of one key must pass the
// same Limit: the log and slots are kept per key, the Limit is not.
type Limit struct {
	// N starts are allowed in any rolling Window, by start time (a sliding
	// log). N <= 0 means no rate is kept (only the slots).
	N      int
	Window time.Duration
	// Gap keeps consecutive starts at least Gap apart, spreading a burst
	// (see atshttp.WindowLimit).
	Gap time.Duration
	// Slots, when > 0, is how many requests may be in flight at once. A
	// slot is held until its release or until Lease has passed since it
	// was taken, so a replica that dies gives its slots back.
	Slots int
	Lease time.Duration
}

// DefaultLease is the lease of a slot when Limit.Lease is zero: longer than
// any one attempt of an outbound call.
const DefaultLease = time.Minute

// SlotRetry is the longest a taker is told to wait for a busy slot: a slot
// is usually released well before its lease ends, and no one is notified.
const SlotRetry = 20 * time.Millisecond

// Budget is a shared store of Limits by key (a credential's hash).
type Budget interface {
	// Take takes, for key at now, one start under lim's rate and, if
	// lim.Slots > 0, one slot, both or neither. A start more than maxWait
	// after now is not taken: the error is a *WaitError.
	Take(ctx context.Context, key string, lim Limit, now time.Time, maxWait time.Duration) (Grant, error)
}

// Grant is a start taken.
type Grant struct {
	// Start is when the request may start: now or up to maxWait later.
	Start time.Time
	// Release gives back the slot (a no-op without one). It must be called
	// once the response is read; calling it again does nothing.
	Release func(context.Context) error
}

// WaitError says that nothing was taken and when to try again.
type WaitError struct {
	Wait time.Duration
	// Slot is true when every slot was busy (Wait is then a hint, at most
	// SlotRetry or until the earliest lease ends), false for the rate.
	Slot bool
}

func (e *WaitError) Error() string {
	if e.Slot {
		return fmt.Sprintf("budget: every in-flight slot is busy; retry in %v", e.Wait)
	}
	return fmt.Sprintf("budget: rate limit; retry in %v", e.Wait)
}

func (l Limit) check() error {
	switch {
	case l.N > 0 && l.Window <= 0 && l.Gap <= 0:
		return errors.New("budget: a rate needs a window or a gap")
	case l.N <= 0 && l.Slots <= 0:
		return errors.New("budget: a limit needs a rate or slots")
	case l.Lease < 0 || l.Window < 0 || l.Gap < 0:
		return errors.New("budget: negative duration in limit")
	}
	return nil
}

func (l Limit) lease() time.Duration {
	if l.Lease == 0 {
		return DefaultLease
	}
	return l.Lease
}

// reserve finds the earliest start lim allows at or after now, given the
// ascending log of starts (past or reserved) and the latest start. It
// returns the start, the log to keep (without starts that can no longer
// share a window with one at now or later, plus the new one) and false,
// with nothing recorded, when the start is more than maxWait off. Memory
// and Postgres share it, so both keep exactly one rule.
func reserve(lim Limit, starts []time.Time, last, now time.Time, maxWait time.Duration) (time.Time, []time.Time, bool) {
	if lim.N <= 0 {
		return now, nil, true
	}
	if lim.Window > 0 {
		old := 0
		for old < len(starts) && !starts[old].After(now.Add(-lim.Window)) {
			old++
		}
		starts = slices.Delete(starts, 0, old)
	} else {
		starts = nil
	}
	// A start is never before the latest one: the takers' clocks (replicas)
	// and the order of their takes need not agree, and the log stays
	// ascending.
	at := later(now, last)
	if !last.IsZero() && lim.Gap > 0 {
		at = later(at, last.Add(lim.Gap))
	}
	if lim.Window > 0 && len(starts) >= lim.N {
		at = later(at, starts[len(starts)-lim.N].Add(lim.Window))
	}
	if at.Sub(now) > maxWait {
		return at, starts, false
	}
	if lim.Window > 0 {
		// at is at or after every start in the log, so it stays ascending;
		// only the last N can matter to a later start.
		starts = append(starts, at)
		if len(starts) > lim.N {
			starts = slices.Delete(starts, 0, len(starts)-lim.N)
		}
	}
	return at, starts, true
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// slotWait is how long a taker who found every slot busy is told to wait:
// until the earliest lease ends, at most SlotRetry.
func slotWait(earliest, now time.Time) time.Duration {
	return max(min(earliest.Sub(now), SlotRetry), 0)
}
