package querycache

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
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
	q := "{" + strings.Repeat(" __typename", 1000) + "}" // 11 kB of text, 1,001 nodes: ~333 kB estimated
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	require.NoError(t, err)
	for i := range 20 {
		c.Add(ctx, fmt.Sprintf("%s#%d", q, i), doc)
	}
	assert.LessOrEqual(t, c.WeightedSize(), uint64(budget))
	n := 0
	for i := range 20 {
		if _, ok := c.Get(ctx, fmt.Sprintf("%s#%d", q, i)); ok {
			n++
		}
	}
	assert.Positive(t, n)
	assert.LessOrEqual(t, n, 3, "at most three such documents fit in 1 MiB by the estimate")
}

// TestParsedEstimateCoversRealTrees checks the estimate the parsed cache is bounded by: for
// documents of very different shapes, the heap their parsed trees keep alive (measured after
// GC, averaged over several copies, its text included) stays under ParsedWeight, and is not
// overestimated more than fourfold for ordinary documents.
// If a gqlparser upgrade makes trees bigger, this fails and the constants must be measured again.
func TestParsedEstimateCoversRealTrees(t *testing.T) {
	docs := map[string]string{
		"cluster page": `query RolePage($slug: String!) { role(slug: $slug) { title overview aliases
			experienceRange { min max } salary { currency p10 median p90 }
			coreSkills { rank skill { name slug } }
			openings(first: 20, where: {status: LIVE}, orderBy: {field: POSTED_AT, direction: DESC}) {
				totalCount edges { cursor node { title postedAt company { name } location { city } skills { name } } }
				pageInfo { hasNextPage endCursor } } } }`,
		"2,000 __typename":   "{" + strings.Repeat(" __typename", 2000) + "}",
		"200 aliased fields": "{" + aliased(200) + "}",
		"deep nesting":       strings.Repeat("{ a ", 100) + strings.Repeat("}", 100),
		"compact nesting":    strings.Repeat("{a", 100) + strings.Repeat("}", 100),
		"compact fields":     "{" + strings.Repeat("a ", 2000) + "}",
		"compact arguments":  "{a(" + strings.Repeat("b:1 ", 1000) + ")}",
		"compact lists":      "{a(b:[" + strings.Repeat("1 ", 2000) + "])}",
		"compact objects":    "{a(b:[" + strings.Repeat("{c:1}", 1000) + "])}",
		"directives":         "{a" + strings.Repeat("@b ", 1000) + "}",
		"many fragments":     fragments(100),
		"long string":        `{ search(text: "` + strings.Repeat("x", 20000) + `") { id } }`,
		"variables":          "query(" + variables(200) + ") { __typename }",
	}
	for name, q := range docs {
		t.Run(name, func(t *testing.T) {
			// Enough copies that the trees dwarf whatever else the heap does meanwhile.
			copies := max(20, 4<<20/(len(q)*30))
			keep := make([]*ast.QueryDocument, copies)
			inputs := make([]string, copies)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.GC()
			runtime.ReadMemStats(&before)
			for i := range keep {
				// The cache keeps the text too (it is the key, and the tree's strings point
				// into it), so it is part of what the estimate covers.
				inputs[i] = strings.Clone(q)
				doc, err := parser.ParseQuery(&ast.Source{Input: inputs[i]})
				require.NoError(t, err)
				keep[i] = doc
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			perDoc := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / int64(copies)
			estimate := ParsedWeight(q, keep[0])
			t.Logf("%d bytes of text: %d bytes of tree, estimate %d", len(q), perDoc, estimate)
			assert.Positive(t, perDoc, "the measurement saw the trees")
			assert.LessOrEqual(t, perDoc, estimate)
			assert.LessOrEqual(t, estimate, 4*perDoc, "the estimate is an estimate, not a guess far above")
			runtime.KeepAlive(keep)
		})
	}
}

func aliased(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, " a%d: role(slug: \"s%d\") { id title }", i, i)
	}
	return b.String()
}

func fragments(n int) string {
	var b strings.Builder
	b.WriteString("{ ...f0 }")
	for i := range n {
		fmt.Fprintf(&b, " fragment f%d on Query { __typename ...f%d }", i, i+1)
	}
	fmt.Fprintf(&b, " fragment f%d on Query { __typename }", n)
	return b.String()
}

func variables(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, " $v%d: [String!] = [\"a\", \"b\"]", i)
	}
	return b.String()
}
