package httpserver_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestReadyzWaitsForTheMatchIndex: with a matcher whose index is not built, the replica says
// 503 on /readyz (and why); once built, 200.
func TestReadyzWaitsForTheMatchIndex(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		m := matching.New(env.DB.Client, env.Querier, env.DB.Dialect)
		h := env.HandlerWith(t, func(o *httpserver.Options) { o.Matcher = m })
		readyz := func() *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			return rec
		}
		rec := readyz()
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
		assert.Contains(t, rec.Body.String(), "match index building")
		assert.False(t, m.Ready())

		require.NoError(t, m.Build(context.Background()))
		assert.True(t, m.Ready())
		rec = readyz()
		assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	})
}

// TestPublicHandlerServesNoProfiler: the public handler, with everything switched on, answers
// no /debug/pprof path; the profiler lives only on httpserver.Debug (DEBUG_ADDR's listener).
func TestPublicHandlerServesNoProfiler(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.SQLite)
	h := env.HandlerWith(t, func(o *httpserver.Options) { o.Introspection, o.Playground = true, true })
	debug := httpserver.Debug()
	for _, p := range []string{"/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/symbol", "/debug/pprof/heap", "/debug/pprof/goroutine?debug=1"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		assert.Equal(t, http.StatusNotFound, rec.Code, "public %s", p)
		assert.NotContains(t, rec.Body.String(), "goroutine")

		rec = httptest.NewRecorder()
		debug.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		assert.Equal(t, http.StatusOK, rec.Code, "debug %s", p)
	}
}
