package httpserver

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/internal/accounts"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/gqlext"
	"github.com/careergraph/careergraph/internal/metrics"
	"github.com/careergraph/careergraph/internal/ratelimit"
	"github.com/careergraph/careergraph/internal/txretry"
	"github.com/careergraph/careergraph/internal/viewer"
)

// Error codes of the HTTP-level refusals and of the rate limiter.
const (
	CodeBodyTooLarge     = "REQUEST_TOO_LARGE"
	CodeBatchUnsupported = "BATCHING_NOT_SUPPORTED"
	CodeMalformedJSON    = "MALFORMED_JSON"
	CodeRateLimited      = accounts.CodeRateLimited
	CodeTimeout          = "TIMEOUT"
)

func init() {
	// A refusal for the budget happens before execution, like the other limits.
	errcode.RegisterErrorType(CodeRateLimited, errcode.KindProtocol)
}

// writeError answers a request refused before GraphQL sees it, in GraphQL's error shape.
func writeError(w http.ResponseWriter, status int, code, msg string, ext map[string]any) {
	if ext == nil {
		ext = map[string]any{}
	}
	ext["code"] = code
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"message": msg, "extensions": ext}}})
}

// readBody enforces the body size limit, refuses batches (a JSON array of operations; one
// operation per request is supported) and malformed JSON with clear errors, and hands the
// body on. GET requests carry the operation in the URL, which net/http already bounds.
//
// A multipart request (a GraphQL file upload) is passed on unread: the upload transport bounds
// it by MAX_UPLOAD_BYTES and streams it (upload.go).
func readBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method != http.MethodPost || mt == "multipart/form-data" {
			next.ServeHTTP(w, r)
			return
		}
		tooLarge := func() {
			writeError(w, http.StatusRequestEntityTooLarge, CodeBodyTooLarge,
				fmt.Sprintf("the request body is larger than the limit of %d bytes; send a smaller operation (persisted queries keep requests small)", max),
				map[string]any{"maxBodyBytes": max})
		}
		if r.ContentLength > max {
			tooLarge()
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
		if err != nil {
			writeError(w, http.StatusBadRequest, CodeMalformedJSON, "the request body could not be read", nil)
			return
		}
		if int64(len(body)) > max {
			tooLarge()
			return
		}
		if ct := r.Header.Get("Content-Type"); strings.HasPrefix(strings.ToLower(ct), "application/json") {
			trimmed := bytes.TrimLeft(body, " \t\r\n")
			if len(trimmed) > 0 && trimmed[0] == '[' {
				writeError(w, http.StatusBadRequest, CodeBatchUnsupported,
					"batched operations (a JSON array) are not supported: send one operation per request (operations per batch: 1)", nil)
				return
			}
			if !json.Valid(body) {
				writeError(w, http.StatusBadRequest, CodeMalformedJSON,
					`the request body is not valid JSON: send {"query": "...", "variables": {...}}`, nil)
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// authenticate puts the viewer in the request's context: anonymous without an Authorization
// header, the token's user with a valid bearer token. A malformed, unknown, expired or
// revoked token fails the whole request with UNAUTHENTICATED (401), so a client never reads
// public data believing it is signed in.
func authenticate(client *ent.Client, acc *accounts.Service, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := viewer.Viewer{IP: ClientAddress(r.Context()), RequestID: RequestID(r.Context()), ClientRequestID: ClientRequestID(r.Context())}
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, token, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") {
				writeError(w, http.StatusUnauthorized, apperr.CodeUnauthorized,
					"send the token as Authorization: Bearer <token>", nil)
				return
			}
			tok, u, err := acc.Authenticate(r.Context(), client, strings.TrimSpace(token))
			if err != nil {
				if ae, ok := apperr.As(err); ok {
					writeError(w, http.StatusUnauthorized, ae.Code, ae.Message, nil)
					return
				}
				log.ErrorContext(r.Context(), "authenticate", "request_id", v.RequestID, "err", err)
				writeError(w, http.StatusInternalServerError, apperr.CodeInternal,
					"internal error; "+quoteID(v.RequestID)+" when reporting it", map[string]any{"requestId": v.RequestID})
				return
			}
			v.UserID, v.Role, v.TokenID = u.ID, string(u.Role), tok.ID
		}
		next.ServeHTTP(w, r.WithContext(viewer.With(r.Context(), v)))
	})
}

