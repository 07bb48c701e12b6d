package lever

import (
	"golang.org/x/time/rate"

	"switchboard/internal/ats/atshttp"
)

// Lever's published limit per API key or OAuth token: 10 requests/s steady,
// bursts of up to 20 requests in a second.
const (
	PublishedRate  = 10
	PublishedBurst = 20
)

// The pace Switchboard keeps, a margin under the published limit: requests
// that leave evenly can arrive bunched (network jitter), and a client paced
// at exactly the limit is then seen over it. A token bucket of rate r and
// burst b sends at most b + r·t in any t seconds: 10 + 9 = 19 in any second,
// 9/s in the long run.
const (
	DefaultRate  rate.Limit = 9
	DefaultBurst            = 10
)

// LimiterPool hands out one token bucket per API key, so that every client
// and worker using one key shares Lever's per-key budget (an atshttp.Pool:
// keyed by a SHA-256 of the key, safe for concurrent use).
type LimiterPool = atshttp.Pool[*rate.Limiter]

// NewLimiterPool returns a pool of DefaultRate, DefaultBurst buckets.
func NewLimiterPool() *LimiterPool {
	return atshttp.NewPool(func() *rate.Limiter { return rate.NewLimiter(DefaultRate, DefaultBurst) })
}
