package tracing

import (
	"context"
	"strings"

	"entgo.io/ent/dialect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// WrapDriver returns a database.Options.Wrap that makes each SQL statement run through ent a
// client span, a child of the span in its context (the root field that asked), named after
// the statement's verb ("SELECT"), with the statement text (never its arguments) in
// db.query.text. Statements with no span in their context (start-up, background index
// rebuilds) start no trace of their own.
func WrapDriver(tp trace.TracerProvider) func(dialect.Driver) dialect.Driver {
	tracer := tp.Tracer(Name)
	return func(d dialect.Driver) dialect.Driver {
		system := "sqlite"
		if d.Dialect() == dialect.Postgres {
			system = "postgresql"
		}
		return &tracedDriver{Driver: d, t: statementTracer{tracer: tracer, system: system}}
	}
}

type statementTracer struct {
	tracer trace.Tracer
	system string
}

func (s statementTracer) run(ctx context.Context, query string, fn func(context.Context) error) error {
	if !trace.SpanFromContext(ctx).SpanContext().IsValid() {
		return fn(ctx)
	}
	verb, _, _ := strings.Cut(strings.TrimSpace(query), " ")
	ctx, span := s.tracer.Start(ctx, strings.ToUpper(verb), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", s.system), attribute.String("db.query.text", query)))
	defer span.End()
	err := fn(ctx)
	if err != nil {
		span.SetStatus(codes.Error, "statement failed")
	}
	return err
}

type tracedDriver struct {
	dialect.Driver
	t statementTracer
}

func (d *tracedDriver) Exec(ctx context.Context, query string, args, v any) error {
	return d.t.run(ctx, query, func(ctx context.Context) error { return d.Driver.Exec(ctx, query, args, v) })
}

func (d *tracedDriver) Query(ctx context.Context, query string, args, v any) error {
	return d.t.run(ctx, query, func(ctx context.Context) error { return d.Driver.Query(ctx, query, args, v) })
}

func (d *tracedDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &tracedTx{Tx: tx, t: d.t}, nil
}

type tracedTx struct {
	dialect.Tx
	t statementTracer
}

func (t *tracedTx) Exec(ctx context.Context, query string, args, v any) error {
	return t.t.run(ctx, query, func(ctx context.Context) error { return t.Tx.Exec(ctx, query, args, v) })
}

func (t *tracedTx) Query(ctx context.Context, query string, args, v any) error {
	return t.t.run(ctx, query, func(ctx context.Context) error { return t.Tx.Query(ctx, query, args, v) })
}
