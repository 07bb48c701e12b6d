package workable

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"switchboard/internal/ats/atshttp"
)

// fakeTime is a clock that sleeping moves.
type fakeTime struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (f *fakeTime) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeTime) Sleep(_ context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.slept = append(f.slept, d)
	return nil
}

func (f *fakeTime) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func TestLimitsSpaceRequestsFromTheLastAnswer(t *testing.T) {
	t.Parallel()
	ft := &fakeTime{now: time.Unix(1_700_000_000, 0)}
	l := DefaultLimits()
	ctx := context.Background()
	var sent []time.Time
	for range 12 {
		release, err := l.Acquire(ctx, atshttp.Request{}, ft.Now, ft.Sleep)
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, ft.Now())
		ft.advance(150 * time.Millisecond) // the answer takes a while
		release()
	}
	for i := 1; i < len(sent); i++ {
		if gap := sent[i].Sub(sent[i-1]); gap < Spacing {
			t.Fatalf("requests %d and %d left %s apart, want at least %s", i-1, i, gap, Spacing)
		}
	}
	// 10 in any 10 s: the 11th is at least 10 s after the first.
	if d := sent[10].Sub(sent[0]); d < Window {
		t.Fatalf("11 requests within %s", d)
	}
}

func TestLimitsHonourWorkablesHeaders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Unix(1_700_000_005, 0)
	h := func(remaining int, reset time.Time) http.Header {
		hd := http.Header{}
		hd.Set(HeaderRemaining, strconv.Itoa(remaining))
		hd.Set(HeaderReset, strconv.FormatInt(reset.Unix(), 10))
		return hd
	}
	for _, tc := range []struct {
		name   string
		status int
		header http.Header
		wait   time.Duration // the wait the next request gets
	}{
		{"remaining left: only the pace", 200, h(3, now.Add(5*time.Second)), 0},
		{"window spent: until the reset", 200, h(0, now.Add(5*time.Second)), 5 * time.Second},
		{"window spent, reset past: not believed", 200, h(0, now.Add(-time.Second)), 0},
		{"429 with Retry-After", 429, func() http.Header { hd := h(0, now.Add(2*time.Second)); hd.Set("Retry-After", "7"); return hd }(), 7 * time.Second},
		{"429 without Retry-After: the reset", 429, h(0, now.Add(3*time.Second)), 3 * time.Second},
		{"429 without either: a window", 429, http.Header{}, Window},
		{"unreadable reset", 200, http.Header{HeaderRemaining: {"0"}, HeaderReset: {"soon"}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ft := &fakeTime{now: now}
			l := NewLimits(0)
			l.Observe(tc.status, tc.header, now)
			release, err := l.Acquire(ctx, atshttp.Request{}, ft.Now, ft.Sleep)
			var we *atshttp.WaitError
			switch {
			case tc.wait > atshttp.MaxInCallWait:
				if !errors.As(err, &we) || we.Wait != tc.wait {
					t.Fatalf("Acquire: %v, want a WaitError of %s", err, tc.wait)
				}
				// The slot was given back: a later request is not blocked by it.
				ft.advance(tc.wait)
				if release, err = l.Acquire(ctx, atshttp.Request{}, ft.Now, ft.Sleep); err != nil {
					t.Fatalf("after the wait: %v", err)
				}
			case err != nil:
				t.Fatalf("Acquire: %v", err)
			case tc.wait == 0 && len(ft.slept) != 0:
				t.Fatalf("slept %v, want no wait", ft.slept)
			}
			release()
		})
	}
}

func TestLimitsOneInFlight(t *testing.T) {
	t.Parallel()
	ft := &fakeTime{now: time.Unix(1_700_000_000, 0)}
	l := NewLimits(0)
	release, err := l.Acquire(context.Background(), atshttp.Request{}, ft.Now, ft.Sleep)
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.Acquire(context.Background(), atshttp.Request{}, ft.Now, ft.Sleep)
	var we *atshttp.WaitError
	if !errors.As(err, &we) {
		t.Fatalf("a second request while one is in flight: %v, want a WaitError", err)
	}
	release()
	if r, err := l.Acquire(context.Background(), atshttp.Request{}, ft.Now, ft.Sleep); err != nil {
		t.Fatalf("after the first answer: %v", err)
	} else {
		r()
	}
}

// FuzzParseReset: a reset is accepted only in the future and within
// maxBlocked, and a Unix-seconds value reads as exactly that second.
func FuzzParseReset(f *testing.F) {
	now := time.Unix(1_700_000_000, 0)
	for _, s := range []string{"1700000010", "1699999990", "0", "-5", "Tue, 14 Nov 2023 22:13:30 GMT", "99999999999999999999", " 1700000001 ", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, ok := parseReset(v, now)
		if !ok {
			if !got.IsZero() {
				t.Fatalf("refused %q but returned %v", v, got)
			}
			return
		}
		if !got.After(now) || got.Sub(now) > maxBlocked {
			t.Fatalf("accepted %q as %v", v, got)
		}
		if secs, err := strconv.ParseInt(trimSpace(v), 10, 64); err == nil && got.Unix() != secs {
			t.Fatalf("%q read as %v", v, got)
		}
	})
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r' || s[0] == '\v' || s[0] == '\f') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\n' || s[len(s)-1] == '\r' || s[len(s)-1] == '\v' || s[len(s)-1] == '\f') {
		s = s[:len(s)-1]
	}
	return s
}
