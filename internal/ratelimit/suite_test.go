package ratelimit

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// harness adapts one Store to the shared behaviour suite.
type harness struct {
	store Store
	// window is the window the suite uses; short for Redis, where time really passes.
	window time.Duration
	// now is the clock the store's ResetAt is comparable with.
	now func() time.Time
	// tolerance is how far ResetAt may drift from now+window (clock steps, ms rounding).
	tolerance time.Duration
	// waitForReset returns once the window of key that ends at res.ResetAt has ended.
	waitForReset func(t *testing.T, key string, res Result)
	// stored reports whether the store keeps any state for key.
	stored func(t *testing.T, key string) bool
}

// runSuite runs the behaviour every Store must have.
func runSuite(t *testing.T, newHarness func(t *testing.T) harness) {
	ctx := context.Background()

	t.Run("consumes the budget", func(t *testing.T) {
		h := newHarness(t)
		start := h.now()
		r, err := h.store.Take(ctx, "k", 3, 10, h.window)
		require.NoError(t, err)
		assert.Equal(t, Result{Allowed: true, Limit: 10, Used: 3, Remaining: 7, ResetAt: r.ResetAt}, r)
		assert.WithinDuration(t, start.Add(h.window), r.ResetAt, h.tolerance)
		first := r.ResetAt

		r, err = h.store.Take(ctx, "k", 7, 10, h.window)
		require.NoError(t, err)
		assert.True(t, r.Allowed)
		assert.Equal(t, 10, r.Used)
		assert.Equal(t, 0, r.Remaining)
		assert.WithinDuration(t, first, r.ResetAt, 5*time.Millisecond, "same window, same reset")

		r, err = h.store.Take(ctx, "k", 0, 10, h.window)
		require.NoError(t, err)
		assert.True(t, r.Allowed, "a cost of 0 only reads")
		assert.Equal(t, 10, r.Used)
		assert.Equal(t, 0, r.Remaining)
	})

	t.Run("refuses without consuming", func(t *testing.T) {
		h := newHarness(t)
		_, err := h.store.Take(ctx, "k", 8, 10, h.window)
		require.NoError(t, err)

		r, err := h.store.Take(ctx, "k", 3, 10, h.window)
		require.NoError(t, err)
		assert.False(t, r.Allowed)
		assert.Equal(t, 8, r.Used)
		assert.Equal(t, 2, r.Remaining)

		r, err = h.store.Take(ctx, "k", 2, 10, h.window)
		require.NoError(t, err)
		assert.True(t, r.Allowed, "the refused request must not have used the last 2 points")
		assert.Equal(t, 10, r.Used)

		r, err = h.store.Take(ctx, "k", 1, 10, h.window)
		require.NoError(t, err)
		assert.False(t, r.Allowed)
		assert.Equal(t, 10, r.Used)
	})

	t.Run("refuses a cost above the limit", func(t *testing.T) {
		h := newHarness(t)
		r, err := h.store.Take(ctx, "k", 11, 10, h.window)
		require.NoError(t, err)
		assert.False(t, r.Allowed)
		assert.Equal(t, 0, r.Used)
		assert.Equal(t, 10, r.Remaining)
		assert.False(t, h.stored(t, "k"), "a refused request opens no window")

		r, err = h.store.Take(ctx, "k", 10, 10, h.window)
		require.NoError(t, err)
		assert.True(t, r.Allowed, "a cost equal to the limit fits")
	})

	t.Run("cost 0 reads without opening a window", func(t *testing.T) {
		h := newHarness(t)
		start := h.now()
		r, err := h.store.Take(ctx, "k", 0, 10, h.window)
		require.NoError(t, err)
		assert.True(t, r.Allowed)
		assert.Equal(t, 0, r.Used)
		assert.Equal(t, 10, r.Remaining)
		assert.WithinDuration(t, start.Add(h.window), r.ResetAt, h.tolerance)
		assert.False(t, h.stored(t, "k"))
	})

	t.Run("keys are independent", func(t *testing.T) {
		h := newHarness(t)
		r, err := h.store.Take(ctx, "a", 10, 10, h.window)
		require.NoError(t, err)
		require.True(t, r.Allowed)
		r, err = h.store.Take(ctx, "b", 10, 10, h.window)
		require.NoError(t, err)
		assert.True(t, r.Allowed)
		assert.Equal(t, 10, r.Used)
	})

	t.Run("budget is whole again after the window", func(t *testing.T) {
		h := newHarness(t)
		first, err := h.store.Take(ctx, "k", 10, 10, h.window)
		require.NoError(t, err)
		require.True(t, first.Allowed)
		r, err := h.store.Take(ctx, "k", 1, 10, h.window)
		require.NoError(t, err)
		require.False(t, r.Allowed)

		h.waitForReset(t, "k", first)

		r, err = h.store.Take(ctx, "k", 0, 10, h.window)
		require.NoError(t, err)
		assert.Equal(t, 0, r.Used)
		assert.Equal(t, 10, r.Remaining)

		r, err = h.store.Take(ctx, "k", 4, 10, h.window)
		require.NoError(t, err)
		assert.True(t, r.Allowed)
		assert.Equal(t, 4, r.Used)
		assert.True(t, r.ResetAt.After(first.ResetAt), "a new window ends later than the old one")
	})

	t.Run("concurrent takes never overspend", func(t *testing.T) {
		h := newHarness(t)
		const workers, cost, limit = 50, 3, 100
		var allowed atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := h.store.Take(ctx, "k", cost, limit, h.window)
				if err != nil {
					errs <- err
					return
				}
				if r.Allowed {
					allowed.Add(1)
				}
				if r.Used > limit {
					errs <- errors.New("used exceeds limit")
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		assert.Equal(t, int64(limit/cost), allowed.Load())
		r, err := h.store.Take(ctx, "k", 0, limit, h.window)
		require.NoError(t, err)
		assert.Equal(t, (limit/cost)*cost, r.Used)
	})

	t.Run("lowering the limit below what was used", func(t *testing.T) {
		h := newHarness(t)
		_, err := h.store.Take(ctx, "k", 8, 10, h.window)
		require.NoError(t, err)
		r, err := h.store.Take(ctx, "k", 1, 5, h.window)
		require.NoError(t, err)
		assert.False(t, r.Allowed)
		assert.Equal(t, 8, r.Used)
		assert.Equal(t, 0, r.Remaining, "remaining never goes below zero")
	})

	t.Run("invalid arguments", func(t *testing.T) {
		h := newHarness(t)
		for _, c := range []struct {
			cost, limit int
			window      time.Duration
		}{{-1, 10, h.window}, {1, 0, h.window}, {1, 10, 0}, {1, 10, time.Microsecond}} {
			_, err := h.store.Take(ctx, "k", c.cost, c.limit, c.window)
			assert.ErrorIs(t, err, ErrInvalidArgument, "%+v", c)
		}
	})
}
