package smartrecruiters

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits is one credential's share of SmartRecruiters' rate limits: a token
// bucket of 10 requests/s, 8 requests in flight, and 1 in flight for
// GET /candidates. Every client and worker acting with one credential must
// share one Limits, which is what LimiterPool is for.
type Limits struct {
	bucket     *rate.Limiter
	slots      chan struct{}
	candidates chan struct{}
}

// NewLimits returns limits of rps requests per second (burst), concurrent
// requests in flight and candidates concurrent GET /candidates.
func NewLimits(rps float64, burst, concurrent, candidates int) *Limits {
	return &Limits{
		bucket:     rate.NewLimiter(rate.Limit(rps), max(burst, 1)),
		slots:      make(chan struct{}, max(concurrent, 1)),
		candidates: make(chan struct{}, max(candidates, 1)),
	}
}

// DefaultLimits are SmartRecruiters' documented limits.
func DefaultLimits() *Limits {
	return NewLimits(RequestsPerSecond, RateBurst, MaxConcurrent, MaxConcurrentCandidates)
}

// acquire waits for a request token, then for a slot (and for GET
// /candidates the single candidates slot first). Time comes from now and
// waiting goes through sleep, so tests decide when tokens come back. The
// returned release must be called once the response is read.
func (l *Limits) acquire(ctx context.Context, candidatesList bool, now func() time.Time, sleep func(context.Context, time.Duration) error) (release func(), err error) {
	t := now()
	r := l.bucket.ReserveN(t, 1)
	if d := r.DelayFrom(t); d > 0 {
		if err := sleep(ctx, d); err != nil {
			r.CancelAt(now())
			return nil, err
		}
	}
	if candidatesList {
		select {
		case l.candidates <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		if candidatesList {
			<-l.candidates
		}
		return nil, ctx.Err()
	}
	return func() {
		<-l.slots
		if candidatesList {
			<-l.candidates
		}
	}, nil
}

// LimiterPool hands out one Limits per credential (SmartRecruiters counts
// each distinct credential as one API user). Entries are keyed by a SHA-256
// of the client id, so the pool holds no identifiers in clear. It is safe for
// concurrent use.
type LimiterPool struct {
	mu  sync.Mutex
	new func() *Limits
	m   map[[sha256.Size]byte]*Limits
}

// NewLimiterPool returns a pool of DefaultLimits.
func NewLimiterPool() *LimiterPool { return NewLimiterPoolWith(DefaultLimits) }

// NewLimiterPoolWith returns a pool whose entries newLimits makes.
func NewLimiterPoolWith(newLimits func() *Limits) *LimiterPool {
	return &LimiterPool{new: newLimits, m: map[[sha256.Size]byte]*Limits{}}
}

// For returns the limits of clientID, creating them on first use.
func (p *LimiterPool) For(clientID string) *Limits {
	k := sha256.Sum256([]byte(clientID))
	p.mu.Lock()
	defer p.mu.Unlock()
	l, ok := p.m[k]
	if !ok {
		l = p.new()
		p.m[k] = l
	}
	return l
}
