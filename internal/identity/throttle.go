package identity

import (
	"fmt"
	"math"
	"net/netip"
	"sync"
	"time"
)

// throttlePolicy says how a key's failed sign-ins slow the next attempt: the
// first free ones not at all, then a wait that doubles with each failure up
// to max. A key with no failure for forget starts afresh.
type throttlePolicy struct {
	free   int
	base   time.Duration
	max    time.Duration
	forget time.Duration
}

// The address allows more failures than one email does, because many people
// can sign in from behind one address (an office, a proxy).
var (
	emailThrottle = throttlePolicy{free: 5, base: time.Second, max: 5 * time.Minute, forget: time.Hour}
	addrThrottle  = throttlePolicy{free: 20, base: time.Second, max: 15 * time.Minute, forget: time.Hour}
)

// throttleAddr is the client address a throttle counts: an IPv6 address by
// its /64, which one client usually holds whole.
func throttleAddr(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil || !ip.Is6() || ip.Is4In6() {
		return addr
	}
	p, err := ip.Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}

func (p throttlePolicy) delay(failures int) time.Duration {
	n := failures - p.free
	if n <= 0 {
		return 0
	}
	if n > 30 {
		return p.max
	}
	return min(p.base<<(n-1), p.max)
}

// maxThrottleEntries bounds the throttle's memory; past it, keys that do not
// hold anyone back are dropped first.
const maxThrottleEntries = 100_000

// signInThrottle counts failed sign-ins per email and per client address, in
// memory: each process counts its own.
//
// An attempt is counted as failed when it starts and forgiven when it
// succeeds, so a burst of concurrent guesses cannot all pass the check
// before the first failure is recorded.
type signInThrottle struct {
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]*throttleEntry
}

type throttleEntry struct {
	policy   throttlePolicy
	failures int
	last     time.Time // of the latest failure
}

func newSignInThrottle(now func() time.Time) *signInThrottle {
	return &signInThrottle{now: now, entries: map[string]*throttleEntry{}}
}

// ThrottledError refuses a sign-in attempt without checking the password.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins; try again in %s", e.RetryAfter.Round(time.Second))
}

// RetryAfterSeconds is the wait in whole seconds, rounded up, for a
// Retry-After header.
func (e *ThrottledError) RetryAfterSeconds() int { return int(math.Ceil(e.RetryAfter.Seconds())) }

// attempt refuses with the longest wait any of the keys is under, or counts
// the attempt as failed for each of them.
func (t *signInThrottle) attempt(keys map[string]throttlePolicy) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for k := range keys {
		if e := t.live(k, now); e != nil {
			wait = max(wait, e.last.Add(e.policy.delay(e.failures)).Sub(now))
		}
	}
	if wait > 0 {
		return &ThrottledError{RetryAfter: wait}
	}
	for k, p := range keys {
		e := t.live(k, now)
		if e == nil {
			t.makeRoom(now)
			e = &throttleEntry{policy: p}
			t.entries[k] = e
		}
		e.failures++
		e.last = now
	}
	return nil
}

// succeeded forgives the attempt: the email starts afresh, the address gets
// back the failure the attempt was counted as.
func (t *signInThrottle) succeeded(emailKey, addrKey string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, emailKey)
	if e, ok := t.entries[addrKey]; ok {
		e.failures--
		if e.failures <= 0 {
			delete(t.entries, addrKey)
		}
	}
}

// live returns k's entry unless it has been forgotten.
func (t *signInThrottle) live(k string, now time.Time) *throttleEntry {
	e, ok := t.entries[k]
	if !ok {
		return nil
	}
	if now.Sub(e.last) >= e.policy.forget {
		delete(t.entries, k)
		return nil
	}
	return e
}

func (t *signInThrottle) makeRoom(now time.Time) {
	if len(t.entries) < maxThrottleEntries {
		return
	}
	for k, e := range t.entries {
		if now.Sub(e.last) >= e.policy.forget || !now.Before(e.last.Add(e.policy.delay(e.failures))) {
			delete(t.entries, k)
		}
	}
}
