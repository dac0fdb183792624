package graph_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestTracesOfARequest: with a tracer provider (here the SDK's in-memory exporter), a /query
// request that carries a W3C traceparent yields a server span in the caller's trace, an
// operation span inside it and one span per root field inside that; nested fields make none,
// and a failed operation's span says so.
func TestTracesOfARequest(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	h := env.HandlerWith(t, func(o *httpserver.Options) { o.TracerProvider = tp })

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader([]byte(
		`{"query":"query RolePage { role(slug: \"backend-developer\") { title coreSkills { name } } roles(first: 2) { totalCount } }"}`)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, 200, rec.Code, rec.Body.String())

	spans := map[string]tracetest.SpanStub{}
	for _, s := range exp.GetSpans() {
		spans[s.Name] = s
		assert.Equal(t, traceID, s.SpanContext.TraceID().String(), "span %s continues the caller's trace", s.Name)
	}
	require.Contains(t, spans, "POST /query")
	require.Contains(t, spans, "query RolePage")
	require.Contains(t, spans, "Query.role")
	require.Contains(t, spans, "Query.roles")
	assert.Len(t, spans, 4, "no spans for nested fields: %v", keys(spans))
	server, op := spans["POST /query"], spans["query RolePage"]
	assert.Equal(t, trace.SpanKindServer, server.SpanKind)
	assert.Equal(t, server.SpanContext.SpanID(), op.Parent.SpanID(), "the operation is inside the request")
	assert.Equal(t, op.SpanContext.SpanID(), spans["Query.role"].Parent.SpanID(), "root fields are inside the operation")

	exp.Reset()
	res := testenv.Post(t, h, `query Broken { role(slug: "backend-developer") { nope } }`, nil)
	require.NotEmpty(t, res.Errors)
	for _, s := range exp.GetSpans() {
		if s.Name == "graphql" || s.Name == "query Broken" {
			t.Fatalf("an invalid document never ran as an operation, but got span %q", s.Name)
		}
	}
	assert.Len(t, exp.GetSpans(), 1, "the request span only")
}

func keys(m map[string]tracetest.SpanStub) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
