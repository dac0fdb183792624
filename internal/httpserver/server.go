// Package httpserver builds careergraph's HTTP handler: the GraphQL endpoint with its transports
// and extensions, the playground, health and readiness probes, and the access log.
package httpserver

import (
	"context"
	"log/slog"
	"net/http"

	"entgo.io/contrib/entgql"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/graph"
	"github.com/careergraph/careergraph/internal/accounts"
	"github.com/careergraph/careergraph/internal/auth"
	"github.com/careergraph/careergraph/internal/config"
	"github.com/careergraph/careergraph/internal/cors"
	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/gqlext"
	"github.com/careergraph/careergraph/internal/loader"
	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/playground"
	"github.com/careergraph/careergraph/internal/ratelimit"
)

// Options configure the handler. Zero values get production defaults (see withDefaults).
type Options struct {
	Client *ent.Client
	// SQL runs the statements ent cannot build on the pool beneath Client (tests pass their
	// statement counter); Dialect is its database (dialect.Postgres or SQLite).
	SQL     database.Querier
	Dialect string
	// Matcher, when set, is the matcher whose index the server builds at start; /readyz
	// answers 503 until that index is built. Nil: the index builds on the first match.
	Matcher *matching.Matcher
	Logger  *slog.Logger
	// Ready reports whether the database answers; /readyz serves it.
	Ready func(context.Context) error
	// Introspection allows __schema and __type queries.
	Introspection bool
	// Playground serves the GraphQL playground at /.
	Playground bool
	// Limits are the protection limits; zero fields take config.DefaultLimits.
	Limits config.Limits
	// Accounts checks tokens and logs users in; nil builds one with auth.DefaultParams and
	// RateStore for login throttling. Tests pass one with auth.TestParams.
	Accounts *accounts.Service
	// RateStore keeps rate-limit budgets; nil means an in-process ratelimit.Memory.
	RateStore ratelimit.Store
	// APQCache keeps automatic persisted queries; nil means an in-process LRU.
	APQCache graphql.Cache[string]
	// Allowlist, when not nil, turns allowlist mode on: only these operations are accepted.
	Allowlist gqlext.Manifest
	// CORSOrigins are the browser origins allowed to call the API.
	CORSOrigins []string
}

// MaxBodyBytes is the default cap on a request body; a GraphQL document with its variables
// is far smaller.
const MaxBodyBytes = 1 << 20

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	d := config.DefaultLimits
	l := &o.Limits
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = d.MaxBodyBytes
	}
	if l.MaxDepth == 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxAliases == 0 {
		l.MaxAliases = d.MaxAliases
	}
	if l.MaxRootFields == 0 {
		l.MaxRootFields = d.MaxRootFields
	}
	if l.MaxCost == 0 {
		l.MaxCost = d.MaxCost
	}
	if l.RequestTimeout == 0 {
		l.RequestTimeout = d.RequestTimeout
	}
	if l.RatePoints == 0 {
		l.RatePoints = d.RatePoints
	}
	if l.RateWindow == 0 {
		l.RateWindow = d.RateWindow
	}
	if o.RateStore == nil {
		o.RateStore = ratelimit.NewMemory(nil)
	}
	if o.APQCache == nil {
		o.APQCache = lru.New[string](1000)
	}
	if o.Accounts == nil {
		h, _ := auth.NewHasher(auth.DefaultParams)
		o.Accounts = &accounts.Service{Hasher: h, Limiter: o.RateStore}
	}
	return o
}

// New returns the complete handler: access log, security headers, CORS, then for /query the body limits,
// authentication, the request deadline, the rate limiter and the GraphQL endpoint.
func New(o Options) http.Handler {
	o = o.withDefaults()
	mux := http.NewServeMux()
	rl := RateLimit{Store: o.RateStore, Points: o.Limits.RatePoints, Window: o.Limits.RateWindow, Logger: o.Logger}
	var gql http.Handler = graphQL(o, rl)
	gql = withTimeout(o.Limits.RequestTimeout, gql)
	gql = rl.Middleware(gql)
	gql = authenticate(o.Client, o.Accounts, o.Logger, gql)
	gql = readBody(o.Limits.MaxBodyBytes, gql)
	mux.Handle("/query", gql)
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
		if o.Matcher != nil && !o.Matcher.Ready() {
			// A replica that cannot match yet takes no traffic: its first match would wait
			// for the whole index.
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("match index building\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	if o.Playground {
		pg, err := playground.New("/query")
		if err != nil {
			// The page and its assets are embedded: this fails only on a broken build.
			panic("httpserver: playground: " + err.Error())
		}
		mux.Handle("GET /{$}", pg)
		mux.Handle("GET "+playground.AssetPrefix, pg)
	}
	var h http.Handler = mux
	if len(o.CORSOrigins) > 0 {
		h = cors.Middleware(o.CORSOrigins)(h)
	}
	return accessLog(o.Logger, securityHeaders(h))
}

// GraphQL returns the GraphQL endpoint alone, without the HTTP protections New adds.
func GraphQL(o Options) http.Handler {
	o = o.withDefaults()
	return graphQL(o, RateLimit{Store: o.RateStore, Points: o.Limits.RatePoints, Window: o.Limits.RateWindow, Logger: o.Logger})
}

func graphQL(o Options, rl RateLimit) *handler.Server {
	schema := graph.NewSchema(graph.Deps{Client: o.Client, SQL: o.SQL, Dialect: o.Dialect, Accounts: o.Accounts, Matcher: o.Matcher})
	srv := handler.New(schema)
	srv.AddTransport(transport.Options{})
	for _, t := range httpTransports() {
		srv.AddTransport(t)
	}
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if o.Introspection {
		srv.Use(extension.Introspection{})
	}
	// Order matters: the allowlist fills in registered queries before APQ looks for them;
	// the shape limits and the cost run on the parsed operation; the rate limiter charges the
	// cost that gqlext.Cost recorded; mutations run in one transaction inside all of that.
	srv.Use(gqlext.Allowlist{Enabled: o.Allowlist != nil, Manifest: o.Allowlist})
	srv.Use(extension.AutomaticPersistedQuery{Cache: o.APQCache})
	srv.Use(gqlext.Limits{MaxDepth: o.Limits.MaxDepth, MaxAliases: o.Limits.MaxAliases, MaxRootFields: o.Limits.MaxRootFields})
	srv.Use(gqlext.Cost{Max: o.Limits.MaxCost})
	srv.Use(pageSize{})
	srv.Use(rl)
	srv.Use(timeouts{})
	srv.Use(entgql.Transactioner{TxOpener: cleanTx{client: o.Client, log: o.Logger}})
	srv.Use(resolverErrors{})
	srv.Use(operationLog{})
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(loader.WithLoaders(ctx, loader.New(o.Client)))
	})
	srv.SetErrorPresenter(presentError(schema, o.Logger))
	srv.SetRecoverFunc(recoverPanic(o.Logger))
	return srv
}
