// Package httpserver builds careergraph's HTTP handler: the GraphQL endpoint with its transports
// and extensions, the playground, health and readiness probes, and the access log.
package httpserver

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"

	"entgo.io/contrib/entgql"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/trace"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/graph"
	"github.com/careergraph/careergraph/internal/accounts"
	"github.com/careergraph/careergraph/internal/apqcache"
	"github.com/careergraph/careergraph/internal/auth"
	"github.com/careergraph/careergraph/internal/config"
	"github.com/careergraph/careergraph/internal/cors"
	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/gqlext"
	"github.com/careergraph/careergraph/internal/live"
	"github.com/careergraph/careergraph/internal/loader"
	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/metrics"
	"github.com/careergraph/careergraph/internal/migrate"
	"github.com/careergraph/careergraph/internal/playground"
	"github.com/careergraph/careergraph/internal/querycache"
	"github.com/careergraph/careergraph/internal/ratelimit"
	"github.com/careergraph/careergraph/internal/respcache"
	"github.com/careergraph/careergraph/internal/skills"
	"github.com/careergraph/careergraph/internal/tracing"
	"github.com/careergraph/careergraph/internal/txretry"
	"github.com/careergraph/careergraph/internal/viewer"
)

// Options configure the handler. Zero values get production defaults (see withDefaults).
type Options struct {
	Client *ent.Client
	// SQL runs the statements ent cannot build on the pool beneath Client (tests pass their
	// statement counter); Dialect is its database (dialect.Postgres or SQLite).
	SQL database.Querier
	// Pool is the pool beneath Client, for the job queue; nil takes SQL when it is one.
	Pool    *sql.DB
	Dialect string
	// Matcher, when set, is the matcher whose index the server builds at start; /readyz
	// answers 503 until that index is built. Nil: the index builds on the first match.
	Matcher *matching.Matcher
	Logger  *slog.Logger
	// Ready reports whether the database answers and its schema is current; /readyz serves
	// it, naming the pending migration when that is the reason.
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
	// APQCache keeps automatic persisted queries; nil means an in-process cache bounded by
	// Caches.APQCacheBytes (querycache.NewPersisted).
	APQCache graphql.Cache[string]
	// Caches bound the query caches and the operation name; zero fields take
	// config.DefaultCaches.
	Caches config.Caches
	// Allowlist, when not nil, turns allowlist mode on: only these operations are accepted.
	Allowlist gqlext.Manifest
	// CORSOrigins are the browser origins allowed to call the API.
	CORSOrigins []string
	// TrustedProxies are the networks of the reverse proxies whose Forwarded and
	// X-Forwarded-For headers are believed (TRUSTED_PROXIES); empty: the TCP peer is the client.
	TrustedProxies []netip.Prefix
	// Retry bounds how often a mutation that lost to concurrent writers runs again; the zero
	// value is txretry.DefaultPolicy.
	Retry txretry.Policy
	// Metrics, when set, is told of every response, refusal and retry; the caller serves
	// Metrics.Handler on a listener of its own. nil: no metrics.
	Metrics *metrics.Metrics
	// TracerProvider, when set, traces each /query request, its operation and its root
	// fields (see internal/tracing). nil: no spans.
	TracerProvider trace.TracerProvider
	// Replica, when set, sends GraphQL queries' reads to the read replica the client's driver
	// routes to (database.ReadFromReplica), except for clients that wrote within its window;
	// mutations run on the primary and record their client in it. nil: everything reads the
	// primary.
	Replica *database.Recent
	// ResponseCache answers anonymous queries again while nothing changed (internal/respcache);
	// nil: off. Its invalidation is the caller's to wire (server.go: the live bus).
	ResponseCache *respcache.Cache
	// Live serves the subscriptions (internal/live); nil answers them with an error.
	Live *live.Hub
	// Streams tracks WebSocket and SSE connections, for the per-client limit and for
	// Streams.Drain at shutdown; nil makes one (that nobody can drain).
	Streams *Streams
	// LiveLimits bound subscriptions and live connections; zero fields take defaults.
	LiveLimits LiveLimits
	// Extensions are added after the built-in ones, inside the transaction and just outside
	// the retry; tests inject faults with them.
	Extensions []graphql.HandlerExtension
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
	if l.MaxTokens == 0 {
		l.MaxTokens = d.MaxTokens
	}
	if l.MaxSelections == 0 {
		l.MaxSelections = d.MaxSelections
	}
	if l.MaxFilterTerms == 0 {
		l.MaxFilterTerms = d.MaxFilterTerms
	}
	if l.MaxFilterDepth == 0 {
		l.MaxFilterDepth = d.MaxFilterDepth
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
	if l.MaxUploadBytes == 0 {
		l.MaxUploadBytes = d.MaxUploadBytes
	}
	if l.UploadMemoryBytes == 0 {
		l.UploadMemoryBytes = d.UploadMemoryBytes
	}
	if l.MaxUploadFiles == 0 {
		l.MaxUploadFiles = d.MaxUploadFiles
	}
	if o.RateStore == nil {
		o.RateStore = ratelimit.NewMemory(nil)
	}
	c, dc := &o.Caches, config.DefaultCaches
	if c.APQMaxQueryBytes == 0 {
		c.APQMaxQueryBytes = dc.APQMaxQueryBytes
	}
	if c.APQCacheBytes == 0 {
		c.APQCacheBytes = dc.APQCacheBytes
	}
	if c.QueryCacheBytes == 0 {
		c.QueryCacheBytes = dc.QueryCacheBytes
	}
	if c.MaxOperationNameBytes == 0 {
		c.MaxOperationNameBytes = dc.MaxOperationNameBytes
	}
	if o.APQCache == nil {
		o.APQCache = querycache.NewPersisted(c.APQCacheBytes, c.APQMaxQueryBytes, apqcache.DefaultTTL)
	}
	if o.Streams == nil {
		o.Streams = NewStreams()
	}
	o.Streams.metrics = o.Metrics
	o.LiveLimits = o.LiveLimits.withDefaults()
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
	rl := RateLimit{Store: o.RateStore, Points: o.Limits.RatePoints, Window: o.Limits.RateWindow, Logger: o.Logger, Metrics: o.Metrics}
	var gql http.Handler = graphQL(o, rl)
	gql = withTimeout(o.Limits.RequestTimeout, gql)
	gql = o.Streams.gate(o.LiveLimits.MaxConnectionsPerClient, gql)
	gql = rl.Middleware(gql)
	gql = authenticate(o.Client, o.Accounts, o.Logger, gql)
	gql = readBody(o.Limits.MaxBodyBytes, gql)
	if o.TracerProvider != nil {
		gql = otelhttp.NewHandler(gql, "/query", otelhttp.WithTracerProvider(o.TracerProvider),
			otelhttp.WithPropagators(tracing.Propagator()),
			otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " /query" }))
	}
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
				// The reason, without driver text: a load balancer's log shows it.
				var behind *migrate.BehindError
				var replica *database.ReplicaUnreachableError
				if errors.As(err, &behind) {
					_, _ = w.Write([]byte(behind.Error() + "\n"))
				} else if errors.As(err, &replica) {
					_, _ = w.Write([]byte("database replica unreachable\n"))
				} else {
					_, _ = w.Write([]byte("database unreachable\n"))
				}
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
	return accessLog(o.Logger, o.TrustedProxies, securityHeaders(h))
}

