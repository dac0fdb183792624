package apqcache

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/redis/go-redis/v9"
)

// DefaultTTL is how long a query stays cached after it was last registered. A day keeps
// every query of an active client cached while letting those of retired client versions
// expire.
const DefaultTTL = 24 * time.Hour

// Cache is a graphql.Cache[string] kept in Redis. It is safe for concurrent use.
type Cache struct {
	client        redis.UniversalClient
	prefix        string
	ttl           time.Duration
	maxQueryBytes int
	budget        int64
	onError       func(ctx context.Context, err error)
	// skipUntil (unix nanoseconds): after a Redis error the cache is left alone for a
	// second, so that an outage does not cost every request a failed round trip.
	skipUntil atomic.Int64
}

// skipAfterError is how long Redis is left alone after an error.
const skipAfterError = time.Second

func (c *Cache) skipping() bool { return time.Now().UnixNano() < c.skipUntil.Load() }

var _ graphql.Cache[string] = (*Cache)(nil)

// Option configures a Cache.
type Option func(*Cache)

// OnError sets a function told about every Redis error, which the Cache otherwise swallows
// because graphql.Cache has no way to return one.
func OnError(fn func(ctx context.Context, err error)) Option {
	return func(c *Cache) { c.onError = fn }
}

// MaxQueryBytes stops Add from storing queries longer than n bytes, so that clients cannot
// fill Redis with huge documents; such queries simply keep being sent in full. 0, the
// default, stores queries of any size.
func MaxQueryBytes(n int) Option {
	return func(c *Cache) { c.maxQueryBytes = n }
}

// Budget bounds the bytes the Cache keeps in Redis to about total, independently of Redis's
// maxmemory: every Add (a registration, or a re-registration that restarts the TTL) is
// charged len(hash)+len(query) to a counter for the current TTL-long window, and an Add that
// would take the window past total/2 is dropped. A key lives at most one TTL after its last
// Add, so the keys alive at any moment were charged in the current or the previous window:
// at most total bytes. A dropped query still works; the client keeps sending its text until
// the window turns. 0, the default, sets no budget.
func Budget(total int64) Option {
	return func(c *Cache) { c.budget = total }
}

// addWithin stores a query and charges its size to the window's counter, unless that would
// exceed the window's budget. KEYS: query key, window counter. ARGV: query, size, window
// budget, counter lifetime (ms), query TTL (ms).
var addWithin = redis.NewScript(`
local n = tonumber(ARGV[2])
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if used + n > tonumber(ARGV[3]) then return 0 end
redis.call('INCRBY', KEYS[2], n)
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[5])
return 1
`)

// New returns a Cache that keeps each query under prefix+hash for ttl (DefaultTTL when ttl
// is 0 or negative). Use a prefix such as "careergraph:apq:".
func New(client redis.UniversalClient, prefix string, ttl time.Duration, opts ...Option) *Cache {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	c := &Cache{client: client, prefix: prefix, ttl: ttl}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Get implements graphql.Cache: it returns the query cached under hash. A Redis error counts
// as a miss.
func (c *Cache) Get(ctx context.Context, hash string) (string, bool) {
	if c.skipping() {
		return "", false
	}
	v, err := c.client.Get(ctx, c.prefix+hash).Result()
	if err != nil {
		if !errors.Is(err, redis.Nil) {
			c.report(ctx, err)
		}
		return "", false
	}
	return v, true
}

// Add implements graphql.Cache: it caches query under hash for the TTL, restarting the TTL
// if it was already there. gqlgen calls it only after checking that hash is the query's
// SHA-256.
func (c *Cache) Add(ctx context.Context, hash, query string) {
	if (c.maxQueryBytes > 0 && len(query) > c.maxQueryBytes) || c.skipping() {
		return
	}
	if c.budget > 0 {
		window := time.Now().UnixMilli() / c.ttl.Milliseconds()
		keys := []string{c.prefix + hash, c.prefix + "bytes:" + strconv.FormatInt(window, 10)}
		err := addWithin.Run(ctx, c.client, keys, query, len(hash)+len(query), c.budget/2,
			(2 * c.ttl).Milliseconds(), c.ttl.Milliseconds()).Err()
		if err != nil {
			c.report(ctx, err)
		}
		return
	}
	if err := c.client.Set(ctx, c.prefix+hash, query, c.ttl).Err(); err != nil {
		c.report(ctx, err)
	}
}

func (c *Cache) report(ctx context.Context, err error) {
	if ctx.Err() == nil {
		c.skipUntil.Store(time.Now().Add(skipAfterError).UnixNano())
	}
	if c.onError != nil {
		c.onError(ctx, err)
	}
}
