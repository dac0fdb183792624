package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Store kept in Redis, so that several stateless replicas share one budget per
// key. Each key is one Redis string holding the points used, created with an expiry equal to
// the window, so Redis itself ends windows and frees their memory.
//
// ResetAt is computed from Redis' own clock (TIME) plus the key's PTTL, never from the
// replica's clock, so every replica reports the same reset time even if their clocks drift.
type Redis struct {
	client redis.UniversalClient
	prefix string
}

var _ Store = (*Redis)(nil)

// NewRedis returns a Store that keeps budgets in client under keys prefix+key. Use a prefix
// such as "careergraph:ratelimit:" so the keys can be told apart from other data.
func NewRedis(client redis.UniversalClient, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix}
}

// takeScript does the whole read-decide-charge step atomically.
//
// KEYS[1] the budget key; ARGV[1] cost, ARGV[2] limit, ARGV[3] window in ms.
// Returns {allowed (0/1), used, ttl ms, server seconds, server microseconds}.
var takeScript = redis.NewScript(`
local cost = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local used = 0
local ttl = redis.call('PTTL', KEYS[1])
local fresh = (ttl == -2)
if fresh then
  ttl = window
else
  used = tonumber(redis.call('GET', KEYS[1])) or 0
  if ttl == -1 then
    -- A key without expiry would never reset; repair it.
    redis.call('PEXPIRE', KEYS[1], window)
    ttl = window
  end
end
local remaining = limit - used
if remaining < 0 then remaining = 0 end
local allowed = 0
if cost <= remaining then
  allowed = 1
  if cost > 0 then
    if fresh then
      redis.call('SET', KEYS[1], cost, 'PX', window)
    else
      redis.call('INCRBY', KEYS[1], cost)
    end
    used = used + cost
  end
end
local now = redis.call('TIME')
return {allowed, used, ttl, tonumber(now[1]), tonumber(now[2])}
`)

// Take implements Store.
func (r *Redis) Take(ctx context.Context, key string, cost, limit int, window time.Duration) (Result, error) {
	if err := checkArgs(cost, limit, window); err != nil {
		return Result{}, err
	}
	windowMS := window.Milliseconds()
	vals, err := takeScript.Run(ctx, r.client, []string{r.prefix + key}, cost, limit, windowMS).Int64Slice()
	if err != nil {
		return Result{}, fmt.Errorf("ratelimit: redis take: %w", err)
	}
	if len(vals) != 5 {
		return Result{}, fmt.Errorf("ratelimit: redis take: unexpected reply %v", vals)
	}
	now := time.Unix(vals[3], vals[4]*int64(time.Microsecond))
	resetAt := now.Add(time.Duration(vals[2]) * time.Millisecond)
	return result(vals[0] == 1, int(vals[1]), limit, resetAt), nil
}
