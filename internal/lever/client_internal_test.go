package lever

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
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
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0}, // in the past
		{"soon", 0},
		{"99999999999999", (1 << 31) * time.Second}, // clamped, no overflow
	}
	for _, tc := range tests {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestRetryAfterHTTPDateIsSleptOn(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", now.Add(30*time.Second).Format(http.TimeFormat))
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		fmt.Fprint(w, `{"data":[],"hasNext":false}`)
	}))
	defer srv.Close()
	var slept []time.Duration
	c := NewClient(srv.URL, "k", WithLimiter(nil), WithSleep(func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}))
	c.now = func() time.Time { return now }
	if _, err := c.ListUsers(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(slept) != 1 || slept[0] != 30*time.Second {
		t.Fatalf("slept %v, want [30s]", slept)
	}
}

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	t.Parallel()
	c := NewClient(DefaultBaseURL, "k")
	for attempt := range 70 {
		d := backoffCap
		if attempt < 16 {
			d = min(backoffBase<<attempt, backoffCap)
		}
		for range 50 {
			got := c.backoff(attempt, 0)
			if got < d/2 || got > d {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", attempt, got, d/2, d)
			}
		}
	}
	if got := c.backoff(3, 4*time.Second); got != 4*time.Second {
		t.Errorf("Retry-After not used: %v", got)
	}
}

func TestDefaultSleepHonoursContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleepCtx(ctx, time.Hour); err != context.Canceled {
		t.Fatalf("err = %v", err)
	}
	if err := sleepCtx(context.Background(), time.Nanosecond); err != nil {
		t.Fatal(err)
	}
}
