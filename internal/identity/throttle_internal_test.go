package identity

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestSignInThrottleBackoff(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	th := newSignInThrottle(clk.now)
	keys := func(email, addr string) map[string]throttlePolicy {
		return map[string]throttlePolicy{"email:" + email: emailThrottle, "addr:" + addr: addrThrottle}
	}
	wait := func(err error) time.Duration {
		var te *ThrottledError
		if errors.As(err, &te) {
			return te.RetryAfter
		}
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return 0
	}

	// Five failures for one email pass without a wait; the sixth attempt
	// passes too but makes the next wait 1 s, then 2 s, 4 s...
	for i := range emailThrottle.free + 1 {
		if w := wait(th.attempt(keys("ann@example.com", "10.0.0.1"))); w != 0 {
			t.Fatalf("attempt %d waited %s", i+1, w)
		}
	}
	for _, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		if w := wait(th.attempt(keys("ann@example.com", "10.0.0.1"))); w != want {
			t.Fatalf("throttled attempt: wait %s, want %s", w, want)
		}
		// A refused attempt counts nothing: waiting exactly that long lets
		// the next one through.
		clk.t = clk.t.Add(want)
		if w := wait(th.attempt(keys("ann@example.com", "10.0.0.1"))); w != 0 {
			t.Fatalf("after waiting %s: still %s", want, w)
		}
	}
	// Another email from another address is not held back by Ann's.
	if w := wait(th.attempt(keys("bob@example.com", "10.0.0.2"))); w != 0 {
		t.Fatalf("another email waited %s", w)
	}
	// Nor is Ann from another address: her email is.
	if w := wait(th.attempt(keys("ann@example.com", "10.0.0.3"))); w == 0 {
		t.Fatal("Ann's email from another address was not held back")
	}

	// A success forgives: the email starts afresh.
	clk.t = clk.t.Add(time.Hour)
	th.succeeded("email:ann@example.com", "addr:10.0.0.1")
	for i := range emailThrottle.free + 1 {
		if w := wait(th.attempt(keys("ann@example.com", "10.0.0.1"))); w != 0 {
			t.Fatalf("after a success, attempt %d waited %s", i+1, w)
		}
	}

	// The wait is capped.
	for range 40 {
		clk.t = clk.t.Add(emailThrottle.max)
		_ = th.attempt(keys("carl@example.com", "10.0.0.9"))
	}
	if w := wait(th.attempt(keys("carl@example.com", "10.0.0.9"))); w != emailThrottle.max {
		t.Fatalf("capped wait %s, want %s", w, emailThrottle.max)
	}
	// After an hour without failures, a key is forgotten.
	clk.t = clk.t.Add(time.Hour)
	if w := wait(th.attempt(keys("carl@example.com", "10.0.0.9"))); w != 0 {
		t.Fatalf("after an hour: wait %s", w)
	}
}

// TestSignInThrottlePerAddress: many emails from one address are held back
// once the address has failed more than its allowance, and sign-ins that
// succeed from it do not count.
func TestSignInThrottlePerAddress(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	th := newSignInThrottle(clk.now)
	try := func(email string) error {
		return th.attempt(map[string]throttlePolicy{"email:" + email: emailThrottle, "addr:10.0.0.1": addrThrottle})
	}
	// Colleagues behind one address sign in successfully, many times.
	for i := range 3 * addrThrottle.free {
		if err := try("colleague@example.com"); err != nil {
			t.Fatalf("successful sign-in %d: %v", i+1, err)
		}
		th.succeeded("email:colleague@example.com", "addr:10.0.0.1")
	}
	// Someone sprays one guess at each of many emails.
	for i := range addrThrottle.free + 1 {
		if err := try(string(rune('a'+i)) + "@example.com"); err != nil {
			t.Fatalf("guess %d: %v", i+1, err)
		}
	}
	var te *ThrottledError
	if err := try("fresh@example.com"); !errors.As(err, &te) || te.RetryAfter != addrThrottle.base || te.RetryAfterSeconds() != 1 {
		t.Fatalf("a new email from the spraying address: %v", err)
	}
}

// lookupCounter is a store that knows no user and counts the lookups, each
// of which precedes a password check.
type lookupCounter struct {
	store.Store
	lookups int
}

func (c *lookupCounter) GetUserByEmail(context.Context, string) (core.User, error) {
	c.lookups++
	return core.User{}, core.ErrNotFound
}

// TestThrottledSignInChecksNoPassword: once throttled, SignIn refuses before
// looking anyone up, so no argon2 check runs.
func TestThrottledSignInChecksNoPassword(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	st := &lookupCounter{}
	s := &Service{d: Deps{Store: st, Now: clk.now, Logger: slog.New(slog.DiscardHandler)},
		signins: make(chan struct{}, 2), signInThrottle: newSignInThrottle(clk.now)}
	ctx := t.Context()
	for i := range emailThrottle.free + 1 {
		if _, _, err := s.SignIn(ctx, "ann@example.com", "wrong password", "10.0.0.1"); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("sign-in %d: %v", i+1, err)
		}
	}
	checked := st.lookups
	var te *ThrottledError
	if _, _, err := s.SignIn(ctx, "ann@example.com", "wrong password", "10.0.0.1"); !errors.As(err, &te) {
		t.Fatalf("throttled sign-in: %v", err)
	}
	if st.lookups != checked {
		t.Fatalf("a throttled sign-in looked the user up (%d lookups, want %d)", st.lookups, checked)
	}
}

func TestThrottleAddr(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"192.0.2.7":            "192.0.2.7",
		"2001:db8:1:2:aaaa::1": "2001:db8:1:2::/64",
		"2001:db8:1:2:bbbb::9": "2001:db8:1:2::/64",
		"::ffff:192.0.2.7":     "::ffff:192.0.2.7",
		"not an address":       "not an address",
		"fe80::1%eth0":         "fe80::/64",
	} {
		if got := throttleAddr(in); got != want {
			t.Errorf("throttleAddr(%q) = %q, want %q", in, got, want)
		}
	}
}
