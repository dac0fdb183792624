// Package httpserver builds careergraph's HTTP handler: the GraphQL endpoint with its transports
// and extensions, the playground, health and readiness probes, and the access log.
package httpserver

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/graph"
	"github.com/careergraph/careergraph/internal/loader"
)

// Options configure the handler.
type Options struct {
	Client *ent.Client
	// SQL is the pool beneath Client and Dialect its database (dialect.Postgres or SQLite).
	SQL     *sql.DB
	Dialect string
	Logger  *slog.Logger
	// Ready reports whether the database answers; /readyz serves it.
	Ready func(context.Context) error
	// Introspection allows __schema and __type queries.
	Introspection bool
	// Playground serves the GraphQL playground at /.
	Playground bool
	// ComplexityLimit caps an operation's complexity (gqlgen's count of fields); 0 means 5000.
	ComplexityLimit int
}

// MaxBodyBytes caps a request body; a GraphQL document with its variables is far smaller.
const MaxBodyBytes = 1 << 20

// New returns the complete handler.
func New(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	mux := http.NewServeMux()
	gql := GraphQL(o)
	mux.Handle("/query", http.MaxBytesHandler(gql, MaxBodyBytes))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if o.Ready != nil {
			if err := o.Ready(r.Context()); err != nil {
				o.Logger.WarnContext(r.Context(), "not ready", "err", err)
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte("database unreachable\n"))
				return
			}
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	if o.Playground {
		mux.Handle("GET /{$}", playground.Handler("careergraph", "/query"))
	}
	return accessLog(o.Logger, mux)
}

// GraphQL returns the GraphQL endpoint alone, as tests and production use it.
func GraphQL(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.ComplexityLimit == 0 {
		o.ComplexityLimit = 5000
	}
	schema := graph.NewSchema(graph.Deps{Client: o.Client, SQL: o.SQL, Dialect: o.Dialect})
	srv := handler.New(schema)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{UseGrapQLResponseJsonByDefault: true})
	srv.AddTransport(transport.POST{UseGrapQLResponseJsonByDefault: true})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if o.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.Use(extension.FixedComplexityLimit(o.ComplexityLimit))
	srv.Use(pageSize{})
	srv.Use(resolverErrors{})
	srv.Use(operationLog{})
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(loader.WithLoaders(ctx, loader.New(o.Client)))
	})
	srv.SetErrorPresenter(presentError(schema, o.Logger))
	srv.SetRecoverFunc(recoverPanic(o.Logger))
	return srv
}
