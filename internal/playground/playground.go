// Package playground serves careergraph's GraphQL playground: GraphiQL with the README's
// example operations as tabs and a header editor for the bearer token, every byte of it
// embedded in the binary (no CDN), so it works offline and under a strict
// Content-Security-Policy.
//
// The page is index.html at the mount point ("/"); its assets are under AssetPrefix and are
// referenced with a ?v=<content hash> query, so they can be cached for a year: a new binary
// with different assets references different URLs. assets/NOTICE.md lists the third-party
// files, their versions and licences, and how to update them.
package playground

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed assets
var embedded embed.FS

// AssetPrefix is the URL path under which the assets are served.
const AssetPrefix = "/playground/"

// ContentSecurityPolicy is the page's policy: it allows exactly what the page loads.
//
//   - script-src 'self' and style-src 'self': React, GraphiQL, playground.js and the style
//     sheets are files of this origin; there is no inline script, no inline style and no eval.
//     (GraphiQL and CodeMirror set styles through the CSSOM, which CSP does not restrict;
//     scripts/playground-check.sh shows the page renders without a violation.)
//   - font-src data: and img-src data:: graphiql.min.css embeds its fonts (Fira Code, Roboto)
//     and a few PNG backgrounds as data: URIs, and the favicon is the empty data: URI (so the
//     browser does not ask for /favicon.ico). data: URIs load nothing from the network.
//   - connect-src 'self': the page fetches examples.json and talks to the GraphQL endpoint on
//     this origin only.
//   - frame-ancestors 'none', base-uri 'none', form-action 'none': no framing, no <base>
//     tricks, no form posts.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"font-src data:; img-src data:; connect-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// contentTypes maps the asset extensions to their media types; anything else is plain text
// (the licence files and VERSIONS).
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".md":   "text/markdown; charset=utf-8",
}

type asset struct {
	body        []byte
	hash        string // first 16 hex digits of the SHA-256 of body
	contentType string

	gzipOnce sync.Once
	gzipped  []byte // body gzipped, made on first demand; nil when it does not pay
}

// gzip returns the asset gzipped, or nil for files too small to be worth it.
func (a *asset) gzip() []byte {
	a.gzipOnce.Do(func() {
		if len(a.body) < 1024 || strings.HasPrefix(a.contentType, "text/plain") {
			return
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(a.body)
		if zw.Close() == nil && buf.Len() < len(a.body) {
			a.gzipped = buf.Bytes()
		}
	})
	return a.gzipped
}

// The embedded files never change, so they are read and hashed once per process.
var (
	loadOnce sync.Once
	assets   map[string]*asset // by path below AssetPrefix, such as "vendor/graphiql.min.js"
	pageTmpl *template.Template
	loadErr  error
)

func load() {
	sub, err := fs.Sub(embedded, "assets")
	if err != nil {
		loadErr = err
		return
	}
	assets = map[string]*asset{}
	loadErr = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "index.html" {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			ct = "text/plain; charset=utf-8"
		}
		assets[p] = &asset{body: b, hash: hex.EncodeToString(sum[:8]), contentType: ct}
		return nil
	})
	if loadErr != nil {
		return
	}
	pageTmpl, loadErr = template.New("index.html").Funcs(template.FuncMap{"asset": assetURL}).ParseFS(sub, "index.html")
}

// Handler serves the playground page at "/" (mount it on "GET /{$}") and its assets under
// AssetPrefix (mount it on "GET /playground/").
type Handler struct {
	page []byte
}

// New builds the handler for a GraphQL endpoint (a URL path such as "/query"): it renders the
// page once.
func New(endpoint string) (*Handler, error) {
	loadOnce.Do(load)
	if loadErr != nil {
		return nil, loadErr
	}
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, struct{ Endpoint string }{endpoint}); err != nil {
		return nil, err
	}
	return &Handler{page: buf.Bytes()}, nil
}

// assetURL is the versioned URL of an asset; the template fails on an unknown name.
func assetURL(name string) (string, error) {
	a, ok := assets[name]
	if !ok {
		return "", fs.ErrNotExist
	}
	return AssetPrefix + name + "?v=" + a.hash, nil
}

// ServeHTTP serves the page or an asset. The page carries ContentSecurityPolicy (replacing the
// API's stricter one set by the server's header middleware) and is revalidated on every load;
// an asset asked for with its current hash is cached for a year.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" {
		w.Header().Set("Content-Security-Policy", ContentSecurityPolicy)
		w.Header().Set("Content-Type", contentTypes[".html"])
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(h.page))
		return
	}
	a, ok := assets[strings.TrimPrefix(r.URL.Path, AssetPrefix)]
	if !ok || !strings.HasPrefix(r.URL.Path, AssetPrefix) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	if r.URL.Query().Get("v") == a.hash {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("Vary", "Accept-Encoding")
	body, etag := a.body, `"`+a.hash+`"`
	if gz := a.gzip(); gz != nil && acceptsGzip(r) {
		w.Header().Set("Content-Encoding", "gzip")
		body, etag = gz, `"`+a.hash+`-gz"`
	}
	w.Header().Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether the client takes gzip (and did not refuse it with q=0).
func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			q, err := strconv.ParseFloat(v, 64)
			return err == nil && q > 0
		}
		return true
	}
	return false
}
