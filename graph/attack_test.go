package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/gqlext"
	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/testenv"
)

// raw serves a request with the given body and content type and returns the recorder. It asks
// for application/graphql-response+json, whose status codes tell refusals apart (an
// application/json client gets 200 for them).
func raw(h http.Handler, contentType string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
	req.Header.Set("Accept", "application/graphql-response+json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func codeOf(t *testing.T, body []byte) string {
	t.Helper()
	var r struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(body, &r), "%s", body)
	require.NotEmpty(t, r.Errors, "%s", body)
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func depthBomb(levels int) string {
	var b strings.Builder
	b.WriteString(`{ roles(first: 1) { edges { node { `)
	for range levels {
		b.WriteString(`openings(first: 1) { edges { node { role { `)
	}
	b.WriteString(`id`)
	for range levels {
		b.WriteString(` } } } }`)
	}
	b.WriteString(` } } } }`)
	return b.String()
}

// TestAttacksGetClearErrorsQuickly sends one attack per limit; each is refused with its own
// code, quickly, without leaking internals, and the server answers a normal query right after.
func TestAttacksGetClearErrorsQuickly(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	h := env.HandlerWith(t, func(o *httpserver.Options) { o.Limits.RatePoints = 1_000_000 })

	aliases := make([]string, 500)
	for i := range aliases {
		aliases[i] = fmt.Sprintf("a%d: title", i)
	}
	roots := make([]string, 25)
	for i := range roots {
		roots[i] = fmt.Sprintf("r%d: role(slug: \"backend-developer\") { id }", i)
	}
	batch := make([]map[string]any, 1000)
	for i := range batch {
		batch[i] = map[string]any{"query": `{ roles(first: 1) { totalCount } }`}
	}
	batchBody, _ := json.Marshal(batch)
	big := append([]byte(`{"query":"{ roles(first: 1) { totalCount } }","variables":{"x":"`), bytes.Repeat([]byte("a"), 10<<20)...)
	big = append(big, []byte(`"}}`)...)
	gql := func(q string) []byte { b, _ := json.Marshal(map[string]any{"query": q}); return b }

	cases := []struct {
		name, contentType string
		body              []byte
		status            int
		code              string
	}{
		{"depth bomb", "application/json", gql(depthBomb(10)), 400, gqlext.CodeDepthLimitExceeded},
		{"alias bomb", "application/json", gql(`{ role(slug: "backend-developer") { ` + strings.Join(aliases, " ") + ` } }`), 400, gqlext.CodeAliasLimitExceeded},
		{"too many root fields", "application/json", gql(`{ ` + strings.Join(roots, " ") + ` }`), 400, gqlext.CodeRootFieldLimitExceeded},
		{"cost bomb", "application/json", gql(`{ roles(first: 100) { edges { node { openings(first: 100) { edges { node { skills { openings(first: 100) { totalCount } } } } } } } } }`), 400, gqlext.CodeCostLimitExceeded},
		{"fragment cycle", "application/json", gql(`query { ...A } fragment A on Query { roles(first: 1) { totalCount } ...B } fragment B on Query { ...A }`), 400, "GRAPHQL_VALIDATION_FAILED"},
		{"10 MB body", "application/json", big, 413, httpserver.CodeBodyTooLarge},
		{"batch of 1000 operations", "application/json", batchBody, 400, httpserver.CodeBatchUnsupported},
		{"malformed JSON", "application/json", []byte(`{"query": "{ roles { totalCount } }"`), 400, httpserver.CodeMalformedJSON},
		{"JSON that is not an object", "application/json", []byte(`"just a string"`), 400, ""},
		{"text/plain", "text/plain", []byte(`{ roles { totalCount } }`), 0, ""},
		{"form post", "application/x-www-form-urlencoded", []byte(`query=%7B+roles+%7B+totalCount+%7D+%7D`), 0, ""},
		{"no content type", "", gql(`{ roles(first: 1) { totalCount } }`), 0, ""},
		{"xml", "application/xml", []byte(`<query/>`), 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			rec := raw(h, tc.contentType, tc.body)
			elapsed := time.Since(start)
			assert.Less(t, elapsed, 2*time.Second, "refused quickly")
			if tc.status != 0 {
				assert.Equal(t, tc.status, rec.Code, rec.Body.String())
			} else {
				assert.GreaterOrEqual(t, rec.Code, 400, rec.Body.String())
				assert.Less(t, rec.Code, 500, rec.Body.String())
			}
			if tc.code != "" {
				assert.Equal(t, tc.code, codeOf(t, rec.Body.Bytes()))
			}
			assert.Less(t, rec.Body.Len(), 4096, "the answer does not echo the request")
			for _, leak := range []string{"SELECT", "sql:", "goroutine", ".go:"} {
				assert.NotContains(t, rec.Body.String(), leak)
			}
			// A normal query right after.
			var d pageData
			testenv.Post(t, h, rolePage, map[string]any{"slug": "backend-developer"}).MustData(t, &d)
			require.NotNil(t, d.Role)
		})
	}
}

