package gqlext

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/99designs/gqlgen/graphql"
)

const filterSDL = `
type Query { items(first: Int, where: ItemWhere): ItemConnection! }
type ItemConnection { totalCount: Int! }
input ItemWhere {
  not: ItemWhere
  and: [ItemWhere!]
  or: [ItemWhere!]
  title: String
  idIn: [ID!]
  skillsAllOf: [String!]
  skillsAnyOf: [String!]
  hasPartWith: [ItemWhere!]
}
`

var filterSchema = gqlparser.MustLoadSchema(&ast.Source{Name: "filter.graphql", Input: filterSDL})

func filterCtx(t *testing.T, query string, vars map[string]any) *graphql.OperationContext {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(filterSchema, query)
	require.Empty(t, errs)
	op := doc.Operations[0]
	coerced, err := validator.VariableValues(filterSchema, op, vars)
	require.NoError(t, err)
	return &graphql.OperationContext{Doc: doc, Operation: op, Variables: coerced}
}

func TestFilterSize(t *testing.T) {
	s := FilterSize(map[string]any{
		"title": "x",
		"or": []any{
			map[string]any{"skillsAllOf": []any{"go", "rust"}},
			map[string]any{"not": map[string]any{"skillsAnyOf": []any{"java"}}},
		},
	})
	// title 1, or 1 + 2 items, skillsAllOf 1 + 2, not 1, skillsAnyOf 1 + 1.
	assert.Equal(t, 10, s.Terms)
	assert.Equal(t, 3, s.Depth)
	assert.Equal(t, 3, s.Skills)
	assert.Zero(t, FilterSize(nil).Terms)
}

func TestFilterLimits(t *testing.T) {
	l := FilterLimits{MaxTerms: 20, MaxDepth: 3, MaxSkills: 4}
	const q = `query($w: ItemWhere) { items(first: 1, where: $w) { totalCount } }`
	or := func(n int) map[string]any {
		items := make([]any, n)
		for i := range items {
			items[i] = map[string]any{"title": "x"}
		}
		return map[string]any{"or": items}
	}
	for _, c := range []struct {
		name string
		w    map[string]any
		want string // extension naming the limit crossed, "" for none
	}{
		{"small", or(3), ""},
		{"many terms", or(15), "maxTerms"},
		{"deep", map[string]any{"not": map[string]any{"not": map[string]any{"not": map[string]any{"title": "x"}}}}, "maxDepth"},
		{"skills across the filter", map[string]any{"or": []any{
			map[string]any{"skillsAllOf": []any{"a", "b", "c"}},
			map[string]any{"hasPartWith": []any{map[string]any{"skillsAnyOf": []any{"d", "e"}}}},
		}}, "maxSkills"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := l.MutateOperationContext(context.Background(), filterCtx(t, q, map[string]any{"w": c.w}))
			if c.want == "" {
				assert.Nil(t, err)
				return
			}
			require.NotNil(t, err)
			assert.Equal(t, CodeFilterTooComplex, err.Extensions["code"])
			assert.Equal(t, "where", err.Extensions["argument"])
			assert.Contains(t, err.Extensions, c.want)
			assert.Contains(t, err.Message, "items.where")
		})
	}
	t.Run("literal filters in fragments", func(t *testing.T) {
		err := l.MutateOperationContext(context.Background(), filterCtx(t,
			`{ ...F } fragment F on Query { x: items(where: {not: {not: {not: {title: "a"}}}}) { totalCount } }`, nil))
		require.NotNil(t, err)
		assert.Contains(t, err.Message, "x.where")
	})
	t.Run("empty nested filters are refused, an empty top-level one is no filter", func(t *testing.T) {
		for path, w := range map[string]map[string]any{
			".not":   {"not": map[string]any{}},
			".or[1]": {"or": []any{map[string]any{"title": "x"}, map[string]any{}}},
		} {
			err := l.MutateOperationContext(context.Background(), filterCtx(t, q, map[string]any{"w": w}))
			require.NotNil(t, err, path)
			assert.Equal(t, "BAD_USER_INPUT", err.Extensions["code"])
			assert.Equal(t, "where", err.Extensions["argument"])
			assert.Contains(t, err.Message, "items.where"+path+" is an empty filter")
		}
		assert.Nil(t, l.MutateOperationContext(context.Background(), filterCtx(t, q, map[string]any{"w": map[string]any{}})))
	})
	t.Run("the cost counts the terms", func(t *testing.T) {
		oc := filterCtx(t, q, map[string]any{"w": or(5)})
		// items 1 + 11 terms (or, its 5 items, their 5 titles) + 1 × totalCount 1.
		assert.Equal(t, 13, OperationCost(oc.Doc, oc.Operation, oc.Variables))
	})
}
