package budget

import (
	"context"
	"sync"
	"time"
)

// Memory is a Budget kept in one process: enough where one process sends
// every call (SQLite deployments). It is safe for concurrent use.
type Memory struct {
	mu   sync.Mutex
	keys map[string]*memKey
	seq  uint64 // names slots
}

type memKey struct {
	starts []time.Time
	last   time.Time
	slots  map[uint64]time.Time // slot -> lease end
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory { return &Memory{keys: make(map[string]*memKey)} }

var _ Budget = (*Memory)(nil)

// Take implements Budget.
func (m *Memory) Take(ctx context.Context, key string, lim Limit, now time.Time, maxWait time.Duration) (Grant, error) {
	if err := lim.check(); err != nil {
		return Grant{}, err
	}
	if err := ctx.Err(); err != nil {
		return Grant{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := m.keys[key]
	if k == nil {
		k = &memKey{slots: make(map[uint64]time.Time)}
		m.keys[key] = k
	}
	if lim.Slots > 0 {
		var earliest time.Time
		for id, end := range k.slots {
			if !end.After(now) {
				delete(k.slots, id) // its holder is gone or too slow: the lease is over
			} else if earliest.IsZero() || end.Before(earliest) {
				earliest = end
			}
		}
		if len(k.slots) >= lim.Slots {
			return Grant{}, &WaitError{Wait: slotWait(earliest, now), Slot: true}
		}
	}
	at, starts, ok := reserve(lim, k.starts, k.last, now, maxWait)
	if !ok {
		k.starts = starts
		return Grant{}, &WaitError{Wait: at.Sub(now)}
	}
	k.starts = starts
	if lim.N > 0 {
		k.last = later(k.last, at)
	}
	if lim.Slots == 0 {
		return Grant{Start: at, Release: func(context.Context) error { return nil }}, nil
	}
	m.seq++
	id := m.seq
	k.slots[id] = now.Add(lim.lease())
	return Grant{Start: at, Release: func(context.Context) error {
		m.mu.Lock()
		defer m.mu.Unlock()
		delete(k.slots, id)
		return nil
	}}, nil
}
