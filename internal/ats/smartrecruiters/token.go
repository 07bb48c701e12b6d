package smartrecruiters

import (
	"crypto/sha256"
	"sync"
	"time"
)

// TokenCache keeps one access token per credential and token URL, so that
// every client acting with one credential reuses a token until shortly before
// it expires instead of asking for a new one per call. Keys are a SHA-256 of
// the token URL, client id and secret: a rotated secret never gets the old
// secret's token, and the cache holds no secret in clear. Safe for concurrent
// use.
type TokenCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]*tokenEntry
}

// NewTokenCache returns an empty cache.
func NewTokenCache() *TokenCache {
	return &TokenCache{m: map[[sha256.Size]byte]*tokenEntry{}}
}

// tokenEntry is one credential's token. mu is held while fetching, so that
// concurrent callers wait for one fetch rather than each starting their own.
type tokenEntry struct {
	mu        sync.Mutex
	token     string
	refreshAt time.Time
}

func (tc *TokenCache) entry(tokenURL string, c ClientCredentials) *tokenEntry {
	h := sha256.New()
	for _, s := range []string{tokenURL, c.ClientID, c.ClientSecret} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var k [sha256.Size]byte
	copy(k[:], h.Sum(nil))
	tc.mu.Lock()
	defer tc.mu.Unlock()
	e, ok := tc.m[k]
	if !ok {
		e = &tokenEntry{}
		tc.m[k] = e
	}
	return e
}

// refreshMargin is how long before expiry a token is replaced: a minute, or
// half the lifetime of short-lived tokens, so a token is never sent in the
// last moments of its life (clock skew, slow requests).
func refreshMargin(lifetime time.Duration) time.Duration {
	return min(time.Minute, lifetime/2)
}

// invalidate forgets token if it is still the cached one (a 401 showed it
// revoked or expired early).
func (e *tokenEntry) invalidate(token string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.token == token {
		e.token, e.refreshAt = "", time.Time{}
	}
}
