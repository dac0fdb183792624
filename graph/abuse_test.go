package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/introspection"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/gqlext"
	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/testenv"
)

// abuseCase is one hostile request and what it may cost.
type abuseCase struct {
	name  string
	query string
	vars  map[string]any
	get   bool // send as GET /query?query=…
	// code is the expected extensions.code, "" for an answer without errors.
	code string
	// maxStatements bounds the SQL statements the request may run.
	maxStatements int
	// check, when set, inspects the answer further (rows returned, cost charged).
	check func(t *testing.T, res *testenv.Response)
}

func repeat(s string, n int, sep string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = s
	}
	return strings.Join(parts, sep)
}

// fragmentDoubling returns a document whose fragment i spreads fragment i+1 twice: tiny, but
// 2^levels fields once expanded.
func fragmentDoubling(levels int) string {
	var b strings.Builder
	b.WriteString("query { ...F0 }\n")
	for i := range levels {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { __typename }\n", levels)
	return b.String()
}

func orFilters(n int) map[string]any {
	or := make([]any, n)
	for i := range or {
		or[i] = map[string]any{"title": fmt.Sprintf("t%d", i)}
	}
	return map[string]any{"or": or}
}

func nestedNot(levels int) map[string]any {
	w := map[string]any{"title": "x"}
	for range levels {
		w = map[string]any{"not": w}
	}
	return w
}

// abuseCases are the attacks and more of the same kind. Every refusal named here
// happens before a resolver runs, so it runs no statement.
func abuseCases() []abuseCase {
	const openingsByVar = `query($w: OpeningWhereInput) { openings(first: 5, where: $w) { totalCount } }`
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = fmt.Sprint(i + 1)
	}
	skills := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = fmt.Sprintf("skill%d", i)
		}
		return out
	}
	return []abuseCase{
		{name: "20,000 __typename (220 kB)", query: "{ " + repeat("__typename", 20_000, " ") + " }",
			code: gqlext.CodeTokenLimitExceeded},
		{name: "20,000 __typename over GET", query: "{ " + repeat("__typename", 20_000, " ") + " }", get: true,
			code: gqlext.CodeTokenLimitExceeded},
		{name: "3,000 repeated fields with arguments", query: "{ " + repeat(`role(slug: "backend-developer") { id }`, 3000, " ") + " }",
			code: gqlext.CodeTokenLimitExceeded},
		{name: "the same field with arguments, 540 times within the token limit",
			query: "{ " + repeat(`skill(slug: "go") { name }`, 540, " ") + " }",
			code:  gqlext.CodeSelectionLimitExceeded},
		{name: "a fragment of 100 fields spread 20 times",
			query: "query { " + repeat("...F", 20, " ") + " } fragment F on Query { " + repeat("__typename", 100, " ") + " }",
			code:  gqlext.CodeSelectionLimitExceeded},
		{name: "fragments doubling 40 levels deep (2^40 fields)", query: fragmentDoubling(40),
			code: gqlext.CodeSelectionLimitExceeded},
		{name: "fragment cycle", query: `query { ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A }`,
			code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "2,000 sibling inline fragments", query: "{ " + repeat("... on Query { __typename }", 2000, " ") + " }",
			code: gqlext.CodeTokenLimitExceeded},
		{name: "600 sibling inline fragments within the limits are answered",
			query: "{ " + repeat("... on Query { __typename }", 600, " ") + " }"},
		{name: "inline fragments nested 800 deep are answered",
			query: "{ " + repeat("... on Query {", 800, " ") + " __typename " + repeat("}", 800, " ") + " }"},
		{name: "a directive repeated 3,000 times", query: "{ __typename " + repeat("@skip(if: false)", 3000, " ") + " }",
			code: gqlext.CodeTokenLimitExceeded},
		{name: "1,500 or-filters in a variable", query: openingsByVar, vars: map[string]any{"w": orFilters(1500)},
			code: gqlext.CodeFilterTooComplex},
		{name: "150 or-filters written in the query",
			query: `{ openings(first: 5, where: {or: [` + repeat(`{title: "x"}`, 150, ", ") + `]}) { totalCount } }`,
			code:  gqlext.CodeFilterTooComplex},
		{name: "not nested 20 deep", query: openingsByVar, vars: map[string]any{"w": nestedNot(20)},
			code: gqlext.CodeFilterTooComplex},
		{name: "60 skills spread over or-branches of 30", query: openingsByVar,
			vars: map[string]any{"w": map[string]any{"or": []any{
				map[string]any{"skillsAllOf": skills(30)}, map[string]any{"skillsAnyOf": skills(30)}}}},
			code: gqlext.CodeFilterTooComplex},
		{name: "a 5,000-item idIn list", query: openingsByVar,
			vars: map[string]any{"w": map[string]any{"idIn": func() []any {
				out := make([]any, 5000)
				for i := range out {
					out[i] = fmt.Sprint(i + 1)
				}
				return out
			}()}},
			code: gqlext.CodeFilterTooComplex},
		{name: "a 500 kB string variable", query: `query($s: String!) { role(slug: $s) { id } }`,
			vars: map[string]any{"s": strings.Repeat("a", 500_000)}, maxStatements: 1},
		{name: "nodes with 101 IDs", query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, vars: map[string]any{"ids": ids},
			code: "BAD_USER_INPUT",
			check: func(t *testing.T, res *testenv.Response) {
				assert.Equal(t, "ids", res.Errors[0].Extensions["argument"])
			}},
		{name: "unpaged openings get a page of 20", query: `{ openings { edges { node { id title } } } }`, maxStatements: 2,
			check: func(t *testing.T, res *testenv.Response) {
				var d struct{ Openings struct{ Edges []any } }
				res.MustData(t, &d)
				assert.Len(t, d.Openings.Edges, 20)
				assert.GreaterOrEqual(t, cost(res), 20)
			}},
		{name: "unpaged nested connections get pages of 20 each",
			query: `{ skills { edges { node { openings { edges { node { id } } } } } } }`, maxStatements: 3,
			check: func(t *testing.T, res *testenv.Response) {
				var d struct {
					Skills struct {
						Edges []struct {
							Node struct{ Openings struct{ Edges []any } }
						}
					}
				}
				res.MustData(t, &d)
				require.Len(t, d.Skills.Edges, 20)
				for _, e := range d.Skills.Edges {
					assert.LessOrEqual(t, len(e.Node.Openings.Edges), 20)
				}
				// Charged for the default pages: 20 skills × 20 openings × (edges, node, id).
				assert.GreaterOrEqual(t, cost(res), 20*20*3)
			}},
		{name: "first: null is the default page", query: `query($n: Int) { openings(first: $n) { edges { node { id } } } }`,
			vars: map[string]any{"n": nil}, maxStatements: 2,
			check: func(t *testing.T, res *testenv.Response) {
				var d struct{ Openings struct{ Edges []any } }
				res.MustData(t, &d)
				assert.Len(t, d.Openings.Edges, 20)
			}},
		{name: "deep introspection", query: "{ __schema { types { fields { type { " + repeat("ofType {", 14, " ") + " name " + repeat("}", 14+5, " "),
			code: gqlext.CodeDepthLimitExceeded},
		{name: "introspection with 30 aliased __schema", query: "{ " + func() string {
			parts := make([]string, 30)
			for i := range parts {
				parts[i] = fmt.Sprintf("s%d: __schema { types { name fields { name } } }", i)
			}
			return strings.Join(parts, " ")
		}() + " }", code: gqlext.CodeRootFieldLimitExceeded},
	}
}

