package smartrecruiters

import (
	"net/http"
	"testing"
	"time"
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
		{"soon", 0},
		{"99999999999999", (1 << 31) * time.Second}, // clamped, no overflow
	}
	for _, tc := range tests {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestRefreshMargin(t *testing.T) {
	t.Parallel()
	tests := []struct{ lifetime, want time.Duration }{
		{time.Hour, time.Minute},
		{2 * time.Minute, time.Minute},
		{60 * time.Second, 30 * time.Second},
		{time.Second, 500 * time.Millisecond},
	}
	for _, tc := range tests {
		if got := refreshMargin(tc.lifetime); got != tc.want {
			t.Errorf("refreshMargin(%v) = %v, want %v", tc.lifetime, got, tc.want)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	c := &Client{}
	for attempt := range 20 {
		d := min(backoffBase<<min(attempt, 16), backoffCap)
		for range 50 {
			if got := c.backoff(attempt, 0); got < d/2 || got > d {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, got, d/2, d)
			}
		}
	}
	if got := c.backoff(3, 7*time.Second); got != 7*time.Second {
		t.Errorf("backoff with Retry-After = %v", got)
	}
}
