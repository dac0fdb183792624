package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a clock tests move by hand; safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *fakeClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

func TestMemoryStore(t *testing.T) {
	runSuite(t, func(t *testing.T) harness {
		clock := newFakeClock()
		m := NewMemory(clock.Now)
		return harness{
			store:  m,
			window: time.Minute,
			now:    clock.Now,
			waitForReset: func(t *testing.T, _ string, res Result) {
				// One nanosecond before the reset the window is still closed.
				clock.Set(res.ResetAt.Add(-time.Nanosecond))
				r, err := m.Take(context.Background(), "k", 0, res.Limit, time.Minute)
				require.NoError(t, err)
				require.Equal(t, res.Used, r.Used)
				clock.Set(res.ResetAt)
			},
			stored: func(_ *testing.T, key string) bool {
				m.mu.Lock()
				defer m.mu.Unlock()
				_, ok := m.windows[key]
				return ok
			},
		}
	})
}

func TestMemoryResetAtIsExact(t *testing.T) {
	clock := newFakeClock()
	m := NewMemory(clock.Now)
	start := clock.Now()
	r, err := m.Take(context.Background(), "k", 1, 10, time.Hour)
	require.NoError(t, err)
	assert.Equal(t, start.Add(time.Hour), r.ResetAt)
	clock.Advance(10 * time.Minute)
	r, err = m.Take(context.Background(), "k", 1, 10, time.Hour)
	require.NoError(t, err)
	assert.Equal(t, start.Add(time.Hour), r.ResetAt, "the window is fixed, not sliding")
	assert.Equal(t, 2, r.Used)
}

func TestMemorySweepsOnInterval(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	m := NewMemory(clock.Now)
	for i := range 10 {
		_, err := m.Take(ctx, fmt.Sprint("old", i), 1, 10, time.Second)
		require.NoError(t, err)
	}
	assert.Equal(t, 10, m.Len())

	// Expired but the sweep interval has not passed: still held.
	clock.Advance(2 * time.Second)
	_, err := m.Take(ctx, "new", 1, 10, time.Second)
	require.NoError(t, err)
	assert.Equal(t, 11, m.Len())

	clock.Advance(SweepInterval)
	_, err = m.Take(ctx, "newer", 1, 10, time.Second)
	require.NoError(t, err)
	assert.Equal(t, 1, m.Len(), "every expired window is swept")
}

func TestMemorySweepsOnGrowth(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	m := NewMemory(clock.Now)
	const n = minSweepKeys + 1
	for i := range n {
		_, err := m.Take(ctx, fmt.Sprint("a", i), 1, 10, time.Second)
		require.NoError(t, err)
	}
	require.Equal(t, n, m.Len())

	// The first batch expires well before SweepInterval. Doubling the key count forces a
	// sweep anyway, so a flood of new keys cannot grow the map without bound.
	clock.Advance(2 * time.Second)
	const more = 1100
	for i := range more {
		_, err := m.Take(ctx, fmt.Sprint("b", i), 1, 10, time.Second)
		require.NoError(t, err)
	}
	assert.Equal(t, more, m.Len())
}

func TestMemoryReadOfExpiredWindowDropsIt(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	m := NewMemory(clock.Now)
	_, err := m.Take(ctx, "k", 5, 10, time.Second)
	require.NoError(t, err)
	clock.Advance(time.Second)
	r, err := m.Take(ctx, "k", 0, 10, time.Second)
	require.NoError(t, err)
	assert.Equal(t, 0, r.Used)
	assert.Equal(t, 0, m.Len())
}