// withTimeout gives every request a deadline; resolvers and the database stop at it, and the
// error presenter answers TIMEOUT. When the deadline passes before execution starts, gqlgen
// writes a bare null; timeoutWriter turns that into the TIMEOUT error (HTTP 503).
func withTimeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if streamKind(r) != "" {
			// A subscription lasts until the client or Streams.Drain ends it.
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(&timeoutWriter{ResponseWriter: w, ctx: ctx}, r.WithContext(ctx))
	})
}

type timeoutWriter struct {
	http.ResponseWriter
	ctx   context.Context
	wrote bool
}

func (w *timeoutWriter) WriteHeader(code int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *timeoutWriter) Write(b []byte) (int, error) {
	if w.ctx.Err() != nil && bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		if !w.wrote {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w.ResponseWriter).Encode(map[string]any{"errors": []any{map[string]any{
			"message":    "the request took too long and was stopped; ask for less or try again",
			"extensions": map[string]any{"code": CodeTimeout},
		}}})
		return len(b), nil
	}
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// RateLimit charges each operation's cost against a budget per token (per IP when
// anonymous) and window, GitHub-style: an operation costs PointsFor(gqlext cost) points.
type RateLimit struct {
	Store  ratelimit.Store
	Points int
	Window time.Duration
	Logger *slog.Logger
	// Metrics counts refusals; nil counts nothing.
	Metrics *metrics.Metrics
}

// PointsFor converts an operation's cost (gqlext.Cost) to rate-limit points: one point per
// hundred, at least one, like GitHub's rate limit.
func PointsFor(cost int) int { return max(1, (cost+99)/100) }

type rateKey struct{}

// rateState connects the HTTP side of rate limiting (headers, status) with the operation.
type rateState struct {
	w       http.ResponseWriter
	mu      sync.Mutex
	charged bool
	status  int
}

// rateWriter lets the operation's verdict set the HTTP status (429) before gqlgen writes.
type rateWriter struct {
	http.ResponseWriter
	st    *rateState
	wrote bool
}

func (w *rateWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote = true
	w.st.mu.Lock()
	if w.st.status != 0 {
		code = w.st.status
	}
	w.st.mu.Unlock()
	w.ResponseWriter.WriteHeader(code)
}

func (w *rateWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController (and the WebSocket upgrade) reach the connection.
func (w *rateWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (rl RateLimit) setHeaders(h http.Header, res ratelimit.Result, points int) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(res.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(res.Remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(res.ResetAt.Unix(), 10))
	if points > 0 {
		h.Set("X-RateLimit-Cost", strconv.Itoa(points))
	}
}

func retryAfter(res ratelimit.Result) int {
	return max(1, int(time.Until(res.ResetAt).Seconds()+0.999))
}

// Middleware refuses at once a client whose budget is spent, without parsing its request,
// and charges one point for a request that never reached execution (a parse or validation
// failure, a refused operation), so that floods of bad requests also run out of budget.
func (rl RateLimit) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		key := viewer.From(r.Context()).RateKey()
		res, err := rl.Store.Take(r.Context(), key, 0, rl.Points, rl.Window)
		if err != nil {
			// A broken store must not take the API down: serve without a budget.
			rl.Logger.ErrorContext(r.Context(), "rate limit store", "request_id", RequestID(r.Context()), "err", err)
			next.ServeHTTP(w, r)
			return
		}
		if res.Remaining == 0 {
			rl.Metrics.RateLimited()
			rl.setHeaders(w.Header(), res, 0)
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter(res)))
			writeError(w, http.StatusTooManyRequests, CodeRateLimited,
				fmt.Sprintf("rate limit exceeded: the budget of %d points per %s is spent; retry in %d seconds", rl.Points, rl.Window, retryAfter(res)),
				map[string]any{"retryAfterSeconds": retryAfter(res), "resetAt": res.ResetAt.UTC().Format(time.RFC3339)})
			return
		}
		st := &rateState{}
		rw := &rateWriter{ResponseWriter: w, st: st}
		st.w = rw
		next.ServeHTTP(rw, r.WithContext(context.WithValue(r.Context(), rateKey{}, st)))
		st.mu.Lock()
		charged := st.charged
		st.mu.Unlock()
		if !charged {
			_, _ = rl.Store.Take(context.WithoutCancel(r.Context()), key, 1, rl.Points, rl.Window)
		}
	})
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = RateLimit{}

// ExtensionName implements graphql.HandlerExtension.
func (RateLimit) ExtensionName() string { return "RateLimit" }

// Validate implements graphql.HandlerExtension.
func (rl RateLimit) Validate(graphql.ExecutableSchema) error {
	if rl.Store == nil || rl.Points < 1 || rl.Window <= 0 {
		return errors.New("httpserver.RateLimit: needs a store, points >= 1 and a window")
	}
	return nil
}

