package respcache

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/careergraph/careergraph/internal/viewer"
)

// op returns a context holding an operation of kind with one root field, as gqlgen's executor
// hands it to response interceptors.
func op(kind ast.Operation, field string, vars map[string]any) context.Context {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, nil)
	return graphql.WithOperationContext(ctx, &graphql.OperationContext{
		RawQuery:  "{ " + field + " }",
		Variables: vars,
		Operation: &ast.OperationDefinition{Operation: kind, SelectionSet: ast.SelectionSet{&ast.Field{Name: field}}},
	})
}

// counter is a next handler that counts its runs and answers data (or errors).
type counter struct {
	runs   int
	data   string
	errors gqlerror.List
	during func() // called while "executing"
}

func (c *counter) next(ctx context.Context) *graphql.Response {
	c.runs++
	if c.during != nil {
		c.during()
	}
	return &graphql.Response{Data: json.RawMessage(c.data), Errors: c.errors}
}

func ask(c *Cache, ctx context.Context, n *counter) *graphql.Response {
	return c.Extension().(graphql.ResponseInterceptor).InterceptResponse(ctx, n.next)
}

func TestKeepsAnonymousQueriesUntilAChange(t *testing.T) {
	c := New(1<<20, time.Minute)
	n := &counter{data: `{"role":{"title":"Backend Developer"}}`}
	ctx := op(ast.Query, "role", map[string]any{"slug": "backend-developer"})
	assert.JSONEq(t, n.data, string(ask(c, ctx, n).Data))
	assert.JSONEq(t, n.data, string(ask(c, ctx, n).Data))
	assert.Equal(t, 1, n.runs, "the repeat is a hit")
	ask(c, op(ast.Query, "role", map[string]any{"slug": "data-engineer"}), n)
	assert.Equal(t, 2, n.runs, "other variables run")
	c.Invalidate()
	ask(c, ctx, n)
	assert.Equal(t, 3, n.runs, "a change makes the kept response stale")
	hits, misses := c.Stats()
	assert.Equal(t, [2]int64{1, 3}, [2]int64{hits, misses})
}

func TestNeverKeeps(t *testing.T) {
	editor := viewer.With(op(ast.Query, "role", nil), viewer.Viewer{UserID: 1, Role: viewer.RoleEditor, TokenID: 1})
	errored := op(ast.Query, "role", nil)
	graphql.AddError(errored, gqlerror.Errorf("refused before execution"))
	for name, tc := range map[string]struct {
		ctx context.Context
		n   *counter
	}{
		"a mutation":                {op(ast.Mutation, "updateRole", nil), &counter{data: `{}`}},
		"a subscription":            {op(ast.Subscription, "roleChanged", nil), &counter{data: `{}`}},
		"a signed-in viewer's":      {editor, &counter{data: `{}`}},
		"a CV's profile":            {op(ast.Query, "profileFromText", nil), &counter{data: `{}`}},
		"a match":                   {op(ast.Query, "match", nil), &counter{data: `{}`}},
		"a response with errors":    {op(ast.Query, "role", nil), &counter{data: `{"role":null}`, errors: gqlerror.List{gqlerror.Errorf("boom")}}},
		"an operation refused":      {errored, &counter{data: `{}`}},
		"a response over 1/16 room": {op(ast.Query, "roles", nil), &counter{data: `"` + strings.Repeat("x", 70_000) + `"`}},
		"no data":                   {op(ast.Query, "role", nil), &counter{}},
	} {
		t.Run(name, func(t *testing.T) {
			c := New(1<<20, time.Minute)
			ask(c, tc.ctx, tc.n)
			ask(c, tc.ctx, tc.n)
			assert.Equal(t, 2, tc.n.runs)
		})
	}
}

// TestWriteDuringExecution: a response computed while a write committed may hold the old data;
// it is kept under the generation it started in, so the next read runs again.
func TestWriteDuringExecution(t *testing.T) {
	c := New(1<<20, time.Minute)
	ctx := op(ast.Query, "role", nil)
	n := &counter{data: `{"role":{"title":"old"}}`}
	n.during = c.Invalidate
	ask(c, ctx, n)
	n.during = nil
	ask(c, ctx, n)
	assert.Equal(t, 2, n.runs)
	ask(c, ctx, n)
	assert.Equal(t, 2, n.runs, "the run after the write is kept")
}

func TestExpires(t *testing.T) {
	c := New(1<<20, 50*time.Millisecond)
	ctx := op(ast.Query, "role", nil)
	n := &counter{data: `{}`}
	ask(c, ctx, n)
	ask(c, ctx, n)
	assert.Equal(t, 1, n.runs)
	time.Sleep(120 * time.Millisecond)
	ask(c, ctx, n)
	assert.Equal(t, 2, n.runs, "an entry lives at most the TTL")
}
