package budget

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// t0 is the suite's epoch; every test moves its own clock from it.
var t0 = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

// keyCounter makes every subtest's key unique, so that the PostgreSQL runs
// can share one database.
var keyCounter atomic.Int64

func uniqueKey(t *testing.T) string {
	return fmt.Sprintf("%s#%d", t.Name(), keyCounter.Add(1))
}

// runSuite runs every behaviour test against the budget newBudget returns.
func runSuite(t *testing.T, newBudget func(*testing.T) Budget) {
	t.Run("waits", func(t *testing.T) { t.Parallel(); testWaits(t, newBudget(t)) })
	t.Run("rate never exceeded", func(t *testing.T) { t.Parallel(); testRateNeverExceeded(t, newBudget(t)) })
	t.Run("slots", func(t *testing.T) { t.Parallel(); testSlots(t, newBudget(t)) })
	t.Run("acquire", func(t *testing.T) { t.Parallel(); testAcquire(t, newBudget(t)) })
	t.Run("bad limits", func(t *testing.T) { t.Parallel(); testBadLimits(t, newBudget(t)) })
}

// step is one Take of a scripted test and what it must answer: a start at
// want (after t0), or a *WaitError of wait (slot: a busy slot).
type step struct {
	at      time.Duration // now, after t0
	maxWait time.Duration
	want    time.Duration
	wait    time.Duration
	slot    bool
	release int // if > 0, release the grant of step release-1 before taking
}

