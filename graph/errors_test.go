package graph_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/testenv"
)

// TestBadInputGetsClearErrors: every malformed request gets an error with extensions.code and
// a message that says what to send instead, and never SQL or Go internals.
func TestBadInputGetsClearErrors(t *testing.T) {
	cases := []struct {
		name     string
		query    string
		vars     map[string]any
		code     string
		status   int
		contains []string
	}{
		{"malformed id literal", `{ node(id: "abc") { id } }`, nil, "BAD_USER_INPUT", 200,
			[]string{`malformed ID "abc"`, "string of digits"}},
		{"malformed id variable", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "Um9sZTox"}, "BAD_USER_INPUT", 200,
			[]string{`malformed ID "Um9sZTox"`}},
		{"negative id", `{ nodes(ids: ["-4"]) { id } }`, nil, "BAD_USER_INPUT", 200, []string{`malformed ID "-4"`}},
		{"first over the cap", `{ roles(first: 1000) { totalCount } }`, nil, "BAD_USER_INPUT", 400,
			[]string{"first: 1000 is out of range", "0 to 100", "after"}},
		{"nested first over the cap", `query($n: Int) { role(slug: "backend-developer") { openings(first: $n) { totalCount } } }`,
			map[string]any{"n": 101}, "BAD_USER_INPUT", 400, []string{"first: 101 is out of range"}},
		{"negative last", `{ skills(last: -1) { totalCount } }`, nil, "BAD_USER_INPUT", 400, []string{"last: -1 is out of range"}},
		{"first and last", `{ skills(first: 2, last: 2) { totalCount } }`, nil, "BAD_USER_INPUT", 400,
			[]string{"first and last cannot be used together"}},
		{"cap through a fragment", `query { ...F } fragment F on Query { companies(first: 500) { totalCount } }`, nil, "BAD_USER_INPUT", 400,
			[]string{"first: 500"}},
		{"unknown enum literal", `{ openings(first: 1, where: {status: OPEN}) { totalCount } }`, nil, "GRAPHQL_VALIDATION_FAILED", 400,
			[]string{`"OPEN" does not exist`, "Send one of: LIVE, CLOSED, EXPIRED"}},
		{"unknown enum variable", `query($s: OpeningStatus) { openings(first: 1, where: {status: $s}) { totalCount } }`,
			map[string]any{"s": "OPEN"}, "GRAPHQL_VALIDATION_FAILED", 400, []string{"OPEN", "Send one of: LIVE, CLOSED, EXPIRED"}},
		{"unknown order field", `{ openings(first: 1, orderBy: {field: SALARY}) { totalCount } }`, nil, "GRAPHQL_VALIDATION_FAILED", 400,
			[]string{"Send one of:", "POSTED_AT"}},
		{"malformed cursor", `{ roles(first: 2, after: "not-a-cursor") { totalCount } }`, nil, "BAD_USER_INPUT", 200,
			[]string{"after: malformed cursor", "pageInfo.endCursor"}},
		{"unknown field", `{ role(slug: "backend-developer") { salaryBands } }`, nil, "GRAPHQL_VALIDATION_FAILED", 400,
			[]string{`Cannot query field "salaryBands"`}},
		{"syntax error", `{ role(slug: "x" { id } }`, nil, "GRAPHQL_PARSE_FAILED", 400, nil},
		{"missing argument", `{ role { id } }`, nil, "GRAPHQL_VALIDATION_FAILED", 400, []string{`argument "slug"`}},
		{"wrong variable type", `query($slug: String!) { role(slug: $slug) { id } }`, map[string]any{"slug": map[string]any{"a": 1}}, "GRAPHQL_VALIDATION_FAILED", 400, nil},
	}
	// Page sizes are checked before execution, so a bad one is a 400 without data, like a
	// validation error; a malformed ID or cursor is found during execution: 200 with data.
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := testenv.Post(t, h, tc.query, tc.vars)
				require.NotEmpty(t, res.Errors, res.String())
				assert.Equal(t, tc.code, res.Code(), res.String())
				assert.Equal(t, tc.status, res.Status, res.String())
				msg := res.Errors[0].Message
				for _, want := range tc.contains {
					assert.Contains(t, msg, want)
				}
				for _, leak := range []string{"SELECT", "sql:", "pq:", "sqlite", "goroutine", ".go:"} {
					assert.NotContains(t, msg, leak)
				}
			})
		}
		// The server answers a normal query right after.
		var d pageData
		testenv.Post(t, h, rolePage, map[string]any{"slug": "backend-developer"}).MustData(t, &d)
		require.NotNil(t, d.Role)
	})
}

