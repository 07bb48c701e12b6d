package budget

import (
	"context"
	"errors"
	"time"
)

// Acquire takes a start of key under lim from b and waits for it, reading
// time from now and waiting through sleep, never more than maxWait in all:
// a longer wait (for the rate, or for busy slots to come free) is a
// *WaitError and nothing is held. It is the loop an atshttp.Limiter built
// on a Budget needs; release must be called once the response is read.
func Acquire(ctx context.Context, b Budget, key string, lim Limit, now func() time.Time, sleep func(context.Context, time.Duration) error, maxWait time.Duration) (release func(context.Context) error, err error) {
	begin := now()
	for {
		t := now()
		left := maxWait - t.Sub(begin)
		g, err := b.Take(ctx, key, lim, t, max(left, 0))
		var we *WaitError
		switch {
		case err == nil:
			if d := g.Start.Sub(now()); d > 0 {
				if err := sleep(ctx, d); err != nil {
					// The start stays spent (fewer calls, never more); the
					// slot is given back.
					return nil, errors.Join(err, g.Release(context.WithoutCancel(ctx)))
				}
			}
			return g.Release, nil
		case errors.As(err, &we) && we.Slot && we.Wait <= left:
			if err := sleep(ctx, max(we.Wait, time.Millisecond)); err != nil {
				return nil, err
			}
		case errors.As(err, &we):
			return nil, we
		default:
			return nil, err
		}
	}
}
