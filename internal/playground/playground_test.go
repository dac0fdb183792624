package playground_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/playground"
	"github.com/careergraph/careergraph/internal/testenv"
)

func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

// references returns the URLs the page loads: src, href and data-examples attributes.
func references(page string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`\s(?:src|href|data-examples)="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		out = append(out, strings.ReplaceAll(m[1], "&amp;", "&"))
	}
	return out
}

var wantType = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
}

// TestPageAndAssetsServedFromBinary: the production handler serves the page and every file it
// references, with the right media type and a year's caching, and the page refers to no other
// host: it works without the internet.
func TestPageAndAssetsServedFromBinary(t *testing.T) {
	t.Parallel()
	h := testenv.New(t, testenv.SQLite).Handler(t)

	rec := get(t, h, "/")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, "no-cache", rec.Header().Get("Cache-Control"))
	page := rec.Body.String()
	assert.Contains(t, page, `id="graphiql"`)
	assert.Contains(t, page, `data-endpoint="/query"`)
	assert.NotRegexp(t, `(?i)https?:|"//`, page, "the page names no other host")

	refs := references(page)
	var loaded []string
	for _, ref := range refs {
		if strings.HasPrefix(ref, "data:") {
			continue // the empty favicon
		}
		require.True(t, strings.HasPrefix(ref, playground.AssetPrefix), "%s is served by the binary", ref)
		loaded = append(loaded, path.Base(strings.SplitN(ref, "?", 2)[0]))
		rec := get(t, h, ref)
		require.Equal(t, http.StatusOK, rec.Code, ref)
		assert.NotZero(t, rec.Body.Len(), ref)
		ext := path.Ext(strings.SplitN(ref, "?", 2)[0])
		assert.Equal(t, wantType[ext], rec.Header().Get("Content-Type"), ref)
		assert.Equal(t, "public, max-age=31536000, immutable", rec.Header().Get("Cache-Control"), ref)
		assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"), ref)
		if ext == ".css" {
			for _, u := range regexp.MustCompile(`url\(\s*['"]?([^'")]*)`).FindAllStringSubmatch(rec.Body.String(), -1) {
				assert.True(t, strings.HasPrefix(u[1], "data:"), "%s loads %.40s", ref, u[1])
			}
		}
		if !strings.Contains(ref, "/vendor/") {
			assert.NotRegexp(t, `https?://`, rec.Body.String(), "%s names no host", ref)
		}
	}
	assert.ElementsMatch(t, []string{"graphiql.min.css", "playground.css", "examples.json",
		"react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "playground.js"}, loaded)

	// An asset asked for without its current version is served but revalidated.
	rec = get(t, h, playground.AssetPrefix+"playground.js")
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "no-cache", rec.Header().Get("Cache-Control"))
	assert.Equal(t, http.StatusNotFound, get(t, h, playground.AssetPrefix+"playground.go").Code, "only assets/ is embedded")
	rec = get(t, h, playground.AssetPrefix+"../internal/playground/playground.go")
	assert.NotEqual(t, http.StatusOK, rec.Code, "no way out of the assets")
	assert.NotContains(t, rec.Body.String(), "package playground")
}

// TestAssetsAreGzippedOnDemand: a client that takes gzip gets the large assets compressed, and
// they unpack to the same bytes.
func TestAssetsAreGzippedOnDemand(t *testing.T) {
	t.Parallel()
	h := testenv.New(t, testenv.SQLite).Handler(t)
	target := playground.AssetPrefix + "vendor/graphiql.min.js"
	plain := get(t, h, target)
	require.Equal(t, http.StatusOK, plain.Code)
	assert.Empty(t, plain.Header().Get("Content-Encoding"))

	for accept, want := range map[string]bool{"gzip": true, "br, gzip;q=0.5": true, "gzip;q=0": false, "br": false} {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Accept-Encoding", accept)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "Accept-Encoding", rec.Header().Get("Vary"))
		if !want {
			assert.Empty(t, rec.Header().Get("Content-Encoding"), accept)
			continue
		}
		require.Equal(t, "gzip", rec.Header().Get("Content-Encoding"), accept)
		assert.Less(t, rec.Body.Len(), plain.Body.Len()/2, "compressed")
		zr, err := gzip.NewReader(rec.Body)
		require.NoError(t, err)
		unpacked, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(plain.Body.Bytes(), unpacked), "same bytes")
	}
}

