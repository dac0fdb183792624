package httpserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/viewer"
)

// Error codes of the upload (multipart) refusals.
const (
	// CodeTooManyFiles: a multipart request maps more files than MAX_UPLOAD_FILES.
	CodeTooManyFiles = "TOO_MANY_FILES"
	// CodeMalformedUpload: a multipart request that does not follow the GraphQL multipart
	// request spec (operations, then map, then the files).
	CodeMalformedUpload = "MALFORMED_UPLOAD"
)

// UploadLimits bound the GraphQL multipart requests (file uploads).
type UploadLimits struct {
	// MaxBytes bounds the whole request (MAX_UPLOAD_BYTES).
	MaxBytes int64
	// MaxMemory is how much of a request is held in memory; a larger one's file goes to a
	// temporary file, removed when the request ends (UPLOAD_MEMORY_BYTES).
	MaxMemory int64
	// MaxFiles bounds the files one request maps (MAX_UPLOAD_FILES).
	MaxFiles int
	// MaxOperationBytes bounds the operations and map parts together (MAX_BODY_BYTES, the
	// bound of a JSON request).
	MaxOperationBytes int64
}

// uploadTransport is gqlgen's transport.MultipartForm (the GraphQL multipart request spec)
// behind the checks that make it safe to offer:
//
//   - only a signed-in EDITOR (or ADMIN) may send one, since the only field that takes an
//     Upload is editor-only: anyone else is refused (UNAUTHENTICATED 401, FORBIDDEN 403)
//     before a byte of the body is read;
//   - the request is at most MaxBytes (REQUEST_TOO_LARGE 413), refused from Content-Length
//     up front, or when the body passes the bound while it is read;
//   - the operations and map parts come first and are at most MaxOperationBytes together
//     (REQUEST_TOO_LARGE), and the map names at most MaxFiles files (TOO_MANY_FILES 400):
//     both are read before gqlgen reads any file.
//
// What passes is handed to gqlgen with the bytes already read put back in front of the body.
// Each started 64 KiB of upload adds a point to the operation's cost (gqlext.UploadCost),
// which the rate limiter charges.
type uploadTransport struct {
	limits UploadLimits
	inner  graphql.Transport
}

func newUploadTransport(l UploadLimits) uploadTransport {
	return uploadTransport{limits: l, inner: overHTTP{transport.MultipartForm{MaxUploadSize: l.MaxBytes, MaxMemory: l.MaxMemory}}}
}

func (u uploadTransport) Supports(r *http.Request) bool { return u.inner.Supports(r) }

func (u uploadTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	v := viewer.From(r.Context())
	switch {
	case !v.SignedIn():
		writeError(w, http.StatusUnauthorized, apperr.CodeUnauthorized,
			"file uploads need the EDITOR role: sign in first (Authorization: Bearer <token>)", nil)
		return
	case !v.Has(viewer.RoleEditor):
		writeError(w, http.StatusForbidden, apperr.CodeForbidden, "file uploads need the EDITOR role", nil)
		return
	}
	tooLarge := func() {
		writeError(w, http.StatusRequestEntityTooLarge, CodeBodyTooLarge,
			fmt.Sprintf("the upload is larger than the limit of %d bytes (MAX_UPLOAD_BYTES)", u.limits.MaxBytes),
			map[string]any{"maxUploadBytes": u.limits.MaxBytes})
	}
	if r.ContentLength > u.limits.MaxBytes {
		tooLarge()
		return
	}
	body := &boundedBody{r: r.Body, left: u.limits.MaxBytes}
	r.Body = struct {
		io.Reader
		io.Closer
	}{body, r.Body}
	head, files, err := u.readMap(r, body)
	switch {
	case errors.Is(err, errUploadTooLarge), body.over.Load():
		tooLarge()
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, CodeMalformedUpload, "malformed multipart request: "+err.Error()+
			" (send the parts operations, map, then the files: the GraphQL multipart request spec)", nil)
		return
	case files > u.limits.MaxFiles:
		writeError(w, http.StatusBadRequest, CodeTooManyFiles,
			fmt.Sprintf("the request maps %d files; at most %d may be sent at once (MAX_UPLOAD_FILES)", files, u.limits.MaxFiles),
			map[string]any{"maxUploadFiles": u.limits.MaxFiles})
		return
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), body), r.Body}
	// gqlgen answers a body that passes the bound while it reads a file with a 422 of its
	// own; the guard writer puts the clear refusal in its place.
	gw := &uploadGuardWriter{ResponseWriter: w, body: body, tooLarge: tooLarge}
	u.inner.Do(gw, r, exec)
}

var errUploadTooLarge = errors.New("upload too large")

// readMap reads the request up to and including the map part and returns the bytes read
// (to be put back) and the number of files the map names.
func (u uploadTransport) readMap(r *http.Request, body io.Reader) ([]byte, int, error) {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return nil, 0, errors.New("no multipart boundary")
	}
	var head bytes.Buffer
	// The multipart reader reads ahead; everything it takes from the body is kept in head.
	lr := &io.LimitedReader{R: io.TeeReader(body, &head), N: u.limits.MaxOperationBytes + 64<<10}
	mr := multipart.NewReader(lr, params["boundary"])
	part, err := mr.NextPart()
	if err != nil || part.FormName() != "operations" {
		return nil, 0, u.partErr(lr, "the first part must be operations")
	}
	if _, err := io.Copy(io.Discard, part); err != nil {
		return nil, 0, u.partErr(lr, "the operations part could not be read")
	}
	part, err = mr.NextPart()
	if err != nil || part.FormName() != "map" {
		return nil, 0, u.partErr(lr, "the second part must be map")
	}
	var m map[string][]string
	if err := json.NewDecoder(part).Decode(&m); err != nil {
		return nil, 0, u.partErr(lr, "the map part is not a JSON object of string lists")
	}
	if int64(head.Len()) > u.limits.MaxOperationBytes+64<<10 {
		return nil, 0, errUploadTooLarge
	}
	paths := 0
	for _, p := range m {
		paths += len(p)
	}
	return head.Bytes(), max(len(m), paths), nil
}

// partErr is errUploadTooLarge when the operations and map parts did not fit their bound,
// else a malformed request.
func (u uploadTransport) partErr(lr *io.LimitedReader, msg string) error {
	if lr.N <= 0 {
		return errUploadTooLarge
	}
	return errors.New(msg)
}

// boundedBody reads at most left bytes and notes when the body has more.
type boundedBody struct {
	r    io.Reader
	left int64
	over atomic.Bool
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more says whether the body is longer than the bound.
		var one [1]byte
		n, err := b.r.Read(one[:])
		if n > 0 {
			b.over.Store(true)
			return 0, errUploadTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// uploadGuardWriter replaces gqlgen's answer with REQUEST_TOO_LARGE when the body passed its
// bound while gqlgen read it (the answer is written after the reading, so the flag is set).
type uploadGuardWriter struct {
	http.ResponseWriter
	body     *boundedBody
	tooLarge func()
	replaced bool
}

func (w *uploadGuardWriter) WriteHeader(code int) {
	if w.body.over.Load() {
		if !w.replaced {
			w.replaced = true
			w.tooLarge()
		}
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *uploadGuardWriter) Write(b []byte) (int, error) {
	if w.body.over.Load() {
		if !w.replaced {
			w.replaced = true
			w.tooLarge()
		}
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *uploadGuardWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