func cost(res *testenv.Response) int {
	c, _ := res.Extensions["cost"].(map[string]any)
	n, _ := c["requestedQueryCost"].(float64)
	return int(n)
}

// TestAbuseIsBoundedBeforeWork sends each hostile request to the production handler on a
// seeded database: it is refused with its own code (or answered within its bounds), runs at
// most the statements allowed, comes back within a generous time, and the server answers a
// normal query right after. The work bound is the statement count; the wall-clock bound only
// catches a request that runs away (the 20,000-__typename document took 22 s before).
func TestAbuseIsBoundedBeforeWork(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	h := env.HandlerWith(t, func(o *httpserver.Options) { o.Limits.RatePoints = 1_000_000 })
	for _, tc := range abuseCases() {
		t.Run(tc.name, func(t *testing.T) {
			env.Statements.Reset()
			start := time.Now()
			res := send(t, h, tc)
			elapsed := time.Since(start)
			assert.Less(t, elapsed, 5*time.Second, "bounded before the work starts")
			assert.Less(t, res.Status, 500, "%s", res)
			assert.Equal(t, tc.code, res.Code(), "%s", res)
			assert.LessOrEqual(t, env.Statements.Count(), tc.maxStatements, "statements:\n%s", env.Statements.Statements())
			if tc.check != nil {
				tc.check(t, res)
			}
			body, _ := json.Marshal(res)
			for _, leak := range []string{"SELECT ", " FROM ", "sql:", "sqlite", "goroutine", ".go:"} {
				assert.NotContains(t, string(body), leak)
			}
			var d pageData
			testenv.Post(t, h, rolePage, map[string]any{"slug": "backend-developer"}).MustData(t, &d)
			require.NotNil(t, d.Role, "the server still answers")
		})
	}
}

func send(t testing.TB, h http.Handler, tc abuseCase) *testenv.Response {
	t.Helper()
	if !tc.get {
		return testenv.Post(t, h, tc.query, tc.vars)
	}
	q := url.Values{"query": {tc.query}}
	if tc.vars != nil {
		v, _ := json.Marshal(tc.vars)
		q.Set("variables", string(v))
	}
	req := httptest.NewRequest(http.MethodGet, "/query?"+q.Encode(), nil)
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	return testenv.Do(t, h, req)
}

