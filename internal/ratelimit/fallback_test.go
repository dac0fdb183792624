package ratelimit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// down is a Store whose backing service is away (the Redis outage itself is played through a
// proxy in internal/httpserver's TestRedisOutageFailsNoRequest).
type down struct{ calls int }

func (d *down) Take(context.Context, string, int, int, time.Duration) (Result, error) {
	d.calls++
	return Result{}, errors.New("dial tcp: connection refused")
}

// TestFallbackKeepsBudgetsWhilePrimaryFails: with the primary failing, budgets are charged
// and enforced in the secondary, the primary is left alone for the cooldown, and each failure
// is reported once.
func TestFallbackKeepsBudgetsWhilePrimaryFails(t *testing.T) {
	ctx := context.Background()
	primary := &down{}
	var reported int
	f := &Fallback{Primary: primary, Secondary: NewMemory(nil), Cooldown: time.Hour,
		OnError: func(context.Context, error) { reported++ }}
	for range 3 {
		res, err := f.Take(ctx, "k", 1, 3, time.Minute)
		require.NoError(t, err)
		assert.True(t, res.Allowed)
	}
	res, err := f.Take(ctx, "k", 1, 3, time.Minute)
	require.NoError(t, err)
	assert.False(t, res.Allowed, "the budget holds in the secondary")
	assert.Equal(t, 1, primary.calls, "the primary is skipped during the cooldown")
	assert.Equal(t, 1, reported)
	assert.True(t, f.Degraded())
	_, err = f.Take(ctx, "k", -1, 3, time.Minute)
	assert.ErrorIs(t, err, ErrInvalidArgument)
}
