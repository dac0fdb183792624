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

// ParsedNodeBytes and ParsedOverhead estimate the heap a parsed document takes: its text (the
// cache key, which the tree's strings point into) plus ParsedNodeBytes for every node of the
// tree (selection, argument, value, directive, variable, definition) plus ParsedOverhead. A
// per-byte-of-text estimate cannot be a bound: compact documents ("{a a a …}", "[1 1 1 …]") build
// over 100 bytes of tree per byte of text, spaced ones 20. Measured with gqlparser v2.5 (see
// TestParsedEstimateCoversRealTrees): 200 to 250 bytes a node whatever the shape.
const (
	ParsedNodeBytes = 320
	ParsedOverhead  = 1024
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
// parsed documents by ParsedWeight. gqlgen caches only documents that parsed and validated.
func NewParsed(maxBytes int64) *Cache[*ast.QueryDocument] {
	return newCache(maxBytes, 0, ParsedWeight)
}

// ParsedWeight is the estimated heap of doc parsed from text: one walk over the tree, done once
// when the document enters the cache.
func ParsedWeight(text string, doc *ast.QueryDocument) int64 {
	return int64(len(text)) + int64(countNodes(doc))*ParsedNodeBytes + ParsedOverhead
}

func countNodes(doc *ast.QueryDocument) int {
	if doc == nil {
		return 0
	}
	n := 0
	var value func(v *ast.Value)
	value = func(v *ast.Value) {
		if v == nil {
			return
		}
		n++
		for _, c := range v.Children {
			n++ // the child entry, with its name for object fields
			value(c.Value)
		}
	}
	arguments := func(args ast.ArgumentList) {
		for _, a := range args {
			n++
			value(a.Value)
		}
	}
	directives := func(ds ast.DirectiveList) {
		for _, d := range ds {
			n++
			arguments(d.Arguments)
		}
	}
	var selections func(ss ast.SelectionSet)
	selections = func(ss ast.SelectionSet) {
		for _, s := range ss {
			n++
			switch s := s.(type) {
			case *ast.Field:
				arguments(s.Arguments)
				directives(s.Directives)
				selections(s.SelectionSet)
			case *ast.InlineFragment:
				directives(s.Directives)
				selections(s.SelectionSet)
			case *ast.FragmentSpread:
				directives(s.Directives)
			}
		}
	}
	for _, op := range doc.Operations {
		n++
		for _, v := range op.VariableDefinitions {
			n++
			value(v.DefaultValue)
			directives(v.Directives)
		}
		directives(op.Directives)
		selections(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		n++
		directives(f.Directives)
		selections(f.SelectionSet)
	}
	return n
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
