package importer

import (
	"bytes"
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

	"github.com/careergraph/careergraph/internal/apperr"
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

// BytesDoc is a document held in memory (an uploaded file) of format f.
func BytesDoc(name string, content []byte, f Format) Doc {
	return Doc{Name: name, open: func(context.Context) (io.ReadCloser, Format, error) {
		return io.NopCloser(bytes.NewReader(content)), f, nil
	}}
}

// FormatOf is the format a file name's extension says (.jsonl and .ndjson JSON Lines, .html
// and .htm HTML), else FormatAuto (sniffed).
func FormatOf(name string) Format { return formatOf(name) }

// RunDocs is Run over documents already listed.
func RunDocs(ctx context.Context, im *Importer, docs []Doc) (*Report, error) {
	var errs []error
	for _, d := range docs {
		if err := importDoc(ctx, im, d); err != nil {
			errs = append(errs, err)
		}
	}
	rep, err := im.Finish(ctx)
	if err != nil {
		return nil, err
	}
	return rep, errors.Join(errs...)
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
			errs = append(errs, &ReadError{Doc: arg, Err: err})
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
		im.Unreadable()
		return &ReadError{Doc: d.Name, Err: err}
	}
	defer rc.Close()
	return im.Document(ctx, d.Name, rc, f)
}

// ReadError is a document that could not be opened or read to its end: its name and why.
type ReadError struct {
	Doc string
	Err error
}

func (e *ReadError) Error() string { return fmt.Sprintf("importer: %s: %v", e.Doc, e.Err) }
func (e *ReadError) Unwrap() error { return e.Err }

// Explain says what went wrong with an import in words a client may see: the documents that
// could not be read and why (a missing file, an HTTP status, a refused address, a size limit,
// a broken connection), and nothing of any other error (a database error is for the log).
func Explain(err error) string {
	var parts []string
	for _, e := range flatten(err) {
		var re *ReadError
		if errors.As(e, &re) {
			parts = append(parts, fmt.Sprintf("%s: %s", re.Doc, readReason(re.Err)))
		} else {
			parts = append(parts, "internal error (see the server log)")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, "; ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func readReason(err error) string {
	var ue *url.Error
	switch {
	case errors.Is(err, ErrForbiddenAddress):
		return ErrForbiddenAddress.Error()
	case errors.Is(err, ErrTooLarge):
		return ErrTooLarge.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the connection ended before the document did"
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.As(err, &ue):
		return "could not be fetched"
	case strings.HasPrefix(err.Error(), "HTTP "):
		return err.Error()
	}
	return "could not be read"
}

// CheckURL validates a URL a client asks to import and the feed name to import it under
// (default: the URL's host), as BAD_USER_INPUT errors naming the argument.
func CheckURL(raw string, source *string) (string, string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > 2000 {
		return "", "", apperr.BadInput("url", "url: want an http or https URL of at most 2000 characters")
	}
	name := ""
	if source != nil {
		name = *source
	} else {
		name = strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
		if len(name) > 57 {
			name = name[:57]
		}
	}
	if !sourcePattern.MatchString(name) {
		return "", "", apperr.BadInput("source", "source: use 1-57 lower-case letters, digits, '.', '-' or '_'")
	}
	return u.String(), name, nil
}

// Permanent reports whether every document err names failed for a reason a retry cannot
// change: a refused address or a document over the size limit.
func Permanent(err error) bool {
	errs := flatten(err)
	for _, e := range errs {
		if !errors.Is(e, ErrForbiddenAddress) && !errors.Is(e, ErrTooLarge) {
			return false
		}
	}
	return len(errs) > 0
}

// CheckSource validates a feed name a client sends, as a BAD_USER_INPUT error on "source".
func CheckSource(name string) error {
	if !sourcePattern.MatchString(name) {
		return apperr.BadInput("source", "source: use 1-57 lower-case letters, digits, '.', '-' or '_'")
	}
	return nil
}