func testWaits(t *testing.T, b Budget) {
	perSecond := Limit{N: 2, Window: time.Second}
	tests := []struct {
		name  string
		lim   Limit
		steps []step
	}{
		{"log of two per second", perSecond, []step{
			{at: 0, maxWait: 0, want: 0},
			{at: 100 * time.Millisecond, maxWait: 0, want: 100 * time.Millisecond},
			// The third waits for the first to leave the window.
			{at: 200 * time.Millisecond, maxWait: 500 * time.Millisecond, wait: 800 * time.Millisecond},
			{at: 200 * time.Millisecond, maxWait: time.Second, want: time.Second},
			// and the fourth for the second.
			{at: 200 * time.Millisecond, maxWait: time.Second, want: 1100 * time.Millisecond},
			{at: 3 * time.Second, maxWait: 0, want: 3 * time.Second},
		}},
		{"gap spreads a burst", Limit{N: 10, Window: time.Second, Gap: 100 * time.Millisecond}, []step{
			{at: 0, want: 0, maxWait: time.Second},
			{at: 0, want: 100 * time.Millisecond, maxWait: time.Second},
			{at: 0, want: 200 * time.Millisecond, maxWait: time.Second},
			{at: 0, wait: 300 * time.Millisecond, maxWait: 250 * time.Millisecond},
			{at: 250 * time.Millisecond, want: 300 * time.Millisecond, maxWait: 50 * time.Millisecond},
		}},
		{"a clock behind the latest start never starts before it", perSecond, []step{
			{at: 500 * time.Millisecond, want: 500 * time.Millisecond},
			{at: 400 * time.Millisecond, maxWait: time.Second, want: 500 * time.Millisecond},
			{at: 400 * time.Millisecond, maxWait: time.Second, wait: 1100 * time.Millisecond},
		}},
		{"a busy slot spends no start", Limit{N: 2, Window: time.Second, Slots: 1, Lease: time.Minute}, []step{
			{at: 0, want: 0},
			{at: 0, wait: SlotRetry, slot: true},
			{at: 0, release: 1, want: 0},
			{at: 0, release: 3, wait: time.Second},
		}},
		{"a start too far off takes no slot", Limit{N: 1, Window: time.Second, Slots: 2, Lease: time.Minute}, []step{
			{at: 0, want: 0},
			{at: 0, wait: time.Second},
			{at: time.Second, want: time.Second},
			// Two slots held, not three.
			{at: 2 * time.Second, wait: SlotRetry, slot: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runSteps(t, b, tt.lim, tt.steps) })
	}
}

// runSteps takes, on a key of its own, each step in turn.
func runSteps(t *testing.T, b Budget, lim Limit, steps []step) {
	ctx := t.Context()
	key := uniqueKey(t)
	grants := make([]Grant, len(steps))
	for i, s := range steps {
		if s.release > 0 {
			if err := grants[s.release-1].Release(ctx); err != nil {
				t.Fatalf("step %d: release: %v", i, err)
			}
		}
		g, err := b.Take(ctx, key, lim, t0.Add(s.at), s.maxWait)
		var we *WaitError
		switch {
		case s.wait > 0:
			if !errors.As(err, &we) || we.Wait != s.wait || we.Slot != s.slot {
				t.Fatalf("step %d: got %+v, %v; want a wait of %v (slot %v)", i, g, err, s.wait, s.slot)
			}
		case err != nil:
			t.Fatalf("step %d: %v; want a start at %v", i, err, s.want)
		case !g.Start.Equal(t0.Add(s.want)):
			t.Fatalf("step %d: start at %v; want %v", i, g.Start.Sub(t0), s.want)
		}
		grants[i] = g
	}
}

// testRateNeverExceeded takes as fast as callers come, at random moments,
// and checks that no window holds more than N starts and that the budget is
// not wasted (a steady caller gets close to N per window).
func testRateNeverExceeded(t *testing.T, b Budget) {
	tests := []Limit{
		{N: 10, Window: 1050 * time.Millisecond, Gap: 30 * time.Millisecond},
		{N: 10, Window: time.Second},
		{N: 3, Window: 200 * time.Millisecond, Slots: 8, Lease: time.Hour},
	}
	for _, lim := range tests {
		t.Run(fmt.Sprintf("%d per %v gap %v", lim.N, lim.Window, lim.Gap), func(t *testing.T) {
			ctx := t.Context()
			key := uniqueKey(t)
			rng := rand.New(rand.NewPCG(1, uint64(lim.N)))
			now := t0
			var starts []time.Time
			for range 300 {
				now = now.Add(time.Duration(rng.Int64N(int64(40 * time.Millisecond))))
				g, err := b.Take(ctx, key, lim, now, time.Second)
				var we *WaitError
				switch {
				case errors.As(err, &we) && !we.Slot:
					if we.Wait <= time.Second {
						t.Fatalf("told to wait %v, within maxWait", we.Wait)
					}
					continue
				case err != nil:
					t.Fatal(err)
				}
				if g.Start.Before(now) || g.Start.Sub(now) > time.Second {
					t.Fatalf("start %v is not within maxWait of now %v", g.Start, now)
				}
				if err := g.Release(ctx); err != nil {
					t.Fatal(err)
				}
				starts = append(starts, g.Start)
			}
			checkWindows(t, starts, lim)
			span := starts[len(starts)-1].Sub(starts[0])
			if got, most := len(starts), int(span/lim.Window+1)*lim.N; got < most*8/10 {
				t.Errorf("%d starts in %v; the limit allows %d: budget wasted", got, span, most)
			}
		})
	}
}

// checkWindows fails unless any N+1 starts span at least the window, and
// consecutive ones the gap.
func checkWindows(t *testing.T, starts []time.Time, lim Limit) {
	t.Helper()
	starts = slices.Clone(starts)
	slices.SortFunc(starts, time.Time.Compare)
	for i := range starts {
		if j := i + lim.N; j < len(starts) && starts[j].Sub(starts[i]) < lim.Window {
			t.Fatalf("%d starts within %v from %v (window %v)", lim.N+1, starts[j].Sub(starts[i]), starts[i], lim.Window)
		}
		if i > 0 && starts[i].Sub(starts[i-1]) < lim.Gap {
			t.Fatalf("starts %v apart, gap %v", starts[i].Sub(starts[i-1]), lim.Gap)
		}
	}
}

func testSlots(t *testing.T, b Budget) {
	lim := Limit{Slots: 3, Lease: 10 * time.Second}
	tests := []struct {
		name  string
		steps []step
	}{
		{"never over K, release frees one", []step{
			{want: 0}, {want: 0}, {want: 0},
			{wait: SlotRetry, slot: true},
			{release: 2, want: 0},
			{wait: SlotRetry, slot: true},
			// A second release of the same grant frees nothing more.
			{release: 2, wait: SlotRetry, slot: true},
		}},
		{"a lease expiring frees its slot", []step{
			{want: 0},
			{at: time.Second, want: time.Second},
			{at: 2 * time.Second, want: 2 * time.Second},
			{at: 5 * time.Second, wait: SlotRetry, slot: true},
			// Told to come back when the first lease ends, if that is sooner.
			{at: 10*time.Second - 5*time.Millisecond, wait: 5 * time.Millisecond, slot: true},
			{at: 10 * time.Second, want: 10 * time.Second},
			{at: 10 * time.Second, wait: SlotRetry, slot: true},
			{at: 11 * time.Second, want: 11 * time.Second},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runSteps(t, b, lim, tt.steps) })
	}
}

// fakeClock is a clock whose sleeps move it on.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.slept = append(c.slept, d)
	return nil
}