// TestHTTPFollowsGraphQLOverHTTP checks GET and POST, media types and status codes.
func TestHTTPFollowsGraphQLOverHTTP(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	h := env.Handler(t)
	get := func(q, accept string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/query?query="+url.QueryEscape(q), nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	rec := get(`{ role(slug: "backend-developer") { title } }`, "application/graphql-response+json")
	assert.Equal(t, 200, rec.Code)
	assert.Equal(t, "application/graphql-response+json", rec.Header().Get("Content-Type"))
	var body struct {
		Data       json.RawMessage `json:"data"`
		Extensions map[string]any  `json:"extensions"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	assert.JSONEq(t, `{"role":{"title":"Backend Developer"}}`, string(body.Data))
	assert.Contains(t, body.Extensions, "cost", "the rate-limit cost is reported in extensions")
	assert.NotEmpty(t, rec.Header().Get("X-Request-Id"))

	rec = get(`{ role(slug: "backend-developer") { title } }`, "application/json")
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"), "legacy clients get application/json")

	rec = get(`{ role(slug: "backend-developer") { nope } }`, "application/graphql-response+json")
	assert.Equal(t, 400, rec.Code, "a request that fails validation is a 400 in graphql-response+json")
	// A legacy application/json client gets 200 and reads the errors from the body.
	rec = get(`{ role(slug: "backend-developer") { nope } }`, "application/json")
	assert.Equal(t, 200, rec.Code)

	req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(`{"query":`))
	req.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, 400, rec.Code, "malformed JSON body")
	assert.Contains(t, rec.Body.String(), "MALFORMED_JSON")

	req = httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(`{ roles { totalCount } }`))
	req.Header.Set("Content-Type", "text/plain")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.GreaterOrEqual(t, rec.Code, 400, "an unsupported content type is refused")

	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/": 200, "/nope": 404} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		assert.Equal(t, want, rec.Code, path)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Contains(t, rec.Body.String(), "/query", "the playground talks to /query")

	// /readyz tells when the database is gone.
	require.NoError(t, env.DB.SQL.Close())
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	assert.Equal(t, 503, rec.Code)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	assert.Equal(t, 200, rec.Code, "the process is still alive")
}

// TestInternalErrorsShowOnlyARequestID: a failure inside a resolver (here, the database has
// gone away) reaches the client as INTERNAL_SERVER_ERROR with a request id, and no internals.
func TestInternalErrorsShowOnlyARequestID(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	h := env.Handler(t)
	_, tok := env.User(t, "editor@example.com", "EDITOR")
	require.NoError(t, env.DB.SQL.Close())
	// Signed in: the token cannot be checked; still only a request id.
	signed := testenv.PostAs(t, h, tok, `mutation { createCompany(input: {slug: "x", name: "X"}) { id } }`, nil)
	assert.Equal(t, "INTERNAL_SERVER_ERROR", signed.Code(), signed.String())
	assert.Equal(t, 500, signed.Status)
	assert.Contains(t, signed.Errors[0].Message, signed.Header.Get("X-Request-Id"))
	assert.NotContains(t, signed.Errors[0].Message, "sql")
	res := testenv.Post(t, h, `{ role(slug: "backend-developer") { title } }`, nil)
	require.NotEmpty(t, res.Errors, res.String())
	assert.Equal(t, "INTERNAL_SERVER_ERROR", res.Code())
	id, _ := res.Errors[0].Extensions["requestId"].(string)
	assert.NotEmpty(t, id)
	assert.Equal(t, id, res.Header.Get("X-Request-Id"))
	assert.Contains(t, res.Errors[0].Message, id)
	assert.NotContains(t, res.Errors[0].Message, "sql")
}
