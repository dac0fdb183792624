package querycache

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestPersistedIsBoundedByBytes: however many documents are registered, the cache holds no
// more than its byte budget; an over-long document is never stored; small ones are found.
func TestPersistedIsBoundedByBytes(t *testing.T) {
	ctx := context.Background()
	const budget = 64 << 10
	pc := NewPersisted(budget, 8<<10, 0).(persisted)
	big := strings.Repeat("x", 8<<10+1)
	pc.Add(ctx, "big", big)
	_, ok := pc.Get(ctx, "big")
	assert.False(t, ok, "a document over the per-document limit is not stored")

	doc := strings.Repeat("y", 4000)
	for i := range 1000 { // 4 MB offered to a 64 kB cache
		pc.Add(ctx, fmt.Sprintf("h%04d", i), doc)
	}
	assert.LessOrEqual(t, pc.c.WeightedSize(), uint64(budget))
	assert.Greater(t, pc.c.WeightedSize(), uint64(budget/2), "the budget is used, not wasted")

	pc.Add(ctx, "small", "{ __typename }")
	got, ok := pc.Get(ctx, "small")
	assert.True(t, ok)
	assert.Equal(t, "{ __typename }", got)
}

// TestParsedIsBoundedByEstimatedBytes: parsed documents are weighed by the estimate, so large
// documents take proportionally more of the budget.
func TestParsedIsBoundedByEstimatedBytes(t *testing.T) {
	ctx := context.Background()
	const budget = 1 << 20
	c := NewParsed(budget)
	q := "{" + strings.Repeat(" __typename", 1000) + "}" // 11 kB of text, ~353 kB estimated
	for i := range 20 {
		c.Add(ctx, fmt.Sprintf("%s#%d", q, i), &ast.QueryDocument{})
	}
	assert.LessOrEqual(t, c.WeightedSize(), uint64(budget))
	n := 0
	for i := range 20 {
		if _, ok := c.Get(ctx, fmt.Sprintf("%s#%d", q, i)); ok {
			n++
		}
	}
	assert.LessOrEqual(t, n, 2, "at most two such documents fit in 1 MiB by the estimate")
}