// TestPlaygroundOff: GRAPHQL_PLAYGROUND=false serves neither the page nor its assets.
func TestPlaygroundOff(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.SQLite)
	h := env.HandlerWith(t, func(o *httpserver.Options) { o.Playground = false })
	assert.Equal(t, http.StatusNotFound, get(t, h, "/").Code)
	assert.Equal(t, http.StatusNotFound, get(t, h, playground.AssetPrefix+"playground.js").Code)
}

type example struct {
	Title     string         `json:"title"`
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables"`
}

func examples(t *testing.T) []example {
	t.Helper()
	b, err := os.ReadFile("assets/examples.json")
	require.NoError(t, err)
	var ex []example
	require.NoError(t, json.Unmarshal(b, &ex))
	return ex
}

// TestExamplesAreTheREADMEs: the playground's tabs are the README's example operations, word
// for word, and each runs without errors on every backend.
func TestExamplesAreTheREADMEs(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	space := regexp.MustCompile(`\s+`)
	norm := func(s string) string { return space.ReplaceAllString(strings.TrimSpace(s), " ") }
	ex := examples(t)
	var titles []string
	for _, e := range ex {
		titles = append(titles, e.Title)
		assert.Contains(t, norm(string(readme)), norm(e.Query), "%s is in README.md as written", e.Title)
	}
	assert.Equal(t, []string{"RolePage", "Search", "Match", "Fit", "Market"}, titles)

	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		h := testenv.Seeded(t, b).Handler(t)
		for _, e := range ex {
			res := testenv.Post(t, h, e.Query, e.Variables)
			require.Empty(t, res.Errors, "%s: %s", e.Title, res.String())
			var data map[string]any
			require.NoError(t, json.Unmarshal(res.Data, &data))
			for field, v := range data {
				assert.NotNil(t, v, "%s: %s has data", e.Title, field)
			}
		}
	})
}

// TestVendoredAssetsMatchVERSIONS: the third-party files are the ones VERSIONS names (so
// nobody edits them by hand), and each package's licence is kept beside them.
func TestVendoredAssetsMatchVERSIONS(t *testing.T) {
	t.Parallel()
	f, err := os.Open("assets/VERSIONS")
	require.NoError(t, err)
	defer f.Close()
	line := regexp.MustCompile(`^\s+([0-9a-f]{64})\s+(\S+)$`)
	pkg := regexp.MustCompile(`^([a-z-]+) (\d+\.\d+\.\d+) MIT:$`)
	seen := map[string]bool{}
	var packages []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := pkg.FindStringSubmatch(sc.Text()); m != nil {
			packages = append(packages, m[1])
			_, err := os.Stat("assets/licenses/" + m[1] + ".LICENSE")
			assert.NoError(t, err, "licence of %s", m[1])
		}
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		b, err := os.ReadFile("assets/" + m[2])
		require.NoError(t, err)
		sum := sha256.Sum256(b)
		assert.Equal(t, m[1], hex.EncodeToString(sum[:]), m[2])
		seen[m[2]] = true
	}
	require.NoError(t, sc.Err())
	assert.Equal(t, []string{"graphiql", "react", "react-dom"}, packages)
	entries, err := os.ReadDir("assets/vendor")
	require.NoError(t, err)
	for _, e := range entries {
		assert.True(t, seen["vendor/"+e.Name()], "vendor/%s is listed in VERSIONS", e.Name())
	}
}
