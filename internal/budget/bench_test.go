package budget

import (
	"testing"
	"time"
)

// FuzzDecodeStarts: the log read back from budget_rates never panics the
// decoder, and what it decodes encodes and decodes to the same starts.
func FuzzDecodeStarts(f *testing.F) {
	for _, s := range []string{"", "1", "1,2,3", "-5,x", ",", "9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		starts, err := decodeStarts(raw)
		if err != nil {
			return
		}
		again, err := decodeStarts(encodeStarts(starts))
		if err != nil || len(again) != len(starts) {
			t.Fatalf("round trip of %q: %v, %d of %d", raw, err, len(again), len(starts))
		}
		for i := range starts {
			if !again[i].Equal(starts[i]) {
				t.Fatalf("round trip of %q: %v != %v", raw, again[i], starts[i])
			}
		}
	})
}

func benchTake(b *testing.B, bud Budget) {
	lim := Limit{N: 10, Window: time.Second, Slots: 8, Lease: time.Minute}
	now := t0
	ctx := b.Context()
	for b.Loop() {
		now = now.Add(100 * time.Millisecond) // always within the limit
		g, err := bud.Take(ctx, "bench", lim, now, 0)
		if err != nil {
			b.Fatal(err)
		}
		if err := g.Release(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemoryTake(b *testing.B) { benchTake(b, NewMemory()) }

func BenchmarkPostgresTake(b *testing.B) {
	url := migratedDatabase(b)
	benchTake(b, NewPostgres(openPostgres(b, url)))
}
