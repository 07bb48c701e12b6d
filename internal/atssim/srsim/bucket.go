package srsim

import "time"

// bucket is a token bucket driven by the server's clock rather than the
// wall clock, so tests decide exactly when tokens come back.
type bucket struct {
	tokens float64
	last   int64 // clock reading in ns at the last refill
}

// refill tops up id's bucket for the time passed. Caller holds s.mu.
func (s *Server) refill(id string) *bucket {
	now := s.now().UnixNano()
	b := s.buckets[id]
	if b == nil {
		b = &bucket{tokens: float64(s.burst), last: now}
		s.buckets[id] = b
	}
	if elapsed := now - b.last; elapsed > 0 { // a clock moved backwards refills nothing
		b.tokens = min(float64(s.burst), b.tokens+float64(elapsed)/1e9*s.rps)
		b.last = now
	}
	return b
}

// take spends one token of id's bucket; when it is empty it reports how
// long until the next token. Caller holds s.mu.
func (s *Server) take(id string) (wait time.Duration, ok bool) {
	if s.rps <= 0 {
		return 0, true
	}
	b := s.refill(id)
	// The epsilon absorbs float error, e.g. 0.1 s × 10/s landing just under 1.
	if b.tokens < 1-1e-9 {
		return time.Duration((1 - b.tokens) / s.rps * 1e9), false
	}
	b.tokens = max(b.tokens-1, 0)
	return 0, true
}

// remaining is the whole tokens left in id's bucket. Caller holds s.mu.
func (s *Server) remaining(id string) int {
	if s.rps <= 0 {
		return s.burst
	}
	return int(s.refill(id).tokens + 1e-9)
}
