package atshttp

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testClock is a fake clock that tests move forward by each sleep.
type testClock struct {
	start   time.Time
	elapsed atomic.Int64 // ns
}

func newTestClock() *testClock {
	return &testClock{start: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)}
}

func (c *testClock) now() time.Time          { return c.start.Add(time.Duration(c.elapsed.Load())) }
func (c *testClock) advance(d time.Duration) { c.elapsed.Add(int64(d)) }

func TestWindowLimit(t *testing.T) {
	t.Parallel()
	// A step moves the clock by advance, then asks for a start: it must
	// sleep wait (0: not at all), or be sent away with a WaitError of
	// sentAway.
	type step struct {
		advance, wait, sentAway time.Duration
	}
	calls := func(n int, wait time.Duration) []step { return slices.Repeat([]step{{wait: wait}}, n) }
	tests := []struct {
		name   string
		n      int
		window time.Duration
		gap    time.Duration
		steps  []step
	}{
		{"a burst of n goes at once, the next waits a window", 3, 900 * time.Millisecond, 0,
			append(calls(3, 0), step{wait: 900 * time.Millisecond}, step{}, step{})},
		{"steady state is n per window", 2, 500 * time.Millisecond, 0,
			slices.Concat(calls(2, 0), calls(1, 500*time.Millisecond), calls(1, 0), calls(1, 500*time.Millisecond), calls(1, 0))},
		{"a start exactly a window ago no longer counts", 2, time.Second, 0, []step{
			{}, {advance: 400 * time.Millisecond}, {advance: 600 * time.Millisecond},
			{wait: 400 * time.Millisecond}, // the one at +400 ms counts until +1.4 s
		}},
		{"one nanosecond short of the window still counts", 1, time.Second, 0, []step{
			{}, {advance: time.Second - time.Nanosecond, wait: time.Nanosecond},
		}},
		{"a gap spreads a burst, shortening the wait after it", 3, 1050 * time.Millisecond, 30 * time.Millisecond,
			[]step{{}, {wait: 30 * time.Millisecond}, {wait: 30 * time.Millisecond}, {wait: 990 * time.Millisecond}}},
		{"without a gap the caller after a burst of a window over MaxInCallWait is sent away", 10, 1050 * time.Millisecond, 0,
			append(calls(10, 0), step{sentAway: 1050 * time.Millisecond}, step{advance: 50 * time.Millisecond, wait: time.Second})},
		{"a wait past MaxInCallWait is a WaitError and takes nothing", 1, 3 * time.Second, 0, []step{
			{}, {sentAway: 3 * time.Second}, {advance: time.Second, sentAway: 2 * time.Second},
			{advance: time.Second, wait: time.Second}, // the refused starts took no place
		}},
		{"a gap alone spaces starts", 1, 0, 10 * time.Millisecond, slices.Concat(calls(1, 0), calls(3, 10*time.Millisecond))},
		{"a gap already past costs nothing", 5, time.Second, 10 * time.Millisecond, []step{{}, {advance: 20 * time.Millisecond}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newTestClock()
			l := NewWindowLimit(tc.n, tc.window, tc.gap)
			for i, st := range tc.steps {
				c.advance(st.advance)
				var slept time.Duration
				err := l.Wait(context.Background(), c.now, func(_ context.Context, d time.Duration) error {
					slept += d
					c.advance(d)
					return nil
				})
				var we *WaitError
				switch {
				case st.sentAway > 0:
					if !errors.As(err, &we) || we.Wait != st.sentAway || slept != 0 {
						t.Fatalf("step %d: err %v after sleeping %v, want a WaitError of %v and no sleep", i, err, slept, st.sentAway)
					}
				case err != nil || slept != st.wait:
					t.Fatalf("step %d: slept %v, err %v; want %v", i, slept, err, st.wait)
				}
			}
		})
	}
}

func TestWindowLimitHandsBackAnUnusedStart(t *testing.T) {
	t.Parallel()
	c := newTestClock()
	l := NewWindowLimit(1, 500*time.Millisecond, 0)
	sleep := func(ctx context.Context, d time.Duration) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.advance(d)
		return nil
	}
	if err := l.Wait(context.Background(), c.now, sleep); err != nil {
		t.Fatal(err)
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(done, c.now, sleep); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// The cancelled caller's start (at +500 ms) is free again: the next
	// caller takes it rather than the one after it.
	start := c.now()
	if err := l.Wait(context.Background(), c.now, sleep); err != nil {
		t.Fatal(err)
	}
	if d := c.now().Sub(start); d != 500*time.Millisecond {
		t.Fatalf("waited %v, want 500ms", d)
	}
	if err := NewWindowLimit(0, time.Second, 0).Wait(context.Background(), c.now, sleep); err == nil {
		t.Error("a limit that allows nothing: no error")
	}
}

// TestWindowLimitConcurrentCallers: callers at once, each coming back when
// sent away as a snoozed job would, never start more than n in a window nor
// closer than the gap, whatever order they take starts in.
func TestWindowLimitConcurrentCallers(t *testing.T) {
	t.Parallel()
	const (
		n, callers, each = 10, 8, 25
		window           = 1050 * time.Millisecond
		gap              = 30 * time.Millisecond
	)
	c := newTestClock()
	sleep := func(_ context.Context, d time.Duration) error {
		c.advance(d)
		return nil
	}
	l := NewWindowLimit(n, window, gap)
	var (
		mu     sync.Mutex
		starts []time.Time
		wg     sync.WaitGroup
	)
	for range callers {
		wg.Go(func() {
			for range each {
				for {
					at, err := l.wait(context.Background(), c.now, sleep)
					var we *WaitError
					if errors.As(err, &we) {
						c.advance(we.Wait)
						continue
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					starts = append(starts, at)
					mu.Unlock()
					break
				}
			}
		})
	}
	wg.Wait()
	if len(starts) != callers*each {
		t.Fatalf("%d starts, want %d", len(starts), callers*each)
	}
	slices.SortFunc(starts, time.Time.Compare)
	for i := range starts {
		if i >= 1 && starts[i].Sub(starts[i-1]) < gap {
			t.Fatalf("starts %d and %d only %v apart", i-1, i, starts[i].Sub(starts[i-1]))
		}
		if i >= n && starts[i].Sub(starts[i-n]) < window {
			t.Fatalf("%d starts within %v", n+1, starts[i].Sub(starts[i-n]))
		}
	}
}
