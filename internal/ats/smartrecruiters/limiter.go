package smartrecruiters

import (
	"context"
	"time"

	"golang.org/x/time/rate"

	"switchboard/internal/ats/atshttp"
)

// The pace Switchboard keeps, a margin under SmartRecruiters' published 10
// requests per second: requests that leave evenly can arrive bunched
// (network jitter), and a client paced at exactly the limit is then seen over
// it. A token bucket of rate r and burst b sends at most b + r·t in any t
// seconds: 1 + 8 = 9 in any second.
const (
	PaceRate  = 8
	PaceBurst = 1
)

// Limits is one credential's share of SmartRecruiters' rate limits: a token
// bucket (PaceRate, PaceBurst), 8 requests in flight, and 1 in flight for
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

// DefaultLimits are SmartRecruiters' documented limits, with the rate paced
// a margin under them.
func DefaultLimits() *Limits {
	return NewLimits(PaceRate, PaceBurst, MaxConcurrent, MaxConcurrentCandidates)
}

// tagCandidatesList is the Request.Tag of GET /candidates, which takes the
// single candidates slot.
const tagCandidatesList = "candidates-list"

var _ atshttp.Limiter = (*Limits)(nil)

// Acquire implements atshttp.Limiter: it waits for a request token, then
// for a slot (and for GET /candidates, tagged tagCandidatesList, the single
// candidates slot first). Time comes from now and waiting goes through
// sleep, so tests decide when tokens come back; a token further off than
// atshttp.MaxInCallWait is not waited for (a *atshttp.WaitError). The
// returned release must be called once the response is read.
func (l *Limits) Acquire(ctx context.Context, rq atshttp.Request, now func() time.Time, sleep func(context.Context, time.Duration) error) (release func(), err error) {
	return l.acquire(ctx, rq.Tag == tagCandidatesList, now, sleep)
}

func (l *Limits) acquire(ctx context.Context, candidatesList bool, now func() time.Time, sleep func(context.Context, time.Duration) error) (release func(), err error) {
	if err := atshttp.Pace(ctx, l.bucket, now, sleep); err != nil {
		return nil, err
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
// each distinct credential as one API user): an atshttp.Pool keyed by a
// SHA-256 of the client id, so the pool holds no identifiers in clear. It is
// safe for concurrent use.
type LimiterPool = atshttp.Pool[*Limits]

// NewLimiterPool returns a pool of DefaultLimits.
func NewLimiterPool() *LimiterPool { return NewLimiterPoolWith(DefaultLimits) }

// NewLimiterPoolWith returns a pool whose entries newLimits makes.
func NewLimiterPoolWith(newLimits func() *Limits) *LimiterPool { return atshttp.NewPool(newLimits) }
