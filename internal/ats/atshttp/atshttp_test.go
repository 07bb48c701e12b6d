package atshttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

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
