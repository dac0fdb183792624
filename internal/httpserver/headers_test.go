package httpserver_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/playground"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestSecurityHeadersOnEveryResponse sends one request of each kind the server answers, from
// every layer that can answer (the GraphQL endpoint, the body limit, the rate limiter, the
// token check, CORS, the probes, the playground, the mux's 404 and 405), and checks that each
// response carries the security headers and the right Content-Security-Policy.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.SQLite)
	h := env.HandlerWith(t, func(o *httpserver.Options) {
		o.Limits.MaxBodyBytes = 1024
		o.CORSOrigins = []string{"https://dashboard.example.com"}
	})
	spent := env.HandlerWith(t, func(o *httpserver.Options) { o.Limits.RatePoints = 1 })
	spent.ServeHTTP(httptest.NewRecorder(), post(queryBody(`{ __typename }`, nil), ""))

	gql := func(q string) *http.Request { return post(queryBody(q, nil), "") }
	req := func(method, target string, hdr ...string) *http.Request {
		r := httptest.NewRequest(method, target, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		return r
	}
	big := post(`{"query":"{ __typename }","variables":{"x":"`+strings.Repeat("a", 2048)+`"}}`, "")
	cases := []struct {
		name    string
		h       http.Handler
		req     *http.Request
		status  int
		pageCSP bool // the playground page's policy instead of the API's
	}{
		{"query", h, gql(`{ __typename }`), 200, false},
		{"GET query", h, req(http.MethodGet, "/query?query="+url.QueryEscape(`{ __typename }`)), 200, false},
		{"validation error", h, gql(`{ nope }`), 200, false},
		{"body too large", h, big, 413, false},
		{"malformed JSON", h, post(`{"query":`, ""), 400, false},
		{"bad token", h, req(http.MethodGet, "/query?query=%7B__typename%7D", "Authorization", "Bearer nope"), 401, false},
		{"rate limited", spent, gql(`{ __typename }`), 429, false},
		{"CORS preflight from a stranger", h, req(http.MethodOptions, "/query", "Origin", "https://evil.example",
			"Access-Control-Request-Method", "POST"), 403, false},
		{"healthz", h, req(http.MethodGet, "/healthz"), 200, false},
		{"readyz", h, req(http.MethodGet, "/readyz"), 200, false},
		{"playground page", h, req(http.MethodGet, "/"), 200, true},
		{"playground asset", h, req(http.MethodGet, playground.AssetPrefix+"playground.js"), 200, false},
		{"unknown asset", h, req(http.MethodGet, playground.AssetPrefix+"nope.js"), 404, false},
		{"unknown path", h, req(http.MethodGet, "/nope"), 404, false},
		{"wrong method", h, req(http.MethodPost, "/healthz"), 405, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tc.h.ServeHTTP(rec, tc.req)
			assert.Equal(t, tc.status, rec.Code, rec.Body.String())
			hd := rec.Header()
			assert.Equal(t, "nosniff", hd.Get("X-Content-Type-Options"))
			assert.Equal(t, "no-referrer", hd.Get("Referrer-Policy"))
			assert.Equal(t, "DENY", hd.Get("X-Frame-Options"))
			csp := hd.Values("Content-Security-Policy")
			if assert.Len(t, csp, 1, "one policy") {
				if tc.pageCSP {
					assert.Equal(t, playground.ContentSecurityPolicy, csp[0])
				} else {
					assert.Equal(t, httpserver.APIContentSecurityPolicy, csp[0])
				}
				assert.Contains(t, csp[0], "frame-ancestors 'none'")
			}
		})
	}
}

// TestPlaygroundPolicyIsStrictForScripts: the page's policy loads scripts from this origin
// only, inline scripts and eval included, and connects nowhere else.
func TestPlaygroundPolicyIsStrictForScripts(t *testing.T) {
	t.Parallel()
	directives := map[string]string{}
	for _, d := range strings.Split(playground.ContentSecurityPolicy, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	assert.Equal(t, "'none'", directives["default-src"])
	assert.Equal(t, "'self'", directives["script-src"], "no 'unsafe-inline', no 'unsafe-eval', no hosts")
	assert.Equal(t, "'self'", directives["style-src"], "no 'unsafe-inline'")
	assert.Equal(t, "'self'", directives["connect-src"])
	assert.Equal(t, "'none'", directives["frame-ancestors"])
	for name, v := range directives {
		assert.NotContains(t, v, "http", "%s names no other host", name)
		assert.NotContains(t, v, "*", "%s has no wildcard", name)
	}
	// The page itself has no inline script or event handler attribute that the policy would block.
	rec := httptest.NewRecorder()
	testenv.New(t, testenv.SQLite).Handler(t).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	page := rec.Body.String()
	scripts := regexp.MustCompile(`<script\b[^>]*>`).FindAllString(page, -1)
	assert.NotEmpty(t, scripts)
	for _, s := range scripts {
		assert.Contains(t, s, ` src="/`, "every script is a file of this origin")
	}
	assert.NotRegexp(t, `(?i)\son[a-z]+\s*=`, page, "no inline event handlers")
	assert.NotContains(t, page, "<style", "no inline style element")
}
