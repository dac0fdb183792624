package gqlext

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOperationCost(t *testing.T) {
	for _, c := range []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		{"leaf", "{ __typename }", nil, 1},
		{"object", "{ viewer { id name } }", nil, 3},
		{"brief example",
			"{ roles(first: 10) { edges { node { openings(first: 20) { edges { node { id } } } } } } }", nil, 631},
		{"last", "{ roles(last: 7) { totalCount } }", nil, 8},
		{"first and last take the larger", "{ roles(first: 3, last: 7) { totalCount } }", nil, 8},
		{"variable", "query($n: Int) { roles(first: $n) { totalCount edges { node { id } } } }",
			map[string]any{"n": 5}, 21},
		{"variable from JSON", "query($n: Int) { roles(first: $n) { totalCount edges { node { id } } } }",
			map[string]any{"n": float64(5)}, 21},
		{"absent variable", "query($n: Int) { roles(first: $n) { totalCount edges { node { id } } } }", nil, 5},
		{"variable default", "query($n: Int = 4) { roles(first: $n) { totalCount } }", nil, 5},
		{"zero never lowers the multiplier", "{ roles(first: 0) { totalCount } }", nil, 2},
		{"fragments", "{ viewer { ...U } role(id: 1) { ... on Role { id } } } fragment U on User { id friends(first: 3) { totalCount } }",
			nil, 8},
		{"fragment spread twice counts twice", "{ viewer { ...U ...U } } fragment U on User { friends(first: 3) { totalCount } }",
			nil, 9},
		{"nested connections multiply", "{ viewer { friends(first: 10) { edges { node { friends(first: 10) { totalCount } } } } } }",
			nil, 1 + (1 + 10*(1+(1+(1+10))))},
		{"fragment chain", fragmentChain(3), nil, 339},
		{"schema default", "{ groups { name } }", nil, 11},
		{"argument over the default", "{ groups(first: 2) { name } }", nil, 3},
		{"absent variable takes the schema default", "query($n: Int) { groups(first: $n) { name } }", nil, 11},
	} {
		t.Run(c.name, func(t *testing.T) {
			oc := opCtx(t, c.query, c.vars)
			assert.Equal(t, c.want, OperationCost(oc.Doc, oc.Operation, oc.Variables))
		})
	}
}

func TestCostExtension(t *testing.T) {
	const query = "{ roles(first: 10) { edges { node { openings(first: 20) { edges { node { id } } } } } } }"

	t.Run("records the cost for a rate limiter", func(t *testing.T) {
		oc := opCtx(t, query, nil)
		ctx := graphql.WithOperationContext(context.Background(), oc)
		require.Nil(t, Cost{Max: 1000}.MutateOperationContext(ctx, oc))
		cost, ok := CostOf(ctx)
		assert.True(t, ok)
		assert.Equal(t, 631, cost)
	})

	t.Run("refuses above the maximum", func(t *testing.T) {
		oc := opCtx(t, query, nil)
		ctx := graphql.WithOperationContext(context.Background(), oc)
		err := Cost{Max: 500}.MutateOperationContext(ctx, oc)
		require.NotNil(t, err)
		assert.Equal(t, CodeCostLimitExceeded, err.Extensions["code"])
		assert.Equal(t, 631, err.Extensions["cost"])
		assert.Equal(t, 500, err.Extensions["maxCost"])
		assert.Contains(t, err.Message, "cost 631")
		assert.Contains(t, err.Message, "maximum cost of 500")
		cost, ok := CostOf(ctx)
		assert.True(t, ok, "the cost is recorded even when refused")
		assert.Equal(t, 631, cost)
	})

	t.Run("cost equal to the maximum passes", func(t *testing.T) {
		oc := opCtx(t, query, nil)
		assert.Nil(t, Cost{Max: 631}.MutateOperationContext(context.Background(), oc))
	})

	t.Run("zero maximum still records", func(t *testing.T) {
		oc := opCtx(t, query, nil)
		ctx := graphql.WithOperationContext(context.Background(), oc)
		require.Nil(t, Cost{}.MutateOperationContext(ctx, oc))
		cost, ok := CostOf(ctx)
		assert.True(t, ok)
		assert.Equal(t, 631, cost)
	})

	t.Run("CostOf without the extension", func(t *testing.T) {
		_, ok := CostOf(context.Background())
		assert.False(t, ok)
		oc := opCtx(t, query, nil)
		_, ok = CostOf(graphql.WithOperationContext(context.Background(), oc))
		assert.False(t, ok)
	})

	t.Run("huge page sizes saturate", func(t *testing.T) {
		oc := opCtx(t, "{ roles(first: 2000000000) { edges { node { openings(first: 2000000000) { totalCount } } } } }", nil)
		assert.Equal(t, Saturated, OperationCost(oc.Doc, oc.Operation, oc.Variables))
	})

	t.Run("negative maximum is a configuration error", func(t *testing.T) {
		assert.Error(t, Cost{Max: -1}.Validate(nil))
	})
}
