// Package querycache holds the two in-process caches of GraphQL documents that clients fill,
// bounded by bytes rather than by count: with a count bound, a thousand documents of up to
// the body limit each could hold a gigabyte. Persisted queries (APQ) are weighed by their
// text; parsed documents by an estimate of their syntax tree. Eviction is otter's (recency and
// frequency); the bound may be exceeded briefly while an eviction is under way.
package querycache

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/maypok86/otter/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// ParsedBytesPerByte and ParsedOverhead estimate the heap a parsed document takes from the
// length of its text: measured with gqlparser v2.5.64, trees take 21 to 28 times the text
// (the cluster page's 669-byte query: 16 kB; 2,000 repeated __typename fields: 22 kB of text,
// 457 kB of tree; 200 aliased fields with arguments: 5 kB, 148 kB). The estimate rounds up.
const (
	ParsedBytesPerByte = 32
	ParsedOverhead     = 1024
)

// Cache is a graphql.Cache bounded by the total weight, in bytes, of what it holds.
type Cache[V any] struct {
	c *otter.Cache[string, V]
}

var _ graphql.Cache[string] = (*Cache[string])(nil)

func newCache[V any](maxBytes int64, ttl time.Duration, weigh func(key string, v V) int64) *Cache[V] {
	o := &otter.Options[string, V]{
		MaximumWeight: uint64(max(maxBytes, 1)),
		Weigher: func(k string, v V) uint32 {
			return uint32(min(weigh(k, v), int64(^uint32(0))))
		},
	}
	if ttl > 0 {
		o.ExpiryCalculator = otter.ExpiryWriting[string, V](ttl)
	}
	return &Cache[V]{c: otter.Must(o)}
}

// NewPersisted returns the in-process APQ cache: at most maxBytes of hashes and query texts,
// each kept for ttl after it was last registered (no expiry when ttl is 0). A document longer
// than maxQueryBytes is never stored (the APQ guard refuses it first, with
// PERSISTED_QUERY_TOO_LARGE).
func NewPersisted(maxBytes int64, maxQueryBytes int, ttl time.Duration) graphql.Cache[string] {
	c := newCache(maxBytes, ttl, func(k, v string) int64 { return int64(len(k) + len(v)) })
	return persisted{c: c, maxQueryBytes: maxQueryBytes}
}

type persisted struct {
	c             *Cache[string]
	maxQueryBytes int
}

func (p persisted) Get(ctx context.Context, key string) (string, bool) { return p.c.Get(ctx, key) }
func (p persisted) Add(ctx context.Context, key, query string) {
	if p.maxQueryBytes > 0 && len(query) > p.maxQueryBytes {
		return
	}
	p.c.Add(ctx, key, query)
}

// NewParsed returns the parsed-query cache for gqlgen's SetQueryCache: at most maxBytes of
// parsed documents by the ParsedBytesPerByte estimate. gqlgen caches only documents that
// parsed and validated.
func NewParsed(maxBytes int64) *Cache[*ast.QueryDocument] {
	return newCache(maxBytes, 0, func(k string, _ *ast.QueryDocument) int64 {
		return int64(len(k))*ParsedBytesPerByte + ParsedOverhead
	})
}

// Get implements graphql.Cache.
func (c *Cache[V]) Get(_ context.Context, key string) (V, bool) { return c.c.GetIfPresent(key) }

// Add implements graphql.Cache.
func (c *Cache[V]) Add(_ context.Context, key string, value V) { c.c.Set(key, value) }

// WeightedSize reports the weight held after finishing pending evictions, for tests and
// metrics.
func (c *Cache[V]) WeightedSize() uint64 {
	c.c.CleanUp()
	return c.c.WeightedSize()
}
