package smartrecruiters

import (
	"context"
	"math"
	"time"

	"switchboard/internal/ats/atshttp"
)

// The pace Switchboard keeps under SmartRecruiters' published 10 requests
// per second: at most PaceRequests requests start in any PaceWindow, a
// sliding log (atshttp.WindowLimit), so a long sync runs at 10 per 1.05 s.
// The 5 % margin is for jitter: requests that leave a window apart can
// arrive a little closer together, and SmartRecruiters counts arrivals.
//
// PaceGap spreads a burst: with the log alone ten requests of no latency go
// at once and the eleventh waits the whole 1.05 s, more than
// atshttp.MaxInCallWait, and is sent away (its sync page with it). With c
// callers waiting, the one after a burst waits at most PaceWindow -
// (10-c)·PaceGap: within MaxInCallWait (0.99 s) for every c up to
// MaxConcurrent, which is as many as can wait, since the in-flight slot is
// taken before the pace.
const (
	PaceRequests = RequestsPerSecond
	PaceWindow   = 1050 * time.Millisecond
	PaceGap      = 30 * time.Millisecond
)

// Limits is one credential's share of SmartRecruiters' rate limits: 8
// requests in flight, 1 in flight for GET /candidates, and the pace
// (PaceRequests in any PaceWindow, PaceGap apart). Every client and worker
// acting with one credential must share one Limits, which is what
// LimiterPool is for.
type Limits struct {
	pace       *atshttp.WindowLimit
	slots      chan struct{}
	candidates chan struct{}
}

// NewWindowLimits returns limits of n requests in any window, starting at
// least gap apart, concurrent requests in flight and candidates concurrent
// GET /candidates.
func NewWindowLimits(n int, window, gap time.Duration, concurrent, candidates int) *Limits {
	return &Limits{
		pace:       atshttp.NewWindowLimit(n, window, gap),
		slots:      make(chan struct{}, max(concurrent, 1)),
		candidates: make(chan struct{}, max(candidates, 1)),
	}
}

// NewLimits returns limits of about rps requests per second: burst in any
// burst/rps seconds (rps +Inf: no pace; rps <= 0: no request at all), with
// concurrent requests in flight and candidates concurrent GET /candidates.
func NewLimits(rps float64, burst, concurrent, candidates int) *Limits {
	burst = max(burst, 1)
	var window time.Duration
	switch w := float64(burst) / rps * float64(time.Second); {
	case rps <= 0 || w >= math.MaxInt64: // no rate, or one too slow to say
		burst = 0
	case !math.IsInf(rps, 1):
		window = time.Duration(w)
	}
	return NewWindowLimits(burst, window, 0, concurrent, candidates)
}

// DefaultLimits are SmartRecruiters' documented limits, with the rate paced
// a margin under them.
func DefaultLimits() *Limits {
	return NewWindowLimits(PaceRequests, PaceWindow, PaceGap, MaxConcurrent, MaxConcurrentCandidates)
}

// tagCandidatesList is the Request.Tag of GET /candidates, which takes the
// single candidates slot.
const tagCandidatesList = "candidates-list"

var _ atshttp.Limiter = (*Limits)(nil)

// Acquire implements atshttp.Limiter: for GET /candidates (tagged
// tagCandidatesList) the single candidates slot first, then a slot in
// flight, then the pace. Time comes from now and waiting goes through
// sleep, so tests decide when starts come round; a start further off than
// atshttp.MaxInCallWait is not waited for (a *atshttp.WaitError) and the
// slots are freed. The returned release must be called once the response
// is read.
func (l *Limits) Acquire(ctx context.Context, rq atshttp.Request, now func() time.Time, sleep func(context.Context, time.Duration) error) (release func(), err error) {
	return l.acquire(ctx, rq.Tag == tagCandidatesList, now, sleep)
}

func (l *Limits) acquire(ctx context.Context, candidatesList bool, now func() time.Time, sleep func(context.Context, time.Duration) error) (release func(), err error) {
	if candidatesList {
		select {
		case l.candidates <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	release = func() {
		if candidatesList {
			<-l.candidates
		}
	}
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
	release = func() {
		<-l.slots
		if candidatesList {
			<-l.candidates
		}
	}
	// The pace comes last, so that the start it gives is when the request
	// leaves, and at most the in-flight slots' worth of callers wait for it.
	if err := l.pace.Wait(ctx, now, sleep); err != nil {
		release()
		return nil, err
	}
	return release, nil
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
