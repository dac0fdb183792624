// Package tracing sends OpenTelemetry traces over OTLP (HTTP/protobuf), configured entirely by
// the standard OTEL_* variables, and off when they name no endpoint (config.Config.Tracing).
//
// Spans: one per /query request (otelhttp, continuing a caller's W3C traceparent), one per
// GraphQL operation inside it ("query RolePage"), and one per root field ("Query.role",
// "Mutation.updateRole"): the resolvers of note, since a root field is where an operation's
// work is decided and nested fields are served by batch loaders; and one per SQL statement run
// through ent beneath those (WrapDriver).
package tracing

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Name is the instrumentation scope of careergraph's own spans.
const Name = "github.com/careergraph/careergraph"

// Setup builds the tracer provider the OTEL_* variables describe (the exporter reads them
// itself: endpoint, headers, timeout, TLS; the resource reads OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES, the service name defaulting to "careergraph"), and installs the
// W3C trace-context propagator. Call Shutdown on the provider at exit to flush.
func Setup(ctx context.Context, getenv func(string) string) (*sdktrace.TracerProvider, error) {
	if p := getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"); p == "" {
		if p = getenv("OTEL_EXPORTER_OTLP_PROTOCOL"); p != "" && p != "http/protobuf" {
			return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%s: only http/protobuf is supported", p)
		}
	} else if p != "http/protobuf" {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=%s: only http/protobuf is supported", p)
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_*: %w", err)
	}
	// resource.Default() reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; without a
	// service name it says "unknown_service:…", which this replaces.
	attrs := []attribute.KeyValue{}
	if getenv("OTEL_SERVICE_NAME") == "" {
		attrs = append(attrs, attribute.String("service.name", "careergraph"))
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attrs...))
	if err != nil {
		return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTextMapPropagator(Propagator())
	return tp, nil
}

// Propagator is the W3C trace-context and baggage propagator requests are read with.
func Propagator() propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// Extension returns the gqlgen extension that makes the operation and root-field spans.
func Extension(tp trace.TracerProvider) graphql.HandlerExtension {
	return extension{tracer: tp.Tracer(Name)}
}

type extension struct{ tracer trace.Tracer }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.FieldInterceptor
} = extension{}

func (extension) ExtensionName() string                   { return "Tracing" }
func (extension) Validate(graphql.ExecutableSchema) error { return nil }

// maxNameBytes caps the client-chosen operation name in a span name.
const maxNameBytes = 64

func (e extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	name, kind := "graphql", ""
	var attrs []attribute.KeyValue
	if oc.Operation != nil {
		kind = string(oc.Operation.Operation)
		name = kind
		if n := oc.Operation.Name; n != "" {
			if len(n) > maxNameBytes {
				n = n[:maxNameBytes]
			}
			name += " " + n
			attrs = append(attrs, attribute.String("graphql.operation.name", n))
		}
		attrs = append(attrs, attribute.String("graphql.operation.type", kind))
	}
	ctx, span := e.tracer.Start(ctx, name, trace.WithAttributes(attrs...))
	h := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		if resp != nil && len(resp.Errors) > 0 {
			code, _ := resp.Errors[0].Extensions["code"].(string)
			span.SetStatus(codes.Error, code)
			span.SetAttributes(attribute.Int("graphql.errors", len(resp.Errors)))
		}
		span.End()
		return resp
	}
}

var rootTypes = map[string]bool{"Query": true, "Mutation": true, "Subscription": true}

func (e extension) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	// Root fields only: the fields of the root types (no other type returns them).
	if fc == nil || !rootTypes[fc.Object] || strings.HasPrefix(fc.Field.Name, "__") {
		return next(ctx)
	}
	ctx, span := e.tracer.Start(ctx, fc.Object+"."+fc.Field.Name,
		trace.WithAttributes(attribute.String("graphql.field.path", fc.Path().String())))
	defer span.End()
	res, err := next(ctx)
	if err != nil {
		span.SetStatus(codes.Error, "resolver error")
	}
	return res, err
}
