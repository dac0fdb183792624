package httpserver_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/testenv"
)

const (
	mediaJSON     = "application/json"
	mediaResponse = "application/graphql-response+json"
)

// answer is a response as the GraphQL over HTTP spec looks at it: status, media type, and the
// top-level entries of the body (to tell a missing data entry from "data": null).
type answer struct {
	status int
	header http.Header
	body   map[string]json.RawMessage
	raw    string
}

func (a answer) code() string {
	var errs []struct {
		Extensions struct{ Code string } `json:"extensions"`
	}
	_ = json.Unmarshal(a.body["errors"], &errs)
	if len(errs) == 0 {
		return ""
	}
	return errs[0].Extensions.Code
}

func serve(t *testing.T, h http.Handler, req *http.Request) answer {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := answer{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &a.body), "body: %s", a.raw)
	return a
}

func post(body, accept string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return req
}

func queryBody(q string, vars map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	return string(b)
}

// TestResponseMediaTypeFollowsAccept: application/json unless graphql-response+json is asked
// for (graphql-http audits 47DE and 80D8).
func TestResponseMediaTypeFollowsAccept(t *testing.T) {
	t.Parallel()
	h := testenv.New(t, testenv.SQLite).Handler(t)
	for accept, want := range map[string]string{
		"":                                  mediaJSON,
		"*/*":                               mediaJSON,
		"application/*":                     mediaJSON,
		"application/json":                  mediaJSON,
		"application/graphql-response+json": mediaResponse,
		"application/graphql-response+json, application/json;q=0.9": mediaResponse,
	} {
		a := serve(t, h, post(queryBody(`{ __typename }`, nil), accept))
		assert.Equal(t, http.StatusOK, a.status, "Accept %q", accept)
		assert.Equal(t, want, a.header.Get("Content-Type"), "Accept %q", accept)
		assert.JSONEq(t, `{"__typename":"Query"}`, string(a.body["data"]), "Accept %q", accept)
	}
	get := httptest.NewRequest(http.MethodGet, "/query?query="+url.QueryEscape(`{ __typename }`), nil)
	assert.Equal(t, mediaJSON, serve(t, h, get).header.Get("Content-Type"), "GET without Accept")
}

// TestErrorsBeforeExecution: every way a request can be refused before execution, answered
// in both media types: application/json clients get 200, graphql-response+json clients a 4xx,
// and neither gets a data entry (graphql-http audits 572B, FDE2, 7B9B, D586, 5E5B).
func TestErrorsBeforeExecution(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.SQLite)
	h := env.HandlerWith(t, func(o *httpserver.Options) { o.Limits.MaxDepth = 3 })
	apq := `{"query":"","extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + strings.Repeat("0", 64) + `"}}}`
	cases := map[string]struct {
		body     string
		code     string
		jsonCode int // HTTP status for application/json
	}{
		"parse":      {queryBody(`{`, nil), "GRAPHQL_PARSE_FAILED", 200},
		"validation": {queryBody(`{ nope }`, nil), "GRAPHQL_VALIDATION_FAILED", 200},
		"variables": {queryBody(`query ($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": map[string]any{"a": 1}}),
			"GRAPHQL_VALIDATION_FAILED", 200},
		"missing variable":       {queryBody(`query ($id: ID!) { node(id: $id) { id } }`, nil), "GRAPHQL_VALIDATION_FAILED", 200},
		"unknown operation name": {`{"query":"query A { __typename }","operationName":"B"}`, "GRAPHQL_VALIDATION_FAILED", 200},
		// Our own refusals are request errors to the client, like validation.
		"depth limit":             {queryBody(`{ roles { edges { node { openings { edges { node { id } } } } } } }`, nil), "DEPTH_LIMIT_EXCEEDED", 200},
		"persisted query unknown": {apq, "PERSISTED_QUERY_NOT_FOUND", 200},
		// No query at all is not a well-formed request: 400 in both.
		"no query": {`{"qeury":"{ __typename }"}`, "GRAPHQL_VALIDATION_FAILED", 400},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := serve(t, h, post(tc.body, mediaJSON))
			assert.Equal(t, tc.jsonCode, a.status, a.raw)
			assert.Equal(t, mediaJSON, a.header.Get("Content-Type"))
			assert.Equal(t, tc.code, a.code(), a.raw)
			assert.NotContains(t, a.body, "data", "no data entry before execution: %s", a.raw)
			assert.Contains(t, a.body, "errors")

			a = serve(t, h, post(tc.body, mediaResponse))
			assert.Equal(t, http.StatusBadRequest, a.status, a.raw)
			assert.Equal(t, mediaResponse, a.header.Get("Content-Type"))
			assert.Equal(t, tc.code, a.code(), a.raw)
			assert.NotContains(t, a.body, "data", "no data entry before execution: %s", a.raw)
		})
	}
}

// TestErrorsDuringExecution keep their data entry and HTTP 200 in both media types: the
// request was executed, and a field error is part of a partial result.
func TestErrorsDuringExecution(t *testing.T) {
	t.Parallel()
	h := testenv.New(t, testenv.SQLite).Handler(t)
	for _, accept := range []string{mediaJSON, mediaResponse} {
		a := serve(t, h, post(queryBody(`{ node(id: "not an id") { id } }`, nil), accept))
		assert.Equal(t, http.StatusOK, a.status, a.raw)
		assert.Equal(t, "BAD_USER_INPUT", a.code(), a.raw)
		assert.JSONEq(t, `{"node":null}`, string(a.body["data"]), a.raw)
	}
}

// TestGETRefusesMutations with 405 and Allow: POST, as the spec asks.
func TestGETRefusesMutations(t *testing.T) {
	t.Parallel()
	h := testenv.New(t, testenv.SQLite).Handler(t)
	req := httptest.NewRequest(http.MethodGet, "/query?query="+url.QueryEscape(`mutation { logout }`), nil)
	a := serve(t, h, req)
	assert.Equal(t, http.StatusMethodNotAllowed, a.status, a.raw)
	assert.Equal(t, http.MethodPost, a.header.Get("Allow"))
	assert.NotContains(t, a.body, "data")

	req = httptest.NewRequest(http.MethodGet, "/query?query="+url.QueryEscape(`{ __typename }`)+"&variables=%7Bnot+json", nil)
	a = serve(t, h, req)
	assert.Equal(t, http.StatusBadRequest, a.status, "malformed variables: %s", a.raw)
	assert.NotContains(t, a.body, "data")
}
