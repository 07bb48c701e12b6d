package atshttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"switchboard/internal/netguard"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-3", 0},
		{" 12 ", 12 * time.Second},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0}, // in the past
		{"soon", 0},
		{"99999999999999", (1 << 31) * time.Second}, // clamped, no overflow
	}
	for _, tc := range tests {
		if got := ParseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	t.Parallel()
	// The ceiling doubles from 500 ms and stops at 30 s; a delay is jittered
	// within [ceiling/2, ceiling].
	for _, tc := range []struct {
		attempt int
		ceiling time.Duration
	}{
		{0, 500 * time.Millisecond}, {1, time.Second}, {2, 2 * time.Second}, {5, 16 * time.Second},
		{6, 30 * time.Second}, {15, 30 * time.Second}, {16, 30 * time.Second}, {69, 30 * time.Second},
	} {
		lo, hi := tc.ceiling, time.Duration(0)
		for range 200 {
			got := Backoff(tc.attempt, 0)
			lo, hi = min(lo, got), max(hi, got)
		}
		if lo < tc.ceiling/2 || hi > tc.ceiling {
			t.Errorf("attempt %d: delays in [%v, %v], want within [%v, %v]", tc.attempt, lo, hi, tc.ceiling/2, tc.ceiling)
		}
		if hi == lo {
			t.Errorf("attempt %d: no jitter (%v every time)", tc.attempt, lo)
		}
	}
	if got := Backoff(3, 4*time.Second); got != 4*time.Second {
		t.Errorf("Retry-After not used: %v", got)
	}
}

func TestSleepHonoursContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); err != context.Canceled {
		t.Fatalf("err = %v", err)
	}
	if err := Sleep(context.Background(), time.Nanosecond); err != nil {
		t.Fatal(err)
	}
}

func TestSnippet(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"  <html>oops</html>\n":  "<html>oops</html>",
		"a\x00b\tc":              "a b c",
		"bad \xff utf8":          "bad  utf8",
		strings.Repeat("x", 300): strings.Repeat("x", 200),
	}
	for in, want := range tests {
		if got := Snippet([]byte(in)); got != want {
			t.Errorf("Snippet(%q) = %q, want %q", in, got, want)
		}
	}
}

type temporary bool

func (t temporary) Error() string   { return "api error" }
func (t temporary) Temporary() bool { return bool(t) }

func TestRetryable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"transport", &TransportError{Err: errors.New("connection reset")}, true},
		{"wrapped transport", fmt.Errorf("lever: add tags: %w", &TransportError{Err: errors.New("eof")}), true},
		{"429/5xx", fmt.Errorf("x: %w", temporary(true)), true},
		{"other 4xx", temporary(false), false},
		{"private address", &TransportError{Err: fmt.Errorf("dial: %w", netguard.ErrBlocked)}, false},
		{"plain", errors.New("bad input"), false},
	}
	for _, tt := range tests {
		if got := Retryable(tt.err); got != tt.want {
			t.Errorf("%s: Retryable = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRetryWait(t *testing.T) {
	t.Parallel()
	live := context.Background()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	timeout := &TransportError{Err: &url.Error{Op: "Get", URL: "https://ats.example/x", Err: context.DeadlineExceeded}}
	tests := []struct {
		name       string
		ctx        context.Context
		err        error
		attempt    int
		retryAfter time.Duration
		wantWait   time.Duration // exact when not 0
		want       bool
	}{
		{"a moment's Retry-After is waited", live, temporary(true), 0, MaxInCallWait, MaxInCallWait, true},
		{"a longer Retry-After ends the call", live, temporary(true), 0, MaxInCallWait + time.Second, 0, false},
		{"a short backoff is waited", live, temporary(true), 1, 0, 0, true},
		{"a long backoff ends the call", live, temporary(true), 3, 0, 0, false},
		{"a timeout is not retried in the call", live, timeout, 0, 0, 0, false},
		{"a cut connection is", live, &TransportError{Err: errors.New("connection reset")}, 0, 0, 0, true},
		{"not temporary", live, temporary(false), 0, 0, 0, false},
		{"retries used up", live, temporary(true), 2, 0, 0, false},
		{"the job's context ended", done, temporary(true), 0, 0, 0, false},
	}
	for _, tt := range tests {
		wait, ok := RetryWait(tt.ctx, tt.err, tt.attempt, 2, tt.retryAfter)
		if ok != tt.want || (ok && (wait > MaxInCallWait || (tt.wantWait != 0 && wait != tt.wantWait))) {
			t.Errorf("%s: RetryWait = %v, %v; want ok %v", tt.name, wait, ok, tt.want)
		}
	}
}

func TestPace(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var slept []time.Duration
	sleep := func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		now = now.Add(d)
		return ctx.Err()
	}
	ctx := context.Background()
	l := rate.NewLimiter(2, 1) // a token every 500 ms
	for range 3 {
		if err := Pace(ctx, l, clock, sleep); err != nil {
			t.Fatal(err)
		}
	}
	if want := []time.Duration{500 * time.Millisecond, 500 * time.Millisecond}; !slices.Equal(slept, want) {
		t.Errorf("slept %v, want %v", slept, want)
	}
	// Others took the next three tokens: the fourth is 2 s off, not waited for
	// and handed back.
	for range 3 {
		l.ReserveN(now, 1)
	}
	err := Pace(ctx, l, clock, sleep)
	var we *WaitError
	if !errors.As(err, &we) || we.Wait != 2*time.Second || len(slept) != 2 {
		t.Fatalf("err = %v after sleeps %v, want a WaitError of 2s and no sleep", err, slept)
	}
	if got := l.TokensAt(now); got != -3 {
		t.Errorf("tokens %v, want -3: the refused reservation is handed back", got)
	}
	if err := Pace(ctx, nil, clock, sleep); err != nil {
		t.Errorf("no limiter: %v", err)
	}
	if err := Pace(ctx, rate.NewLimiter(0, 0), clock, sleep); err == nil {
		t.Error("a limiter that allows nothing: no error")
	}
}