// TestStandardQueriesStayWithinTheDocumentLimits: the limits' defaults let through what real
// clients send: GraphiQL's introspection query and the README's cluster page.
func TestStandardQueriesStayWithinTheDocumentLimits(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	h := env.Handler(t)
	res := testenv.Post(t, h, introspection.Query, nil)
	require.Empty(t, res.Errors, "%s", res)
	var d pageData
	testenv.Post(t, h, rolePage, map[string]any{"slug": "backend-developer"}).MustData(t, &d)
	require.NotNil(t, d.Role)
}

// TestSuggestionsFollowIntrospection: with introspection off, a misspelt field is refused
// without naming the fields the schema has.
func TestSuggestionsFollowIntrospection(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	const q = `{ role(slug: "backend-developer") { titel } }`
	on := testenv.Post(t, env.Handler(t), q, nil)
	require.NotEmpty(t, on.Errors)
	assert.Contains(t, on.Errors[0].Message, `Did you mean "title"`)
	off := testenv.Post(t, env.HandlerWith(t, func(o *httpserver.Options) { o.Introspection = false }), q, nil)
	require.NotEmpty(t, off.Errors)
	assert.Equal(t, "GRAPHQL_VALIDATION_FAILED", off.Code())
	assert.NotContains(t, off.Errors[0].Message, "Did you mean")
	assert.NotContains(t, off.Errors[0].Message, `"title"`)
}

// TestPrivateNodesLookMissing: node(id:) and nodes(ids:) answer a non-admin the same for a
// user, API token or audit log that exists as for an ID that names nothing: null, no error,
// and no statement either way. An admin sees the user.
func TestPrivateNodesLookMissing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		userID, editorToken := env.User(t, "editor@example.com", "EDITOR")
		_, adminToken := env.User(t, "admin@example.com", "ADMIN")
		// An admin action leaves an audit log; an API token is made through the API.
		tok := testenv.PostAs(t, h, adminToken, `mutation($e: Time!) { createAPIToken(input: {name: "x", expiresAt: $e}) { apiToken { id } } }`,
			map[string]any{"e": time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)})
		var created struct {
			CreateAPIToken struct{ APIToken struct{ ID string } }
		}
		tok.MustData(t, &created)
		logID := env.DB.Client.AuditLog.Query().FirstIDX(t.Context())
		existing := []string{fmt.Sprint(userID), created.CreateAPIToken.APIToken.ID, fmt.Sprint(logID)}
		missing := []string{fmt.Sprint(userID + 1_000_000), fmt.Sprint(logID + 1_000_000)}
		const one = `query($id: ID!) { node(id: $id) { id ... on User { email } } }`
		const many = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`
		// Anonymous callers run no statement at all for a private ID, existing or not; signed-in
		// ones run their session check (whose statements vary with the session's age) and
		// nothing else, which the anonymous case shows for the resolver.
		for _, token := range []string{"", editorToken} {
			for _, id := range append(append([]string{}, existing...), missing...) {
				env.Statements.Reset()
				res := testenv.PostAs(t, h, token, one, map[string]any{"id": id})
				require.Empty(t, res.Errors, "%s", res)
				assert.JSONEq(t, `{"node": null}`, string(res.Data), "id %s", id)
				if token == "" {
					assert.Zero(t, env.Statements.Count(), "id %s: no statement for a private type:\n%s", id, env.Statements.Statements())
				}
			}
			env.Statements.Reset()
			res := testenv.PostAs(t, h, token, many, map[string]any{"ids": append(existing, missing...)})
			require.Empty(t, res.Errors, "%s", res)
			assert.JSONEq(t, `{"nodes": [null, null, null, null, null]}`, string(res.Data))
			if token == "" {
				assert.Zero(t, env.Statements.Count(), "private types are not read for a non-admin")
			}
		}
		res := testenv.PostAs(t, h, adminToken, one, map[string]any{"id": fmt.Sprint(userID)})
		require.Empty(t, res.Errors, "%s", res)
		assert.Contains(t, string(res.Data), "editor@example.com")
		res = testenv.PostAs(t, h, adminToken, one, map[string]any{"id": missing[0]})
		require.Empty(t, res.Errors, "%s", res)
		assert.JSONEq(t, `{"node": null}`, string(res.Data))
	})
}

// TestNodesCostPerID: nodes(ids:) is charged for each ID it is asked for.
func TestNodesCostPerID(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	h := env.Handler(t)
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprint(i + 1)
	}
	res := testenv.Post(t, h, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids})
	require.Empty(t, res.Errors, "%s", res)
	assert.Equal(t, 1+100*1, cost(res))
	res = testenv.Post(t, h, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids[:2]})
	assert.Equal(t, 1+2*1, cost(res))
}