// InterceptResponse charges the operation's cost and reports it, and the budget left, in
// extensions.cost (like Shopify's) and in X-RateLimit-* headers (like GitHub's).
func (rl RateLimit) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	st, _ := ctx.Value(rateKey{}).(*rateState)
	if st == nil {
		return next(ctx)
	}
	st.mu.Lock()
	if st.charged { // only the first response of an operation is charged
		st.mu.Unlock()
		return next(ctx)
	}
	st.charged = true
	st.mu.Unlock()
	cost, _ := gqlext.CostOf(ctx)
	points := PointsFor(cost)
	if len(graphql.GetErrors(ctx)) > 0 {
		// Refused before execution (parse, validation, a limit): nothing ran, one point.
		points = 1
	}
	res, err := rl.Store.Take(ctx, viewer.From(ctx).RateKey(), points, rl.Points, rl.Window)
	if err != nil {
		rl.Logger.ErrorContext(ctx, "rate limit store", "request_id", RequestID(ctx), "err", err)
		return next(ctx)
	}
	rl.setHeaders(st.w.Header(), res, points)
	ext := map[string]any{
		"requestedQueryCost": cost,
		"points":             points,
		"throttleStatus": map[string]any{
			"maximumAvailable":   res.Limit,
			"currentlyAvailable": res.Remaining,
			"resetAt":            res.ResetAt.UTC().Format(time.RFC3339),
		},
	}
	if !res.Allowed {
		rl.Metrics.RateLimited()
		st.mu.Lock()
		st.status = http.StatusTooManyRequests
		st.mu.Unlock()
		st.w.Header().Set("Retry-After", strconv.Itoa(retryAfter(res)))
		return &graphql.Response{
			Errors: gqlerror.List{{
				Message: fmt.Sprintf("rate limit exceeded: this operation costs %d points and %d of %d are left until %s; retry in %d seconds or ask for less",
					points, res.Remaining, res.Limit, res.ResetAt.UTC().Format(time.RFC3339), retryAfter(res)),
				Extensions: map[string]any{"code": CodeRateLimited, "retryAfterSeconds": retryAfter(res)},
			}},
			Extensions: map[string]any{"cost": ext},
		}
	}
	resp := next(ctx)
	if resp != nil {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["cost"] = ext
	}
	return resp
}

// timeouts reports an operation that ran out of time as TIMEOUT: gqlgen drops the fields it
// could not finish without saying why, which would look like an empty answer.
type timeouts struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = timeouts{}

func (timeouts) ExtensionName() string                   { return "Timeouts" }
func (timeouts) Validate(graphql.ExecutableSchema) error { return nil }
func (timeouts) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	// A subscription has no deadline; its context ends when it does (nil: no more events).
	if resp == nil || isSubscription(ctx) || ctx.Err() == nil || (resp != nil && len(resp.Errors) > 0) {
		return resp
	}
	out := &graphql.Response{Errors: gqlerror.List{{
		Message:    "the request took too long and was stopped; ask for less or try again",
		Extensions: map[string]any{"code": CodeTimeout},
	}}}
	if resp != nil {
		out.Extensions = resp.Extensions
	}
	return out
}

// cleanTx opens the mutation transactions for entgql.Transactioner. entgql puts the text of a
// failed begin or commit into the client's error message, so the driver's error is logged
// here with the request id and replaced by one that says nothing about the database.
type cleanTx struct {
	client *ent.Client
	log    *slog.Logger
}

func (o cleanTx) OpenTx(ctx context.Context) (context.Context, driver.Tx, error) {
	txCtx, tx, err := o.client.OpenTx(ctx)
	if err != nil {
		if txretry.Retryable(err) {
			txretry.Mark(ctx) // SQLite: the write lock stayed busy past busy_timeout
		}
		id := RequestID(ctx)
		o.log.ErrorContext(ctx, "begin transaction", "request_id", id, "err", err)
		return nil, nil, fmt.Errorf("internal error; %s when reporting it", quoteID(id))
	}
	return txCtx, cleanCommit{Tx: tx, ctx: ctx, log: o.log}, nil
}

type cleanCommit struct {
	driver.Tx
	ctx context.Context
	log *slog.Logger
}

func (c cleanCommit) Commit() error {
	if err := c.Tx.Commit(); err != nil {
		if txretry.Retryable(err) {
			txretry.Mark(c.ctx)
		}
		id := RequestID(c.ctx)
		c.log.ErrorContext(c.ctx, "commit", "request_id", id, "err", err)
		return fmt.Errorf("internal error; %s when reporting it", quoteID(id))
	}
	return nil
}
