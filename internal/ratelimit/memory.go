package ratelimit

import (
	"context"
	"sync"
	"time"
)

// SweepInterval is how often, at most, Memory scans for expired windows, unless the number of
// keys has doubled since the last sweep, in which case it sweeps at once.
const SweepInterval = time.Minute

// minSweepKeys is the key count below which growth alone never triggers a sweep.
const minSweepKeys = 1024

// Memory is an in-process Store. Budgets are not shared between processes, so use it for a
// single replica, development and tests; use Redis when several replicas serve traffic.
//
// Memory bound: a key takes memory only while it has a window open (costs of 0 store
// nothing). Expired windows are deleted by a sweep that runs during Take at most every
// SweepInterval, and also whenever the number of keys has doubled since the previous sweep
// (and exceeds 1024). So the map holds at most about twice the number of keys charged within
// the last window plus SweepInterval, and the sweeps cost O(1) amortised per Take.
type Memory struct {
	clock func() time.Time

	mu            sync.Mutex
	windows       map[string]memWindow
	nextSweep     time.Time
	keysAtLastSwp int
}

type memWindow struct {
	used    int
	resetAt time.Time
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty Memory store. clock tells the time (nil means time.Now); tests
// inject a fake one to move windows along without waiting.
func NewMemory(clock func() time.Time) *Memory {
	if clock == nil {
		clock = time.Now
	}
	return &Memory{clock: clock, windows: make(map[string]memWindow)}
}

// Take implements Store.
func (m *Memory) Take(_ context.Context, key string, cost, limit int, window time.Duration) (Result, error) {
	if err := checkArgs(cost, limit, window); err != nil {
		return Result{}, err
	}
	now := m.clock()

	m.mu.Lock()
	defer m.mu.Unlock()
	m.maybeSweep(now)

	w, ok := m.windows[key]
	if !ok || !now.Before(w.resetAt) {
		w = memWindow{resetAt: now.Add(window)}
		ok = false
	}
	allowed, used := decide(w.used, cost, limit)
	if allowed && cost > 0 {
		w.used = used
		m.windows[key] = w
	} else if !ok {
		// An expired window that was only read is dropped now rather than at the next sweep.
		delete(m.windows, key)
	}
	return result(allowed, w.used, limit, w.resetAt), nil
}

// Len reports how many keys hold an open or not yet swept window, for metrics.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.windows)
}

func (m *Memory) maybeSweep(now time.Time) {
	grown := len(m.windows) > minSweepKeys && len(m.windows) > 2*m.keysAtLastSwp
	if now.Before(m.nextSweep) && !grown {
		return
	}
	for k, w := range m.windows {
		if !now.Before(w.resetAt) {
			delete(m.windows, k)
		}
	}
	m.nextSweep = now.Add(SweepInterval)
	m.keysAtLastSwp = len(m.windows)
}
