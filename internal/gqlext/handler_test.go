package gqlext

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// costEcho is an executable schema whose only behaviour is to answer with the cost the Cost
// extension recorded, proving the extensions ran inside gqlgen's real executor.
type costEcho struct{ schemaOnly }

func (costEcho) Exec(ctx context.Context) graphql.ResponseHandler {
	cost, ok := CostOf(ctx)
	return graphql.OneShot(&graphql.Response{Data: json.RawMessage(fmt.Sprintf(`{"cost":%d,"ok":%t}`, cost, ok))})
}

type response struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func post(t *testing.T, srv http.Handler, body map[string]any) (int, response) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	var resp response
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp), rec.Body.String())
	return rec.Code, resp
}

func newServer(allowlist Allowlist) http.Handler {
	srv := handler.New(costEcho{schemaOnly{testSchema}})
	srv.AddTransport(transport.POST{})
	srv.Use(allowlist)
	srv.Use(extension.AutomaticPersistedQuery{Cache: graphql.MapCache[string]{}})
	srv.Use(Limits{MaxDepth: 10, MaxAliases: 50, MaxRootFields: 5})
	srv.Use(Cost{Max: 1000})
	return srv
}

func TestThroughGqlgenHandler(t *testing.T) {
	srv := newServer(Allowlist{})

	code, resp := post(t, srv, map[string]any{"query": "{ roles(first: 10) { edges { node { openings(first: 20) { edges { node { id } } } } } } }"})
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, map[string]any{"cost": float64(631), "ok": true}, resp.Data)

	for _, c := range []struct {
		query string
		code  string
	}{
		{depthBomb(20), CodeDepthLimitExceeded},
		{aliasBomb(500), CodeAliasLimitExceeded},
		{"{ a: viewer { id } b: viewer { id } c: viewer { id } d: viewer { id } e: viewer { id } f: viewer { id } }", CodeRootFieldLimitExceeded},
		{"{ roles(first: 100) { edges { node { openings(first: 100) { totalCount } } } } }", CodeCostLimitExceeded},
	} {
		code, resp := post(t, srv, map[string]any{"query": c.query})
		assert.Equal(t, http.StatusUnprocessableEntity, code, c.code)
		require.Len(t, resp.Errors, 1)
		assert.Equal(t, c.code, resp.Errors[0].Extensions["code"])
		assert.Nil(t, resp.Data)
	}
}

func TestAllowlistBeforeAPQThroughGqlgenHandler(t *testing.T) {
	srv := newServer(Allowlist{Enabled: true, Manifest: Manifest{QueryHash(registeredQuery): registeredQuery}})
	pq := func(q string) map[string]any {
		return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": QueryHash(q)}}
	}

	// A hash the APQ cache has never seen works, because the allowlist fills in the text.
	code, resp := post(t, srv, map[string]any{"extensions": pq(registeredQuery)})
	assert.Equal(t, http.StatusOK, code)
	assert.Empty(t, resp.Errors)
	assert.Equal(t, float64(3), resp.Data["cost"])

	code, resp = post(t, srv, map[string]any{"query": registeredQuery})
	assert.Equal(t, http.StatusOK, code)
	assert.Empty(t, resp.Errors)

	// An APQ registration of an unregistered operation is refused before APQ caches it.
	code, resp = post(t, srv, map[string]any{"query": otherQuery, "extensions": pq(otherQuery)})
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	require.Len(t, resp.Errors, 1)
	assert.Equal(t, CodePersistedQueryNotAllowed, resp.Errors[0].Extensions["code"])

	code, resp = post(t, srv, map[string]any{"extensions": pq(otherQuery)})
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	require.Len(t, resp.Errors, 1)
	assert.Equal(t, CodePersistedQueryNotAllowed, resp.Errors[0].Extensions["code"])
}
