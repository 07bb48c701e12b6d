// Package atstest holds what connector tests share: write-back steps kept
// in memory the way the service keeps them.
package atstest

import (
	"context"
	"sync"
)

// Steps is an ats.Steps in memory: a step is recorded only when it
// succeeded, and a recorded step is not run again. The zero value is ready
// and it is safe for concurrent use.
type Steps struct {
	mu   sync.Mutex
	done map[string]bool
}

// Do implements ats.Steps.
func (s *Steps) Do(ctx context.Context, key string, fn func(ctx context.Context) error) error {
	if s.Done(key) {
		return nil
	}
	if err := fn(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done == nil {
		s.done = map[string]bool{}
	}
	s.done[key] = true
	return nil
}

// Done reports whether the step key was recorded.
func (s *Steps) Done(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done[key]
}
