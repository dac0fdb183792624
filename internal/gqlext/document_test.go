package gqlext

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func TestSelectionCount(t *testing.T) {
	for _, c := range []struct {
		name, query string
		want        int
	}{
		{"leaves", "{ a b c }", 3},
		{"nested", "{ a { b { c } } }", 3},
		{"inline fragments count their fields only", "{ ... on Query { a ... on Query { b } } }", 2},
		{"a fragment counts where it is spread", "{ ...F x: a { ...F } } fragment F on Query { a b }", 2 + 1 + 2},
		{"fragment chain doubles", fragmentChain(10), 0}, // checked below
		{"cycle counts 0", "{ ...A } fragment A on Query { a ...B } fragment B on Query { b ...A }", 2},
		{"missing fragment counts 0", "{ a ...Nope }", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Input: c.query})
			require.NoError(t, err)
			n := SelectionCount(doc, doc.Operations[0])
			if c.name == "fragment chain doubles" {
				assert.Greater(t, n, 1<<10)
				return
			}
			assert.Equal(t, c.want, n)
		})
	}
	t.Run("exponential expansion saturates in linear work", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{ ...F0 }\n")
		for i := range 200 {
			b.WriteString("fragment F" + strconv.Itoa(i) + " on Query { ...F" + strconv.Itoa(i+1) + " ...F" + strconv.Itoa(i+1) + " }\n")
		}
		b.WriteString("fragment F200 on Query { a }")
		doc, err := parser.ParseQuery(&ast.Source{Input: b.String()})
		require.NoError(t, err)
		assert.Equal(t, Saturated, SelectionCount(doc, doc.Operations[0]))
	})
}

func TestDocumentLimits(t *testing.T) {
	ctx := context.Background()
	d := DocumentLimits{MaxTokens: 50, MaxSelections: 10}
	refuse := func(query, operationName string) string {
		t.Helper()
		err := d.MutateOperationParameters(ctx, &graphql.RawParams{Query: query, OperationName: operationName})
		if err == nil {
			return ""
		}
		return err.Extensions["code"].(string)
	}
	assert.Empty(t, refuse("{ a b c }", ""))
	assert.Equal(t, CodeTokenLimitExceeded, refuse("{ "+strings.Repeat("a ", 60)+"}", ""))
	assert.Equal(t, CodeSelectionLimitExceeded, refuse("{ ...F ...F ...F } fragment F on Query { a b c d }", ""))
	assert.Empty(t, refuse("{ a ", ""), "a syntax error is left to gqlgen's parser")
	assert.Empty(t, refuse("query A { a } query B { ...F ...F ...F } fragment F on Query { a b c d }", "A"),
		"only the operation asked for is counted")
	assert.Equal(t, CodeSelectionLimitExceeded,
		refuse("query A { a } query B { ...F ...F ...F } fragment F on Query { a b c d }", "B"))

	t.Run("a cached document was counted already", func(t *testing.T) {
		cache := lru.New[*ast.QueryDocument](10)
		big := "{ " + strings.Repeat("a ", 60) + "}"
		cache.Add(ctx, big, &ast.QueryDocument{})
		d := DocumentLimits{MaxTokens: 50, MaxSelections: 10, Cache: cache}
		assert.Nil(t, d.MutateOperationParameters(ctx, &graphql.RawParams{Query: big}))
	})
	t.Run("negative limits are a configuration error", func(t *testing.T) {
		require.Error(t, DocumentLimits{MaxTokens: -1}.Validate(nil))
	})
}