// GraphQL returns the GraphQL endpoint alone, without the HTTP protections New adds.
func GraphQL(o Options) http.Handler {
	o = o.withDefaults()
	return graphQL(o, RateLimit{Store: o.RateStore, Points: o.Limits.RatePoints, Window: o.Limits.RateWindow, Logger: o.Logger, Metrics: o.Metrics})
}

func graphQL(o Options, rl RateLimit) *handler.Server {
	matcher := o.Matcher
	if matcher == nil {
		matcher = matching.New(o.Client, o.SQL, o.Dialect)
	}
	o.Metrics.SetMatchIndex(matcher.IndexStats)
	schema := graph.NewSchema(graph.Deps{Client: o.Client, SQL: o.SQL, Pool: o.Pool, Dialect: o.Dialect, Accounts: o.Accounts, Matcher: matcher, Live: o.Live})
	srv := handler.New(schema)
	srv.AddTransport(transport.Options{})
	// The stream transports first: an SSE request is a POST too.
	for _, t := range liveTransports(o) {
		srv.AddTransport(t)
	}
	for _, t := range httpTransports() {
		srv.AddTransport(t)
	}
	srv.AddTransport(newUploadTransport(UploadLimits{MaxBytes: o.Limits.MaxUploadBytes, MaxMemory: o.Limits.UploadMemoryBytes,
		MaxFiles: o.Limits.MaxUploadFiles, MaxOperationBytes: o.Limits.MaxBodyBytes}))
	if o.Metrics != nil {
		// Outermost, so that it times and counts what the client receives.
		srv.Use(o.Metrics.Extension())
	}
	if o.TracerProvider != nil {
		srv.Use(tracing.Extension(o.TracerProvider))
	}
	// The access log's operation and error codes: outside uncodedErrors, so that it records
	// the codes the client gets (a failed commit's INTERNAL_SERVER_ERROR included).
	srv.Use(operationLog{})
	srv.Use(uncodedErrors{log: o.Logger})
	queries := querycache.NewParsed(o.Caches.QueryCacheBytes)
	srv.SetQueryCache(queries)
	srv.SetParserTokenLimit(o.Limits.MaxTokens)
	if o.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		// Suggestions ("Did you mean …?") would spell out the schema introspection hides.
		srv.SetDisableSuggestion(true)
	}
	// Order matters: the request guard refuses over-long operation names and persisted
	// queries before anything keeps them; the allowlist fills in registered queries before
	// APQ looks for them;
	// the shape limits and the cost run on the parsed operation; the rate limiter charges the
	// cost that gqlext.Cost recorded; mutations run in one transaction inside all of that.
	srv.Use(requestGuard{MaxOperationNameBytes: o.Caches.MaxOperationNameBytes, MaxPersistedBytes: o.Caches.APQMaxQueryBytes})
	srv.Use(gqlext.Allowlist{Enabled: o.Allowlist != nil, Manifest: o.Allowlist})
	// DocumentLimits runs before gqlgen parses and validates (see its doc); DefaultPage gives
	// unpaged connections their page before the page-size check and the cost see them.
	srv.Use(extension.AutomaticPersistedQuery{Cache: o.APQCache})
	srv.Use(gqlext.DocumentLimits{MaxTokens: o.Limits.MaxTokens, MaxSelections: o.Limits.MaxSelections, Cache: queries})
	srv.Use(gqlext.Limits{MaxDepth: o.Limits.MaxDepth, MaxAliases: o.Limits.MaxAliases, MaxRootFields: o.Limits.MaxRootFields})
	srv.Use(gqlext.DefaultPage{Size: DefaultPageSize})
	srv.Use(gqlext.FilterLimits{MaxTerms: o.Limits.MaxFilterTerms, MaxDepth: o.Limits.MaxFilterDepth, MaxSkills: MaxFilterSkills})
	srv.Use(gqlext.Cost{Max: o.Limits.MaxCost})
	srv.Use(pageSize{})
	srv.Use(rl)
	if o.ResponseCache != nil {
		// After the rate limiter, so that a hit is charged as the work it stands for.
		srv.Use(o.ResponseCache.Extension())
		o.Metrics.SetResponseCache(o.ResponseCache.Stats)
	}
	vocab := skills.NewCache() // one per process, checked against the database per request
	srv.Use(subscriptions{max: o.LiveLimits.MaxSubscriptionsPerConnection, rl: rl, client: o.Client, vocab: vocab})
	srv.Use(timeouts{})
	srv.Use(transactioner{entgql.Transactioner{TxOpener: cleanTx{client: o.Client, log: o.Logger}}})
	srv.Use(resolverErrors{})
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		var op ast.Operation
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil {
			op = oc.Operation.Operation
		}
		if op == ast.Query {
			ctx = matching.OneLook(ctx) // a query's fields read the match index as of one moment
			// Queries read the replica, unless this client wrote lately (read-your-writes).
			if o.Replica != nil && !o.Replica.Within(viewer.From(ctx).RateKey()) {
				ctx = database.ReadFromReplica(ctx)
			}
		}
		ctx = loader.WithLoaders(ctx, loader.New(o.Client, vocab))
		rh := next(ctx)
		if op != ast.Mutation || o.Replica == nil {
			return rh
		}
		return func(ctx context.Context) *graphql.Response {
			resp := rh(ctx)
			o.Replica.Wrote(viewer.From(ctx).RateKey())
			return resp
		}
	})
	for _, x := range o.Extensions {
		srv.Use(x)
	}
	// Innermost operation interceptor: runs a mutation that lost to concurrent writers again,
	// in a new transaction (see txretry.Extension).
	retry := o.Retry
	if retry.OnRetry == nil && o.Metrics != nil {
		retry.OnRetry = o.Metrics.Retried
	}
	srv.Use(txretry.Extension{Policy: retry})
	srv.SetErrorPresenter(presentError(schema, o.Logger))
	srv.SetRecoverFunc(recoverPanic(o.Logger))
	return srv
}
