package ratelimit

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/testredis"
)

// testRedis is testredis.Require for this package's keys.
func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	return testredis.Require(t, "ratelimit")
}

const redisWindow = 1500 * time.Millisecond

func TestRedisStore(t *testing.T) {
	runSuite(t, func(t *testing.T) harness {
		client, prefix := testRedis(t)
		store := NewRedis(client, prefix)
		return harness{
			store:     store,
			window:    redisWindow,
			now:       time.Now,
			tolerance: 250 * time.Millisecond,
			waitForReset: func(t *testing.T, key string, res Result) {
				// Real time must pass; poll briefly until Redis has expired the window.
				deadline := time.Now().Add(redisWindow + 3*time.Second)
				for {
					r, err := store.Take(context.Background(), key, 0, res.Limit, redisWindow)
					require.NoError(t, err)
					if r.Used == 0 {
						return
					}
					require.True(t, time.Now().Before(deadline), "window did not reset in time")
					time.Sleep(25 * time.Millisecond)
				}
			},
			stored: func(t *testing.T, key string) bool {
				n, err := client.Exists(context.Background(), prefix+key).Result()
				require.NoError(t, err)
				return n == 1
			},
		}
	})
}

func TestRedisKeyExpiresWithWindow(t *testing.T) {
	ctx := context.Background()
	client, prefix := testRedis(t)
	store := NewRedis(client, prefix)
	r, err := store.Take(ctx, "k", 1, 10, time.Minute)
	require.NoError(t, err)
	require.True(t, r.Allowed)

	ttl, err := client.PTTL(ctx, prefix+"k").Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, 59*time.Second)
	assert.LessOrEqual(t, ttl, time.Minute)

	// Further charges keep the window's original expiry instead of extending it.
	_, err = store.Take(ctx, "k", 1, 10, time.Hour)
	require.NoError(t, err)
	ttl, err = client.PTTL(ctx, prefix+"k").Result()
	require.NoError(t, err)
	assert.LessOrEqual(t, ttl, time.Minute)
}

func TestRedisResetAtComesFromRedis(t *testing.T) {
	ctx := context.Background()
	client, prefix := testRedis(t)
	store := NewRedis(client, prefix)
	_, err := store.Take(ctx, "k", 1, 10, time.Minute)
	require.NoError(t, err)
	// Shorten the window behind the store's back: ResetAt must follow Redis' TTL.
	require.NoError(t, client.PExpire(ctx, prefix+"k", 30*time.Second).Err())
	r, err := store.Take(ctx, "k", 0, 10, time.Minute)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(30*time.Second), r.ResetAt, 250*time.Millisecond)
}

func TestRedisRepairsKeyWithoutExpiry(t *testing.T) {
	ctx := context.Background()
	client, prefix := testRedis(t)
	require.NoError(t, client.Set(ctx, prefix+"k", 4, 0).Err())
	store := NewRedis(client, prefix)
	r, err := store.Take(ctx, "k", 1, 10, time.Minute)
	require.NoError(t, err)
	assert.True(t, r.Allowed)
	assert.Equal(t, 5, r.Used)
	ttl, err := client.PTTL(ctx, prefix+"k").Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, time.Duration(0), "a key without expiry would never reset")
}

func TestRedisReplicasShareBudget(t *testing.T) {
	ctx := context.Background()
	client, prefix := testRedis(t)
	other := redis.NewClient(client.Options())
	t.Cleanup(func() { _ = other.Close() })
	a, b := NewRedis(client, prefix), NewRedis(other, prefix)

	r, err := a.Take(ctx, "k", 6, 10, time.Minute)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	r, err = b.Take(ctx, "k", 6, 10, time.Minute)
	require.NoError(t, err)
	assert.False(t, r.Allowed)
	assert.Equal(t, 6, r.Used)
	r, err = b.Take(ctx, "k", 4, 10, time.Minute)
	require.NoError(t, err)
	assert.True(t, r.Allowed)
}

func TestRedisSurvivesScriptFlush(t *testing.T) {
	ctx := context.Background()
	client, prefix := testRedis(t)
	store := NewRedis(client, prefix)
	_, err := store.Take(ctx, "k", 1, 10, time.Minute)
	require.NoError(t, err)
	// After a restart or SCRIPT FLUSH the cached SHA is unknown; EVALSHA must fall back.
	require.NoError(t, client.ScriptFlush(ctx).Err())
	r, err := store.Take(ctx, "k", 1, 10, time.Minute)
	require.NoError(t, err)
	assert.True(t, r.Allowed)
	assert.Equal(t, 2, r.Used)
}

func TestRedisBackendError(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1,
		DialerRetries: 1, DialerRetryTimeout: time.Millisecond})
	t.Cleanup(func() { _ = client.Close() })
	_, err := NewRedis(client, "x:").Take(context.Background(), "k", 1, 10, time.Minute)
	assert.Error(t, err)
}
