package smartrecruiters

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"switchboard/internal/ats/atshttp"
)

// TestLimitsManyCallersAtOnce: more callers of one credential than it has
// slots in flight, with answers that take no time, in a synctest bubble
// (exact fake time): none is sent away, since at most the in-flight slots'
// worth wait for the pace at once, and the starts keep the pace.
func TestLimitsManyCallersAtOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		callers, calls int
		candidatesList bool
	}{
		{"as many callers as slots", MaxConcurrent, 20, false},
		{"more callers than slots", 3 * MaxConcurrent, 10, false},
		{"candidate lists, one at a time", 4, 10, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				l := DefaultLimits()
				var (
					mu     sync.Mutex
					starts []time.Time
					wg     sync.WaitGroup
				)
				for range tc.callers {
					wg.Go(func() {
						for range tc.calls {
							release, err := l.acquire(t.Context(), tc.candidatesList, time.Now, atshttp.Sleep)
							if err != nil {
								t.Error(err)
								return
							}
							mu.Lock()
							starts = append(starts, time.Now())
							mu.Unlock()
							release()
						}
					})
				}
				wg.Wait()
				slices.SortFunc(starts, time.Time.Compare)
				if len(starts) != tc.callers*tc.calls {
					t.Fatalf("%d starts, want %d", len(starts), tc.callers*tc.calls)
				}
				for i := PaceRequests; i < len(starts); i++ {
					if d := starts[i].Sub(starts[i-PaceRequests]); d < PaceWindow {
						t.Fatalf("%d starts within %v", PaceRequests+1, d)
					}
				}
				// At the pace: every window but the last has its 10.
				if d, want := starts[len(starts)-1].Sub(starts[0]), time.Duration((len(starts)-1)/PaceRequests)*PaceWindow+PaceGap*time.Duration((len(starts)-1)%PaceRequests); d != want {
					t.Errorf("%d starts took %v, want %v", len(starts), d, want)
				}
			})
		})
	}
}

// TestLimitsFreeSlotsOfARefusedCall: a call sent away for the pace, or whose
// context ends while it waits, holds no slot afterwards.
func TestLimitsFreeSlotsOfARefusedCall(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	sleep := func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	l := NewLimits(0.2, 1, 2, 1) // one request every 5 s
	release, err := l.acquire(context.Background(), true, clock, sleep)
	if err != nil {
		t.Fatal(err)
	}
	release()
	for range 3 {
		_, err := l.acquire(context.Background(), true, clock, sleep)
		var we *atshttp.WaitError
		if !errors.As(err, &we) || we.Wait != 5*time.Second {
			t.Fatalf("err = %v, want a WaitError of 5s", err)
		}
	}
	if len(l.slots) != 0 || len(l.candidates) != 0 {
		t.Fatalf("%d slots and %d candidate slots still held", len(l.slots), len(l.candidates))
	}
	// A wait cut short hands its start back too.
	quick := NewLimits(2, 1, 2, 1) // one every 500 ms
	if release, err := quick.acquire(context.Background(), false, clock, sleep); err != nil {
		t.Fatal(err)
	} else {
		release()
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := quick.acquire(done, false, clock, sleep); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(quick.slots) != 0 {
		t.Fatalf("%d slots still held", len(quick.slots))
	}
}
