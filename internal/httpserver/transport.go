package httpserver

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Media types of GraphQL responses (GraphQL over HTTP, the 2024 draft).
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// httpTransports are the GraphQL over HTTP transports: POST with a JSON body and GET with the
// operation in the URL, each wrapped by overHTTP.
//
// The response media type follows the request's Accept header: application/graphql-response+json
// when it is asked for (first), application/json when that is, and application/json when Accept
// is missing or says */* or application/* (the spec's SHOULD: legacy clients and tools like
// curl understand it). gqlgen's UseGrapQLResponseJsonByDefault is left off for that reason.
func httpTransports() []graphql.Transport {
	return []graphql.Transport{
		overHTTP{transport.GET{}},
		overHTTP{transport.POST{}},
	}
}

// overHTTP makes one of gqlgen's HTTP transports follow the GraphQL over HTTP spec where gqlgen
// does not, without forking it. It only looks at what gqlgen writes when a request never reached
// execution (the parse, validation and variable errors, our limits, persisted-query misses, a
// malformed GET): gqlgen answers those with `"data": null` and, for application/json, HTTP 422.
//
//   - No `data` entry: a request refused before execution has no data, so the entry is
//     removed (GraphQL spec, "Response"; graphql-response+json requires it).
//   - application/json: HTTP 200 for every GraphQL request error, as the spec asks of legacy
//     clients, which read the errors from the body. That includes our own refusals before
//     execution (DEPTH_LIMIT_EXCEEDED, COST_LIMIT_EXCEEDED, PERSISTED_QUERY_NOT_FOUND, …): to a
//     client they are request errors like validation. Requests that are not well-formed
//     GraphQL-over-HTTP requests keep their 4xx (malformed JSON or GET parameters, 400).
//   - application/graphql-response+json: a response without data is always a 4xx, so a
//     refusal gqlgen would answer with 200 (an error code it does not know as a protocol
//     error, such as PERSISTED_QUERY_NOT_FOUND) becomes 400.
//   - A request with neither a query nor a persisted query is malformed: 400 for both.
//   - A mutation sent with GET is 405 Method Not Allowed with Allow: POST (gqlgen says 406).
//
// HTTP-level refusals outside GraphQL (413 body too large, 401 bad token, 429 rate limited,
// 400 batching) happen in middleware and are untouched.
type overHTTP struct{ graphql.Transport }

// Do runs the wrapped transport with an executor that notes whether execution started and a
// writer that fixes pre-execution answers.
func (t overHTTP) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ex := &executionTracker{GraphExecutor: exec}
	t.Transport.Do(&preExecutionWriter{ResponseWriter: w, exec: ex, method: r.Method}, r, ex)
}

// executionTracker records whether the transport dispatched the operation (execution began)
// and whether the request named no operation at all.
type executionTracker struct {
	graphql.GraphExecutor
	executed bool
	// noQuery: the parameters carry neither a query nor a persisted query (a misspelt "query",
	// an empty body): not a well-formed request, so 400 whatever the media type.
	noQuery bool
}

func (e *executionTracker) CreateOperationContext(ctx context.Context, params *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	opCtx, errs := e.GraphExecutor.CreateOperationContext(ctx, params)
	if len(errs) > 0 && params.Query == "" && params.Extensions["persistedQuery"] == nil {
		e.noQuery = true
	}
	return opCtx, errs
}

func (e *executionTracker) DispatchOperation(ctx context.Context, opCtx *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	e.executed = true
	return e.GraphExecutor.DispatchOperation(ctx, opCtx)
}

// preExecutionWriter rewrites the status and body of an answer written before execution.
type preExecutionWriter struct {
	http.ResponseWriter
	exec        *executionTracker
	method      string
	wroteHeader bool
}

func (w *preExecutionWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	if !w.exec.executed {
		code = w.preExecutionStatus(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *preExecutionWriter) preExecutionStatus(code int) int {
	if code == http.StatusNotAcceptable && w.method == http.MethodGet {
		w.Header().Set("Allow", http.MethodPost)
		return http.StatusMethodNotAllowed
	}
	mt, _, _ := mime.ParseMediaType(w.Header().Get("Content-Type"))
	switch {
	case w.exec.noQuery:
		return http.StatusBadRequest
	case mt == mediaJSON && code == http.StatusUnprocessableEntity:
		return http.StatusOK
	case mt == mediaGraphQLResponse && code < http.StatusBadRequest:
		return http.StatusBadRequest
	}
	return code
}

func (w *preExecutionWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.exec.executed {
		return w.ResponseWriter.Write(b)
	}
	// gqlgen writes a whole response in one call; drop its "data": null.
	var resp map[string]json.RawMessage
	if err := json.Unmarshal(b, &resp); err != nil {
		return w.ResponseWriter.Write(b)
	}
	if _, ok := resp["data"]; !ok {
		return w.ResponseWriter.Write(b)
	}
	delete(resp, "data")
	out, err := json.Marshal(resp)
	if err != nil {
		return w.ResponseWriter.Write(b)
	}
	if _, err := w.ResponseWriter.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *preExecutionWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