// TestInjectionStringsAreJustStrings: SQL and GraphQL injection attempts in filters, lookups
// and search arguments match nothing and break nothing.
func TestInjectionStringsAreJustStrings(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		for _, s := range []string{`' OR '1'='1`, `"; DROP TABLE roles; --`, `%`, `_`, `\`, "\x00", `${jndi:ldap://x}`, `") { id } }`, `<script>alert(1)</script>`} {
			var d struct {
				Role     *struct{ ID string }     `json:"role"`
				Openings struct{ TotalCount int } `json:"openings"`
				Skills   struct{ TotalCount int } `json:"skills"`
			}
			res := testenv.Post(t, h, `query($s: String!) {
				role(slug: $s) { id }
				openings(first: 5, where: {titleContains: $s}) { totalCount }
				skills(first: 5, where: {nameContainsFold: $s}) { totalCount }
			}`, map[string]any{"s": s})
			if s == "\x00" && len(res.Errors) > 0 {
				// PostgreSQL refuses NUL bytes in text; the client gets a clean error.
				assert.NotContains(t, res.Errors[0].Message, "pq:")
				continue
			}
			res.MustData(t, &d)
			assert.Nil(t, d.Role, s)
			if s != "%" && s != "_" && s != "\x00" { // SQLite ends a LIKE pattern at NUL
				assert.Zero(t, d.Openings.TotalCount, "%q matches nothing", s)
			}
		}
		var d struct{ Roles struct{ TotalCount int } }
		testenv.Post(t, h, `{ roles(first: 1) { totalCount } }`, nil).MustData(t, &d)
		assert.Equal(t, 14, d.Roles.TotalCount)
	})
}

// TestRequestTimeout: a request that outlives REQUEST_TIMEOUT is stopped with TIMEOUT.
func TestRequestTimeout(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	h := env.HandlerWith(t, func(o *httpserver.Options) { o.Limits.RequestTimeout = time.Nanosecond })
	res := testenv.Post(t, h, `{ role(slug: "backend-developer") { title } }`, nil)
	require.NotEmpty(t, res.Errors, res.String())
	assert.Equal(t, httpserver.CodeTimeout, res.Code(), res.String())
	fine := env.Handler(t)
	var d struct{ Role struct{ Title string } }
	testenv.Post(t, fine, `{ role(slug: "backend-developer") { title } }`, nil).MustData(t, &d)
}

// TestIntrospectionCanBeTurnedOff.
func TestIntrospectionCanBeTurnedOff(t *testing.T) {
	env := testenv.New(t, testenv.SQLite)
	on := testenv.Post(t, env.Handler(t), `{ __schema { queryType { name } } }`, nil)
	assert.Empty(t, on.Errors)
	off := testenv.Post(t, env.HandlerWith(t, func(o *httpserver.Options) { o.Introspection = false }), `{ __schema { queryType { name } } }`, nil)
	require.NotEmpty(t, off.Errors)
	assert.Contains(t, off.Errors[0].Message, "introspection")
	assert.Equal(t, httpserver.CodeIntrospectionDisabled, off.Code())
}

// TestAllowlistAndPersistedQueries: APQ registers and serves queries by hash; in allowlist
// mode only registered operations run.
func TestAllowlistAndPersistedQueries(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	q := `{ role(slug: "backend-developer") { title } }`
	hash := gqlext.QueryHash(q)
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
	send := func(h http.Handler, body map[string]any) *testenv.Response {
		b, _ := json.Marshal(body)
		req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		return testenv.Do(t, h, req)
	}

	h := env.Handler(t)
	res := send(h, map[string]any{"extensions": ext})
	assert.Equal(t, "PERSISTED_QUERY_NOT_FOUND", res.Code(), res.String())
	send(h, map[string]any{"query": q, "extensions": ext}).MustData(t, &struct{}{})
	var d struct{ Role struct{ Title string } }
	send(h, map[string]any{"extensions": ext}).MustData(t, &d)
	assert.Equal(t, "Backend Developer", d.Role.Title)

	allow := env.HandlerWith(t, func(o *httpserver.Options) { o.Allowlist = gqlext.Manifest{hash: q} })
	send(allow, map[string]any{"extensions": ext}).MustData(t, &d)
	send(allow, map[string]any{"query": q}).MustData(t, &d)
	res = send(allow, map[string]any{"query": `{ roles(first: 1) { totalCount } }`})
	assert.Equal(t, gqlext.CodePersistedQueryNotAllowed, res.Code(), res.String())
}

// TestCORS: the configured SPA origin may call the API; others get no CORS grant.
func TestCORS(t *testing.T) {
	env := testenv.New(t, testenv.SQLite)
	h := env.HandlerWith(t, func(o *httpserver.Options) { o.CORSOrigins = []string{"https://dashboard.example.com"} })
	preflight := func(origin string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodOptions, "/query", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	ok := preflight("https://dashboard.example.com")
	assert.Equal(t, 204, ok.Code)
	assert.Equal(t, "https://dashboard.example.com", ok.Header().Get("Access-Control-Allow-Origin"))
	assert.Contains(t, ok.Header().Get("Access-Control-Allow-Headers"), "Authorization")
	bad := preflight("https://evil.example.com")
	assert.Equal(t, 403, bad.Code)
	assert.Empty(t, bad.Header().Get("Access-Control-Allow-Origin"))
}
