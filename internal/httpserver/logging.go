package httpserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/careergraph/careergraph/internal/viewer"
)

type ctxKey int

const requestKey ctxKey = iota

// requestInfo is what the access log learns about a request while it is served.
type requestInfo struct {
	id string
	// client is the client's address (clientAddress), worked out once per request.
	client string

	mu         sync.Mutex
	operations []string
	errorCodes []string
}

// RequestID returns the id of the request ctx belongs to, or "-" outside one.
func RequestID(ctx context.Context) string {
	if ri, ok := ctx.Value(requestKey).(*requestInfo); ok {
		return ri.id
	}
	return "-"
}

// ClientAddress returns the address of the client of the request ctx belongs to (the TCP
// peer, or what a trusted proxy says; see clientAddress), or "" outside one.
func ClientAddress(ctx context.Context) string {
	if ri, ok := ctx.Value(requestKey).(*requestInfo); ok {
		return ri.client
	}
	return ""
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// accessLog writes one line per request: method, path, status, duration, the client (as
// viewer.ClientKey counts it), and for GraphQL the operation name(s) and the error codes
// returned. It works out the client's address once, for everything after it.
func accessLog(log *slog.Logger, trusted []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &requestInfo{id: r.Header.Get("X-Request-Id"), client: clientAddress(r, trusted)}
		if ri.id == "" || len(ri.id) > 64 {
			ri.id = newRequestID()
		}
		w.Header().Set("X-Request-Id", ri.id)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), requestKey, ri)))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		ri.mu.Lock()
		ops, codes := strings.Join(ri.operations, ","), strings.Join(ri.errorCodes, ",")
		ri.mu.Unlock()
		outcome := "ok"
		switch {
		case sw.status >= 500:
			outcome = "server_error"
		case sw.status >= 400 || codes != "":
			outcome = "client_error"
		}
		if strings.Contains(codes, "INTERNAL_SERVER_ERROR") {
			outcome = "server_error"
		}
		attrs := []any{
			"request_id", ri.id, "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"duration_ms", float64(time.Since(start).Microseconds()) / 1000, "bytes", sw.bytes, "outcome", outcome,
			"client", viewer.ClientKey(ri.client),
		}
		if ops != "" {
			attrs = append(attrs, "operation", ops)
		}
		if codes != "" {
			attrs = append(attrs, "error_codes", codes)
		}
		log.InfoContext(r.Context(), "request", attrs...)
	})
}

// operationLog tells the access log each operation's name and its errors' codes.
type operationLog struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = operationLog{}

func (operationLog) ExtensionName() string                   { return "OperationLog" }
func (operationLog) Validate(graphql.ExecutableSchema) error { return nil }
func (operationLog) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	ri, ok := ctx.Value(requestKey).(*requestInfo)
	if !ok {
		return resp
	}
	name := "-"
	if graphql.HasOperationContext(ctx) {
		oc := graphql.GetOperationContext(ctx)
		name = oc.OperationName
		if name == "" && oc.Operation != nil {
			name = oc.Operation.Name
		}
		if name == "" {
			name = "anonymous"
		}
	}
	ri.mu.Lock()
	defer ri.mu.Unlock()
	ri.operations = append(ri.operations, name)
	if resp != nil {
		for _, e := range resp.Errors {
			if code, ok := e.Extensions["code"].(string); ok {
				ri.errorCodes = append(ri.errorCodes, code)
			}
		}
	}
	return resp
}
