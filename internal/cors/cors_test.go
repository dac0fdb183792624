package cors

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const app = "https://app.careergraph.example"

type served struct{ called bool }

func (s *served) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.called = true
	w.Header().Set("X-From-Next", "yes")
	w.WriteHeader(http.StatusOK)
}

func do(t *testing.T, allowed []string, method, origin string, headers map[string]string) (*httptest.ResponseRecorder, bool) {
	t.Helper()
	next := &served{}
	req := httptest.NewRequest(method, "/graphql", nil)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	Middleware(allowed)(next).ServeHTTP(rec, req)
	return rec, next.called
}

func assertNoCORS(t *testing.T, h http.Header) {
	t.Helper()
	for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
		"Access-Control-Expose-Headers", "Access-Control-Max-Age", "Access-Control-Allow-Credentials"} {
		assert.Empty(t, h.Values(k), k)
	}
}

func preflight(extra map[string]string) map[string]string {
	h := map[string]string{"Access-Control-Request-Method": "POST"}
	for k, v := range extra {
		h[k] = v
	}
	return h
}

func TestAllowedOriginRequest(t *testing.T) {
	rec, called := do(t, []string{app}, http.MethodPost, app, nil)
	assert.True(t, called)
	assert.Equal(t, http.StatusOK, rec.Code)
	h := rec.Header()
	assert.Equal(t, app, h.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-RateLimit-Cost, X-Request-Id",
		h.Get("Access-Control-Expose-Headers"))
	assert.Equal(t, []string{"Origin"}, h.Values("Vary"))
	assert.Empty(t, h.Get("Access-Control-Allow-Credentials"))
	assert.Empty(t, h.Get("Access-Control-Allow-Methods"), "only preflights get methods")
}

func TestDisallowedOriginRequest(t *testing.T) {
	rec, called := do(t, []string{app}, http.MethodPost, "https://evil.example", nil)
	assert.True(t, called, "the request is served; the browser hides the answer")
	assertNoCORS(t, rec.Header())
	assert.Equal(t, []string{"Origin"}, rec.Header().Values("Vary"))
}

func TestOriginMatchIsExact(t *testing.T) {
	for _, o := range []string{
		"http://app.careergraph.example",      // other scheme
		"https://app.careergraph.example:444", // other port
		"https://evil.app.careergraph.example",
		"https://app.careergraph.example.evil.example",
		"https://app.careergraph.exampl",
		"null",
	} {
		rec, _ := do(t, []string{app, "null"}, http.MethodGet, o, nil)
		assertNoCORS(t, rec.Header())
	}
}

func TestNoOrigin(t *testing.T) {
	rec, called := do(t, []string{app}, http.MethodPost, "", nil)
	assert.True(t, called)
	assertNoCORS(t, rec.Header())
	assert.Equal(t, []string{"Origin"}, rec.Header().Values("Vary"))
}

func TestPreflightAllowed(t *testing.T) {
	rec, called := do(t, []string{app}, http.MethodOptions, app, preflight(nil))
	assert.False(t, called, "preflights are answered here")
	assert.Equal(t, http.StatusNoContent, rec.Code)
	h := rec.Header()
	assert.Equal(t, app, h.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "GET, POST, OPTIONS", h.Get("Access-Control-Allow-Methods"))
	assert.Equal(t, "Authorization, Content-Type, X-Request-Id", h.Get("Access-Control-Allow-Headers"))
	assert.Equal(t, "600", h.Get("Access-Control-Max-Age"))
	assert.Equal(t, []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}, h.Values("Vary"))
	assert.Empty(t, h.Get("Access-Control-Allow-Credentials"))
	assert.Empty(t, rec.Body.String())
}

func TestPreflightRequestedHeaders(t *testing.T) {
	rec, _ := do(t, []string{app}, http.MethodOptions, app, preflight(map[string]string{
		"Access-Control-Request-Headers": "content-type,apollo-require-preflight, x-evil ,ACCEPT",
	}))
	assert.Equal(t, "Authorization, Content-Type, X-Request-Id, Accept, Apollo-Require-Preflight",
		rec.Header().Get("Access-Control-Allow-Headers"))
}

func TestPreflightDisallowed(t *testing.T) {
	rec, called := do(t, []string{app}, http.MethodOptions, "https://evil.example", preflight(nil))
	assert.False(t, called)
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assertNoCORS(t, rec.Header())
	assert.Contains(t, rec.Header().Values("Vary"), "Origin")
}

func TestPlainOptionsIsNotAPreflight(t *testing.T) {
	rec, called := do(t, []string{app}, http.MethodOptions, app, nil)
	assert.True(t, called)
	assert.Equal(t, app, rec.Header().Get("Access-Control-Allow-Origin"))
	assert.Empty(t, rec.Header().Get("Access-Control-Allow-Methods"))
}

func TestWildcard(t *testing.T) {
	rec, called := do(t, []string{"*"}, http.MethodPost, "https://anything.example", nil)
	assert.True(t, called)
	assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))
	assert.Empty(t, rec.Header().Get("Access-Control-Allow-Credentials"))
	assert.Equal(t, []string{"Origin"}, rec.Header().Values("Vary"))

	rec, _ = do(t, []string{"*"}, http.MethodOptions, "https://anything.example", preflight(nil))
	assert.Equal(t, http.StatusNoContent, rec.Code)
	assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))
}

func TestConfiguredOriginsAreNormalised(t *testing.T) {
	rec, _ := do(t, []string{" HTTPS://App.Careergraph.Example/ "}, http.MethodGet, app, nil)
	assert.Equal(t, app, rec.Header().Get("Access-Control-Allow-Origin"))
}

func TestNoOriginsAllowsNone(t *testing.T) {
	rec, _ := do(t, nil, http.MethodOptions, app, preflight(nil))
	assert.Equal(t, http.StatusForbidden, rec.Code)
}

func TestValidateOrigins(t *testing.T) {
	require.NoError(t, ValidateOrigins([]string{app, "http://localhost:5173", "https://app.example/", "*"}))
	for _, bad := range []string{"app.example.com", "https://", "ftp://app.example", "https://app.example/path",
		"https://user@app.example", "https://app.example?x=1", "https://app.example#f", ""} {
		assert.Error(t, ValidateOrigins([]string{bad}), bad)
	}
}
