package tracing_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/testenv"
	"github.com/careergraph/careergraph/internal/tracing"
)

// TestStatementsAreChildSpans: a statement run with a span in its context is a child span
// carrying its text; one run without a span (start-up work) makes no span.
func TestStatementsAreChildSpans(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		exp := tracetest.NewInMemoryExporter()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
		db, err := database.Open(context.Background(), testenv.EmptyDatabase(t, b), database.Options{Migrate: true, Wrap: tracing.WrapDriver(tp)})
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })

		_, err = db.Client.Role.Query().Count(context.Background())
		require.NoError(t, err)
		assert.Empty(t, exp.GetSpans(), "no span without a parent")

		ctx, parent := tp.Tracer("test").Start(context.Background(), "Query.roles")
		_, err = db.Client.Role.Query().Count(ctx)
		require.NoError(t, err)
		parent.End()
		spans := exp.GetSpans()
		require.Len(t, spans, 2, "the statement and its parent")
		st := spans[0]
		assert.Equal(t, "SELECT", st.Name)
		assert.Equal(t, parent.SpanContext().SpanID(), st.Parent.SpanID())
		var text string
		for _, a := range st.Attributes {
			if a.Key == "db.query.text" {
				text = a.Value.AsString()
			}
		}
		assert.Contains(t, text, "roles")
	})
}
