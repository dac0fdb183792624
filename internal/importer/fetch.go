package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// FetchOptions bound what reading from URLs may do.
type FetchOptions struct {
	// AllowPrivate lets URLs reach loopback, private (RFC 1918, fc00::/7), link-local and
	// unspecified addresses. Off by default: an editor's URL must not reach the server's own
	// network (SSRF). Tests turn it on for their httptest server.
	AllowPrivate bool
	// MaxBytes bounds one document. Default 512 MiB.
	MaxBytes int64
	// Timeout bounds one download, headers and body. Default 10 minutes.
	Timeout time.Duration
}

func (o FetchOptions) withDefaults() FetchOptions {
	if o.MaxBytes <= 0 {
		o.MaxBytes = 512 << 20
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	return o
}

// Doc is one document to import: a file, or a URL's response.
type Doc struct {
	Name string
	open func(ctx context.Context) (io.ReadCloser, Format, error)
}

// Open returns the document's content and format.
func (d Doc) Open(ctx context.Context) (io.ReadCloser, Format, error) { return d.open(ctx) }

// extensions are the files a directory import reads, and their formats.
var extensions = map[string]Format{
	".json": FormatAuto, ".jsonld": FormatAuto, ".jsonl": FormatJSONLines, ".ndjson": FormatJSONLines,
	".html": FormatHTML, ".htm": FormatHTML,
}

// Docs lists the documents an argument names: an http(s) URL, a file, or a directory (its
// .json, .jsonld, .jsonl, .ndjson, .html and .htm files, recursively, in name order).
func Docs(arg string, fo FetchOptions) ([]Doc, error) {
	fo = fo.withDefaults()
	if u, err := url.Parse(arg); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return []Doc{{Name: u.Redacted(), open: func(ctx context.Context) (io.ReadCloser, Format, error) { return fetch(ctx, u, fo) }}}, nil
	}
	st, err := os.Stat(arg)
	if err != nil {
		return nil, fmt.Errorf("importer: %w", err)
	}
	if !st.IsDir() {
		return []Doc{fileDoc(arg, formatOf(arg), fo)}, nil
	}
	var out []Doc
	err = filepath.WalkDir(arg, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if f, ok := extensions[strings.ToLower(filepath.Ext(p))]; ok && !e.IsDir() {
			out = append(out, fileDoc(p, f, fo))
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

func formatOf(p string) Format {
	if f, ok := extensions[strings.ToLower(filepath.Ext(p))]; ok {
		return f
	}
	return FormatAuto
}

func fileDoc(p string, f Format, fo FetchOptions) Doc {
	return Doc{Name: p, open: func(context.Context) (io.ReadCloser, Format, error) {
		fh, err := os.Open(p)
		if err != nil {
			return nil, 0, err
		}
		return readCloser{Reader: &limited{r: fh, left: fo.MaxBytes}, Closer: fh}, f, nil
	}}
}

type readCloser struct {
	io.Reader
	io.Closer
}

// ErrTooLarge is returned when a document exceeds FetchOptions.MaxBytes.
var ErrTooLarge = errors.New("document larger than the limit")

// limited fails, rather than silently truncating, past its limit.
type limited struct {
	r    io.Reader
	left int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			return 0, ErrTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// ErrForbiddenAddress is returned for a URL that resolves to an address FetchOptions forbid.
var ErrForbiddenAddress = errors.New("address not allowed (loopback, private or link-local)")

// client builds an HTTP client whose dialer checks every address it connects to, after name
// resolution and on every redirect, so that neither a DNS name nor a redirect reaches a
// forbidden network.
func client(fo FetchOptions) *http.Client {
	d := &net.Dialer{Timeout: 30 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		if fo.AllowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return ErrForbiddenAddress
		}
		a := ap.Addr().Unmap()
		if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
			a.IsUnspecified() || a.IsMulticast() || a.IsInterfaceLocalMulticast() {
			return ErrForbiddenAddress
		}
		return nil
	}}
	tr := &http.Transport{Proxy: nil, DialContext: d.DialContext, TLSHandshakeTimeout: 30 * time.Second,
		ResponseHeaderTimeout: time.Minute, MaxIdleConns: 4}
	return &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("more than 5 redirects")
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return errors.New("redirect to a non-HTTP URL")
		}
		return nil
	}}
}

func fetch(ctx context.Context, u *url.URL, fo FetchOptions) (io.ReadCloser, Format, error) {
	ctx, cancel := context.WithTimeout(ctx, fo.Timeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		cancel()
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/ld+json, application/json, application/x-ndjson, text/html;q=0.9")
	req.Header.Set("User-Agent", "careergraph-importer")
	resp, err := client(fo).Do(req)
	if err != nil {
		cancel()
		if errors.Is(err, ErrForbiddenAddress) {
			return nil, 0, ErrForbiddenAddress
		}
		return nil, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, 0, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if resp.ContentLength > fo.MaxBytes {
		resp.Body.Close()
		cancel()
		return nil, 0, ErrTooLarge
	}
	f := formatOf(u.Path)
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil {
		switch {
		case mt == "text/html" || mt == "application/xhtml+xml":
			f = FormatHTML
		case strings.Contains(mt, "ndjson") || strings.Contains(mt, "jsonl") || strings.Contains(mt, "json-seq"):
			f = FormatJSONLines
		}
	}
	return readCloser{Reader: &limited{r: resp.Body, left: fo.MaxBytes}, Closer: closer(func() error {
		defer cancel()
		return resp.Body.Close()
	})}, f, nil
}

type closer func() error

func (c closer) Close() error { return c() }

// Run imports every document the arguments name (see Docs) with one Importer and returns its
// report. A document that cannot be opened or read to its end is reported (Incomplete, and
// the error) and the others are still imported; a full import then closes nothing.
func Run(ctx context.Context, im *Importer, args []string, fo FetchOptions, progress func(doc string, r Report)) (*Report, error) {
	var errs []error
	for _, arg := range args {
		docs, err := Docs(arg, fo)
		if err != nil {
			im.report.Incomplete = true
			errs = append(errs, err)
			continue
		}
		for _, d := range docs {
			if err := importDoc(ctx, im, d); err != nil {
				im.report.Incomplete = true
				errs = append(errs, err)
			}
			if progress != nil {
				progress(d.Name, im.report)
			}
		}
	}
	rep, err := im.Finish(ctx)
	if err != nil {
		return nil, err
	}
	return rep, errors.Join(errs...)
}

func importDoc(ctx context.Context, im *Importer, d Doc) error {
	rc, f, err := d.Open(ctx)
	if err != nil {
		return fmt.Errorf("importer: %s: %w", d.Name, err)
	}
	defer rc.Close()
	return im.Document(ctx, d.Name, rc, f)
}
