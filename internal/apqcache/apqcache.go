package apqcache

import (
	"context"
	"errors"
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
	onError       func(ctx context.Context, err error)
}

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
	if c.maxQueryBytes > 0 && len(query) > c.maxQueryBytes {
		return
	}
	if err := c.client.Set(ctx, c.prefix+hash, query, c.ttl).Err(); err != nil {
		c.report(ctx, err)
	}
}

func (c *Cache) report(ctx context.Context, err error) {
	if c.onError != nil {
		c.onError(ctx, err)
	}
}
