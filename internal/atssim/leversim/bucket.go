package leversim

// bucket is a token bucket driven by the server's clock rather than the
// wall clock, so tests decide exactly when tokens come back.
type bucket struct {
	tokens float64
	last   int64 // clock reading in ns at the last refill
}

// take spends one token of key's bucket, reporting false when it is empty.
// Caller holds s.mu.
func (s *Server) take(key string) bool {
	if s.rps <= 0 {
		return true
	}
	now := s.now().UnixNano()
	b := s.buckets[key]
	if b == nil {
		b = &bucket{tokens: float64(s.burst), last: now}
		s.buckets[key] = b
	}
	if elapsed := now - b.last; elapsed > 0 { // a clock moved backwards refills nothing
		b.tokens = min(float64(s.burst), b.tokens+float64(elapsed)/1e9*s.rps)
		b.last = now
	}
	// The epsilon absorbs float error, e.g. 0.1 s × 10/s landing just under 1.
	if b.tokens < 1-1e-9 {
		return false
	}
	b.tokens = max(b.tokens-1, 0)
	return true
}
