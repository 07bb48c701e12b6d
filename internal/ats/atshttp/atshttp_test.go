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
	for attempt := range 70 {
		d := BackoffCap
		if attempt < 16 {
			d = min(BackoffBase<<attempt, BackoffCap)
		}
		for range 50 {
			if got := Backoff(attempt, 0); got < d/2 || got > d {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", attempt, got, d/2, d)
			}
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
