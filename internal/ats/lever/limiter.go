package lever

import (
	"crypto/sha256"
	"sync"

	"golang.org/x/time/rate"
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
// and worker using one key shares Lever's per-key budget. Buckets are keyed
// by a SHA-256 of the key, so the pool never holds a key. It is safe for
// concurrent use.
type LimiterPool struct {
	mu    sync.Mutex
	rate  rate.Limit
	burst int
	m     map[[sha256.Size]byte]*rate.Limiter
}

// NewLimiterPool returns a pool of DefaultRate, DefaultBurst buckets.
func NewLimiterPool() *LimiterPool {
	return &LimiterPool{rate: DefaultRate, burst: DefaultBurst, m: map[[sha256.Size]byte]*rate.Limiter{}}
}

// For returns the bucket of apiKey, creating it on first use.
func (p *LimiterPool) For(apiKey string) *rate.Limiter {
	k := sha256.Sum256([]byte(apiKey))
	p.mu.Lock()
	defer p.mu.Unlock()
	l, ok := p.m[k]
	if !ok {
		l = rate.NewLimiter(p.rate, p.burst)
		p.m[k] = l
	}
	return l
}
