package gqlext

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/introspection"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// depthBomb nests friends k times under viewer; its depth is 3k+2.
func depthBomb(k int) string {
	return "{ viewer { " + strings.Repeat("friends { edges { node { ", k) + "id" +
		strings.Repeat(" } } }", k) + " } }"
}

func aliasBomb(n int) string {
	var b strings.Builder
	b.WriteString("{ viewer { ")
	for i := range n {
		fmt.Fprintf(&b, "a%d: name ", i)
	}
	b.WriteString("} }")
	return b.String()
}

// fragmentChain builds fragments F0..F(n-1), each spreading the next twice (once under an
// alias), so the expanded operation doubles in size with each fragment.
func fragmentChain(n int) string {
	var b strings.Builder
	b.WriteString("{ viewer { ...F0 } }\n")
	for i := range n {
		fmt.Fprintf(&b, "fragment F%d on User { friends(first: 2) { edges { node { ...F%d } } } b: friends(first: 2) { edges { node { ...F%d } } } }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on User { id name }\n", n)
	return b.String()
}

func TestDepth(t *testing.T) {
	for _, c := range []struct {
		query string
		want  int
	}{
		{"{ viewer { id } }", 2},
		{"{ __typename }", 1},
		{"{ viewer { id friends { totalCount } } role(id: 1) { id } }", 3},
		{depthBomb(1), 5},
		{depthBomb(20), 62},
		// Fragments and inline fragments add no level of their own.
		{"{ viewer { ...U } } fragment U on User { friends { edges { node { id } } } }", 5},
		{"{ node(id: 1) { ... on User { friends { totalCount } } } }", 3},
		// Introspection counts like everything else.
		{"{ __schema { types { fields { type { ofType { name } } } } } }", 6},
		{fragmentChain(3), 3*3 + 2},
	} {
		t.Run(c.query, func(t *testing.T) {
			oc := opCtx(t, c.query, nil)
			assert.Equal(t, c.want, Depth(oc.Doc, oc.Operation))
		})
	}
}

func TestAliasAndRootFieldCounts(t *testing.T) {
	for _, c := range []struct {
		query      string
		aliases    int
		rootFields int
		descr      string
	}{
		{"{ viewer { id } }", 0, 1, "plain"},
		{"{ me: viewer { id } }", 1, 1, "aliased root"},
		{"{ viewer { id: id } }", 0, 1, "alias equal to the name is no alias"},
		{"{ viewer { id } viewer { name } }", 0, 1, "merged root fields count once"},
		{"{ a: viewer { id } b: viewer { id } role(id: 1) { id } }", 2, 3, "distinct keys"},
		{"{ ...Q ...Q viewer { id } } fragment Q on Query { viewer { id } r: role(id: 1) { t: title } }", 4, 2,
			"fragment aliases count per spread, keys once"},
		{"{ ... on Query { __typename x: __typename } }", 1, 2, "inline fragment at the root"},
		{aliasBomb(500), 500, 1, "alias bomb"},
		{fragmentChain(3), 7, 1, "fragment chain doubles aliases"},
	} {
		t.Run(c.descr, func(t *testing.T) {
			oc := opCtx(t, c.query, nil)
			assert.Equal(t, c.aliases, AliasCount(oc.Doc, oc.Operation), "aliases")
			assert.Equal(t, c.rootFields, RootFieldCount(oc.Doc, oc.Operation), "root fields")
		})
	}
}

func TestLimitsRefuse(t *testing.T) {
	ctx := context.Background()

	t.Run("depth bomb", func(t *testing.T) {
		err := Limits{MaxDepth: 10}.MutateOperationContext(ctx, opCtx(t, depthBomb(20), nil))
		require.NotNil(t, err)
		assert.Equal(t, CodeDepthLimitExceeded, err.Extensions["code"])
		assert.Equal(t, 62, err.Extensions["depth"])
		assert.Equal(t, 10, err.Extensions["maxDepth"])
		assert.Contains(t, err.Message, "62 levels deep")
		assert.Contains(t, err.Message, "maximum depth of 10")
	})

	t.Run("depth at the limit passes", func(t *testing.T) {
		assert.Nil(t, Limits{MaxDepth: 5}.MutateOperationContext(ctx, opCtx(t, depthBomb(1), nil)))
		assert.NotNil(t, Limits{MaxDepth: 4}.MutateOperationContext(ctx, opCtx(t, depthBomb(1), nil)))
	})

	t.Run("alias bomb", func(t *testing.T) {
		err := Limits{MaxAliases: 100}.MutateOperationContext(ctx, opCtx(t, aliasBomb(500), nil))
		require.NotNil(t, err)
		assert.Equal(t, CodeAliasLimitExceeded, err.Extensions["code"])
		assert.Equal(t, 500, err.Extensions["aliases"])
		assert.Equal(t, 100, err.Extensions["maxAliases"])
		assert.Contains(t, err.Message, "500 aliased fields")
		assert.Contains(t, err.Message, "maximum of 100 aliases")
		assert.Nil(t, Limits{MaxAliases: 500}.MutateOperationContext(ctx, opCtx(t, aliasBomb(500), nil)))
	})

	t.Run("root fields", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{ ")
		for i := range 30 {
			fmt.Fprintf(&b, "r%d: role(id: %d) { id } ", i, i)
		}
		b.WriteString("}")
		err := Limits{MaxRootFields: 20}.MutateOperationContext(ctx, opCtx(t, b.String(), nil))
		require.NotNil(t, err)
		assert.Equal(t, CodeRootFieldLimitExceeded, err.Extensions["code"])
		assert.Equal(t, 30, err.Extensions["rootFields"])
		assert.Equal(t, 20, err.Extensions["maxRootFields"])
		assert.Contains(t, err.Message, "maximum of 20 root fields")
	})

	t.Run("zero means unlimited", func(t *testing.T) {
		assert.Nil(t, Limits{}.MutateOperationContext(ctx, opCtx(t, depthBomb(20), nil)))
		assert.Nil(t, Limits{}.MutateOperationContext(ctx, opCtx(t, aliasBomb(500), nil)))
	})

	t.Run("root fields are checked first", func(t *testing.T) {
		err := Limits{MaxDepth: 1, MaxAliases: 1, MaxRootFields: 1}.MutateOperationContext(ctx,
			opCtx(t, "{ a: viewer { id } b: viewer { id } }", nil))
		require.NotNil(t, err)
		assert.Equal(t, CodeRootFieldLimitExceeded, err.Extensions["code"])
	})

	t.Run("negative limits are a configuration error", func(t *testing.T) {
		assert.Error(t, Limits{MaxDepth: -1}.Validate(nil))
		assert.NoError(t, Limits{MaxDepth: 1}.Validate(nil))
	})
}

func TestFragmentHeavyQueryIsLinear(t *testing.T) {
	// 40 fragments, each spreading the next twice: expanded, 2^40 selections. The walks
	// memoise per fragment, so this returns at once with saturated counts instead of hanging.
	oc := parsedOnly(t, fragmentChain(40))
	assert.Equal(t, 3*40+2, Depth(oc.Doc, oc.Operation))
	assert.Equal(t, Saturated, AliasCount(oc.Doc, oc.Operation))
	assert.Equal(t, Saturated, OperationCost(oc.Doc, oc.Operation, nil))
	err := Limits{MaxAliases: 1000}.MutateOperationContext(context.Background(), oc)
	require.NotNil(t, err)
	assert.Equal(t, CodeAliasLimitExceeded, err.Extensions["code"])
}

func TestFragmentCycleDoesNotLoop(t *testing.T) {
	// Validation rejects cycles; if one gets here anyway it is cut, not followed forever.
	oc := parsedOnly(t, "{ viewer { ...A } } fragment A on User { x: id ...B } fragment B on User { friends { edges { node { ...A } } } }")
	assert.Equal(t, 4, Depth(oc.Doc, oc.Operation))
	assert.Equal(t, 1, AliasCount(oc.Doc, oc.Operation))
	assert.Equal(t, 1, RootFieldCount(oc.Doc, oc.Operation))
}

func TestMissingOperationIsIgnored(t *testing.T) {
	oc := opCtx(t, "query A { viewer { id } }", nil)
	oc.Operation, oc.OperationName = nil, "B"
	assert.Nil(t, Limits{MaxDepth: 1}.MutateOperationContext(context.Background(), oc))
	assert.Nil(t, Cost{Max: 1}.MutateOperationContext(context.Background(), oc))
}

func TestStandardIntrospectionQueryShape(t *testing.T) {
	// Tools (GraphiQL, codegen) send this query; MaxDepth below 15 refuses it wherever
	// introspection is enabled. The number is pinned here so a change in gqlgen shows up.
	oc := opCtx(t, introspection.Query, nil)
	assert.Equal(t, 15, Depth(oc.Doc, oc.Operation))
	assert.Equal(t, 0, AliasCount(oc.Doc, oc.Operation))
	assert.Equal(t, 1, RootFieldCount(oc.Doc, oc.Operation))
	assert.Equal(t, 226, OperationCost(oc.Doc, oc.Operation, oc.Variables))
}
