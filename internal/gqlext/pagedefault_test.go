package gqlext

import (
	"context"
	"testing"

	"strings"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
)

func format(doc *ast.QueryDocument) string {
	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithIndent("")).FormatQueryDocument(doc)
	return b.String()
}

func TestDefaultPage(t *testing.T) {
	p := DefaultPage{Size: 20}
	for _, c := range []struct {
		name, query string
		vars        map[string]any
		wantCost    int
	}{
		// roles 1 + 20 × (edges 1 + node (1 + id 1 + openings (1 + 20 × totalCount 1)))
		{"root and nested connections", "{ roles { edges { node { id openings { totalCount } } } } }", nil, 1 + 20*(1+1+1+21)},
		{"inside fragments", "{ viewer { ...U } } fragment U on User { friends { totalCount } }", nil, 1 + 21},
		{"null variable", "query($n: Int) { roles(first: $n) { totalCount } }", map[string]any{"n": nil}, 21},
		{"absent variable", "query($n: Int) { roles(first: $n) { totalCount } }", nil, 21},
		{"last alone is a page", "{ roles(last: 3) { totalCount } }", nil, 4},
		{"first given", "{ roles(first: 2) { totalCount } }", nil, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			oc := opCtx(t, c.query, c.vars)
			before := format(oc.Doc)
			shared := oc.Doc
			require.Nil(t, p.MutateOperationContext(context.Background(), oc))
			assert.Equal(t, c.wantCost, OperationCost(oc.Doc, oc.Operation, oc.Variables))
			assert.Equal(t, before, format(shared), "the cached document is never edited")
			for _, f := range connections(oc.Doc, oc.Operation.SelectionSet) {
				args := f.ArgumentMap(oc.Variables)
				assert.True(t, args["first"] != nil || args["last"] != nil, "%s has a page", f.Name)
			}
		})
	}
	t.Run("nothing to do leaves the operation alone", func(t *testing.T) {
		oc := opCtx(t, "{ roles(first: 1) { totalCount } }", nil)
		op := oc.Operation
		require.Nil(t, p.MutateOperationContext(context.Background(), oc))
		assert.Same(t, op, oc.Operation)
	})
	require.Error(t, DefaultPage{}.Validate(nil))
}

// connections lists the connection fields of set, fragments expanded.
func connections(doc *ast.QueryDocument, set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if IsConnection(s) {
				out = append(out, s)
			}
			out = append(out, connections(doc, s.SelectionSet)...)
		case *ast.InlineFragment:
			out = append(out, connections(doc, s.SelectionSet)...)
		case *ast.FragmentSpread:
			out = append(out, connections(doc, doc.Fragments.ForName(s.Name).SelectionSet)...)
		}
	}
	return out
}