func testAcquire(t *testing.T, b Budget) {
	ctx := t.Context()
	key := uniqueKey(t)
	lim := Limit{N: 2, Window: time.Second, Slots: 1, Lease: time.Minute}
	clk := &fakeClock{t: t0}
	r1, err := Acquire(ctx, b, key, lim, clk.now, clk.sleep, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// The slot is busy and stays busy: Acquire retries for maxWait, then
	// says so.
	_, err = Acquire(ctx, b, key, lim, clk.now, clk.sleep, 100*time.Millisecond)
	var we *WaitError
	if !errors.As(err, &we) || !we.Slot {
		t.Fatalf("busy slot: %v", err)
	}
	if got := clk.now().Sub(t0); got > 100*time.Millisecond {
		t.Fatalf("waited %v, more than maxWait", got)
	}
	if err := r1(ctx); err != nil {
		t.Fatal(err)
	}
	r2, err := Acquire(ctx, b, key, lim, clk.now, clk.sleep, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := r2(ctx); err != nil {
		t.Fatal(err)
	}
	// The third start in a second: waited for within maxWait...
	before := clk.now()
	r3, err := Acquire(ctx, b, key, lim, clk.now, clk.sleep, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := clk.now(), t0.Add(time.Second); !got.Equal(want) {
		t.Fatalf("third start at %v, want %v (from %v)", got.Sub(t0), want.Sub(t0), before.Sub(t0))
	}
	if err := r3(ctx); err != nil {
		t.Fatal(err)
	}
	// ...but not past it.
	r4, err := Acquire(ctx, b, key, lim, clk.now, clk.sleep, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = r4(ctx)
	_, err = Acquire(ctx, b, key, lim, clk.now, clk.sleep, 10*time.Millisecond)
	if !errors.As(err, &we) || we.Slot || we.Wait <= 10*time.Millisecond {
		t.Fatalf("rate wait beyond maxWait: %v", err)
	}
	// A cancelled wait hands back the slot.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Acquire(cctx, b, key, lim, clk.now, clk.sleep, 2*time.Second); err == nil {
		t.Fatal("acquired with a cancelled context")
	}
	clk.sleep(ctx, 2*time.Second)
	r5, err := Acquire(ctx, b, key, lim, clk.now, clk.sleep, 0)
	if err != nil {
		t.Fatalf("slot not handed back after a cancelled wait: %v", err)
	}
	_ = r5(ctx)
}

func testBadLimits(t *testing.T, b Budget) {
	for _, lim := range []Limit{
		{},
		{N: 1},
		{Slots: 1, Lease: -time.Second},
	} {
		if _, err := b.Take(t.Context(), uniqueKey(t), lim, t0, time.Second); err == nil {
			t.Errorf("limit %+v accepted", lim)
		}
	}
}

func TestMemory(t *testing.T) {
	t.Parallel()
	runSuite(t, func(*testing.T) Budget { return NewMemory() })
}

// testReplicas has replicas budgets (one per "replica") spend one key from
// many goroutines, in real time (sleeps are what the test is about), and
// checks the starts they were granted
// all together: never more than N in any window, never more than K in
// flight.
func testReplicas(t *testing.T, replicas []Budget, perReplica, each int) {
	ctx := t.Context()
	key := uniqueKey(t)
	lim := Limit{N: 10, Window: 100 * time.Millisecond, Slots: 3, Lease: time.Minute}
	var (
		mu       sync.Mutex
		starts   []time.Time
		inFlight atomic.Int32
		wg       sync.WaitGroup
		errs     = make(chan error, len(replicas)*perReplica)
	)
	sleep := func(ctx context.Context, d time.Duration) error {
		select {
		case <-time.After(d):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, b := range replicas {
		for range perReplica {
			wg.Go(func() {
				for n := 0; n < each; {
					g, err := b.Take(ctx, key, lim, time.Now(), time.Second)
					var we *WaitError
					if errors.As(err, &we) {
						_ = sleep(ctx, we.Wait)
						continue
					} else if err != nil {
						errs <- err
						return
					}
					_ = sleep(ctx, time.Until(g.Start))
					if got := inFlight.Add(1); got > int32(lim.Slots) {
						errs <- fmt.Errorf("%d in flight, limit %d", got, lim.Slots)
					}
					time.Sleep(time.Millisecond) // the request
					inFlight.Add(-1)
					if err := g.Release(ctx); err != nil {
						errs <- err
						return
					}
					mu.Lock()
					starts = append(starts, g.Start)
					mu.Unlock()
					n++
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got, want := len(starts), len(replicas)*perReplica*each; got != want {
		t.Fatalf("%d starts, want %d", got, want)
	}
	// The starts granted, which is what the budget promises: the request
	// leaves at its start, within scheduling noise.
	checkWindows(t, starts, lim)
}

func TestMemoryConcurrent(t *testing.T) {
	t.Parallel()
	m := NewMemory()
	testReplicas(t, []Budget{m}, 16, 5)
}
