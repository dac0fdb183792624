// Command careergraph serves the career graph over GraphQL.
//
// With no configuration it uses an embedded SQLite file, careergraph.db, migrated and seeded
// with the sample clusters on first start, and listens on :8080. See README.md for the
// environment variables.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/careergraph/careergraph/internal/accounts"
	"github.com/careergraph/careergraph/internal/apqcache"
	"github.com/careergraph/careergraph/internal/auth"
	"github.com/careergraph/careergraph/internal/config"
	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/gen"
	"github.com/careergraph/careergraph/internal/gqlext"
	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/jobs"
	"github.com/careergraph/careergraph/internal/live"
	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/metrics"
	"github.com/careergraph/careergraph/internal/migrate"
	"github.com/careergraph/careergraph/internal/ratelimit"
	"github.com/careergraph/careergraph/internal/respcache"
	"github.com/careergraph/careergraph/internal/seed"
	"github.com/careergraph/careergraph/internal/tracing"
	"github.com/careergraph/careergraph/internal/trends"
)

func main() {
	if err := run(os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "careergraph:", err)
		os.Exit(1)
	}
}

func run(args []string, getenv func(string) string) error {
	if len(args) > 0 {
		switch args[0] {
		case "gen":
			return runGen(args[1:], getenv)
		case "import":
			return runImport(args[1:], getenv, os.Stdout, os.Stderr)
		case "worker":
			return runWorker(getenv)
		case "migrate":
			return runMigrate(args[1:], getenv, os.Stdout)
		}
		return fmt.Errorf("unknown command %q: run with no arguments to serve, `migrate` (see `migrate help`), `gen --openings N [--seed S]`, `worker`, or `import [--source NAME] [--full] PATH|URL…`", args[0])
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return runCtx(ctx, getenv)
}

// runCtx reads the configuration and serves until ctx ends.
func runCtx(ctx context.Context, getenv func(string) string) error {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	return serve(ctx, cfg, log)
}

// serve runs the server until ctx ends, then shuts down gracefully: it stops accepting, lets
// in-flight requests finish within cfg.ShutdownTimeout, and closes the database.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	start := time.Now()
	// Tracing first, so that the database driver can trace statements.
	var tp trace.TracerProvider
	if cfg.Tracing {
		sdk, err := tracing.Setup(ctx, os.Getenv)
		if err != nil {
			return err
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := sdk.Shutdown(sctx); err != nil {
				log.Warn("flushing traces", "err", err)
			}
		}()
		// Export failures (a collector down) are logged like everything else, not fatal.
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("opentelemetry", "err", err) }))
		log.Info("tracing", "exporter", "otlp/http")
		tp = sdk
	}
	dbOpts := database.Options{
		Migrate:    cfg.MigrateOnStart,
		ReplicaURL: cfg.ReplicaURL,
		Applied:    func(f migrate.File, n int) { log.Info("migration applied", "file", f.Name, "statements", n) },
	}
	if tp != nil {
		dbOpts.Wrap = tracing.WrapDriver(tp)
	}
	db, err := database.Open(ctx, cfg.DatabaseURL, dbOpts)
	if err != nil {
		return err
	}
	defer func() {
		if err := db.Close(); err != nil {
			log.Error("closing database", "err", err)
		}
	}()
	if cfg.Seed {
		res, err := seed.Load(ctx, db.Client)
		if err != nil {
			return err
		}
		log.Info("seed", "loaded", res.Loaded, "roles", res.Roles, "openings", res.Openings)
	}
	// Changes reach subscribers and the other replicas' match indexes through the bus; it
	// closes after the jobs stop (they publish too) and before the database.
	bus, err := startLive(ctx, cfg, db, true, log)
	if err != nil {
		return err
	}
	defer bus.Close()
	if cfg.Jobs {
		stopJobs, err := startJobs(ctx, cfg, db, bus, log)
		if err != nil {
			return err
		}
		// Jobs stop before the database closes (defers run last in, first out).
		defer stopJobs()
		// The daily market snapshot is background work too: it runs where jobs run (JOBS, or
		// `careergraph worker`), not on web-only replicas.
		defer startTrends(ctx, db, log)()
	}
	// The match index reads the primary always (its catch-up must see every committed row);
	// it builds in the background; /readyz says 503 until it is built, so that a
	// load balancer sends no match to a replica that would make it wait for the build.
	matcher := matching.New(db.Client, db.SQL, db.Dialect)
	// Replicas share images of the index through the database, so that one that starts reads
	// a stored image and catches up instead of building from every opening (internal/matching,
	// images.go). Storing one is best effort; an image that cannot be read means a build.
	if cfg.MatchIndexImages {
		matcher.KeepImages(func(err error) { log.Warn("match index image", "err", err) })
	}
	// Go's soft memory limit follows the index's size (matching.AdaptMemoryLimit), unless the
	// operator set one with GOMEMLIMIT.
	matching.AdaptMemoryLimit.Store(os.Getenv("GOMEMLIMIT") == "")
	go func() {
		t := time.Now()
		if err := matcher.Build(ctx); err != nil {
			// The next match builds it instead; until then the replica stays not ready.
			log.Error("match index", "err", err)
			return
		}
		log.Info("match index built", "ms", time.Since(t).Milliseconds(), "from_image", matcher.FromImage())
	}()
	bus.Handle(func(m live.Message) {
		if len(m.Openings) > 0 || m.Resync {
			matcher.Nudge() // another replica's change: catch up now, not at the next read
		}
	})
	hub := live.NewHub(db.Client, bus, log)
	var responses *respcache.Cache
	if cfg.Caches.ResponseTTL > 0 {
		responses = respcache.New(cfg.Caches.ResponseCacheBytes, cfg.Caches.ResponseTTL)
		responses.Follow(bus) // every committed change, here or on another replica, makes it stale
	}
	opts := httpserver.Options{
		Client:        db.Client,
		SQL:           db.Reader(),
		Pool:          db.SQL,
		Matcher:       matcher,
		Dialect:       db.Dialect,
		Logger:        log,
		Ready:         db.Ready,
		Introspection: cfg.Introspection,
		Playground:    cfg.Playground,
		Limits:        cfg.Limits,
		CORSOrigins:   cfg.CORSOrigins,
		RateStore:     ratelimit.NewMemory(nil),
		Caches:        cfg.Caches,

		TrustedProxies: cfg.TrustedProxies,
		TracerProvider: tp,

		ResponseCache: responses,
		Live:          hub,
		Streams:       httpserver.NewStreams(),
		LiveLimits:    httpserver.LiveLimits{MaxSubscriptionsPerConnection: cfg.Limits.MaxSubscriptions, MaxConnectionsPerClient: cfg.Limits.MaxLiveConnections},
	}
	if db.Replica != nil {
		opts.Replica = database.NewRecent(cfg.ReplicaStickiness)
		log.Info("read replica", "stickiness", cfg.ReplicaStickiness.String())
	}
	if cfg.RedisURL != "" {
		ropts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return fmt.Errorf("config: REDIS_URL: %w", err)
		}
		rdb := redis.NewClient(ropts)
		defer func() { _ = rdb.Close() }()
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = rdb.Ping(pctx).Err()
		cancel()
		if err != nil {
			return fmt.Errorf("REDIS_URL: Redis is not reachable: %w", err)
		}
		// While Redis is away, budgets (and login throttles) are kept in process: no request
		// fails for it, and each replica still enforces the budget on its own.
		opts.RateStore = &ratelimit.Fallback{Primary: ratelimit.NewRedis(rdb, cfg.RedisKeyPrefix+"ratelimit:"), Secondary: opts.RateStore,
			OnError: func(ctx context.Context, err error) {
				log.WarnContext(ctx, "rate limit store: Redis failed, budgets kept in process for a second", "err", err)
			}}
		opts.APQCache = apqcache.New(rdb, cfg.RedisKeyPrefix+"apq:", apqcache.DefaultTTL,
			apqcache.MaxQueryBytes(cfg.Caches.APQMaxQueryBytes), apqcache.Budget(cfg.Caches.APQCacheBytes),
			apqcache.OnError(func(ctx context.Context, err error) {
				log.WarnContext(ctx, "apq cache", "err", err)
			}))
	}
	if cfg.AllowlistPath != "" {
		m, err := gqlext.LoadManifest(cfg.AllowlistPath)
		if err != nil {
			return fmt.Errorf("GRAPHQL_ALLOWLIST: %w", err)
		}
		opts.Allowlist = m
	}
	hasher, err := auth.NewHasher(auth.DefaultParams)
	if err != nil {
		return err
	}
	opts.Accounts = &accounts.Service{Hasher: hasher, Limiter: opts.RateStore, TokenMaxLifetime: cfg.APITokenMaxLifetime}
	if cfg.AdminEmail != "" {
		created, err := opts.Accounts.BootstrapAdmin(ctx, db.Client, cfg.AdminEmail, cfg.AdminPassword)
		if err != nil {
			return err
		}
		log.Info("first admin", "email", accounts.NormalizeEmail(cfg.AdminEmail), "created", created)
	}
	if cfg.MetricsAddr != "" {
		opts.Metrics = metrics.New(db.SQL)
		hub.OnSubscriptions = opts.Metrics.LiveSubscription
		stopMetrics, err := serveMetrics(cfg.MetricsAddr, opts.Metrics, log)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}
	srv := &http.Server{
		Addr:              net.JoinHostPort("", strconv.Itoa(cfg.Port)),
		Handler:           httpserver.New(opts),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return fmt.Errorf("PORT=%d: %w", cfg.Port, err)
	}
	log.Info("serving", "addr", ln.Addr().String(), "database", db.Dialect, "startup_ms", time.Since(start).Milliseconds())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.DebugAddr != "" {
		// The profiler listens apart from the public port (config.Validate refuses PORT).
		dln, err := net.Listen("tcp", cfg.DebugAddr)
		if err != nil {
			_ = srv.Close()
			return fmt.Errorf("DEBUG_ADDR=%s: %w", cfg.DebugAddr, err)
		}
		dsrv := &http.Server{Handler: httpserver.Debug(), ReadHeaderTimeout: 10 * time.Second}
		defer func() { _ = dsrv.Close() }()
		go func() { _ = dsrv.Serve(dln) }()
		log.Info("profiler", "addr", dln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// Subscribers first: told to reconnect (WebSocket close 1012, a last SSE event), which
	// Shutdown would not do.
	if err := opts.Streams.Drain(sctx); err != nil {
		log.Warn("draining live connections", "err", err)
	}
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// serveMetrics serves m at /metrics on addr, a listener apart from the public port, and
// returns a function that stops it.
func serveMetrics(addr string, m *metrics.Metrics, log *slog.Logger) (func(), error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	ms := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("METRICS_ADDR=%s: %w", addr, err)
	}
	log.Info("serving metrics", "addr", ln.Addr().String())
	go func() {
		if err := ms.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "err", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ms.Shutdown(ctx)
	}, nil
}

// runGen is `careergraph gen --openings N [--seed S]`: it fills the database DATABASE_URL names
// with N deterministic sample openings (see internal/gen).
func runGen(args []string, getenv func(string) string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	n := fs.Int("openings", 100000, "how many openings to add")
	s := fs.Uint64("seed", 1, "random seed; the same seed gives the same openings")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cmd, err := openCommand(getenv)
	if err != nil {
		return err
	}
	defer cmd.Close()
	ctx, db := cmd.ctx, cmd.db
	res, err := gen.Run(ctx, db, gen.Options{Openings: *n, Seed: *s, Progress: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: added %d openings in %s\n", res.Openings, res.Elapsed.Round(time.Millisecond))
	return nil
}

// startJobs starts the River job runner (imports, the periodic expiry sweep) in this process
// and returns the function that stops it, letting running jobs finish within the shutdown
// timeout.
func startJobs(ctx context.Context, cfg config.Config, db *database.DB, bus *live.Bus, log *slog.Logger) (func(), error) {
	r, err := jobs.New(ctx, db.Client, db.SQL, db.Dialect, jobs.Config{
		SweepInterval: cfg.Expiry.SweepInterval, OpeningValidity: cfg.Expiry.OpeningValidity, Log: log,
		Written: live.Written(bus), // COPY chunks bypass the hooks that announce changes
	})
	if err != nil {
		return nil, err
	}
	// Jobs outlive the request that started them: not ctx, which ends at SIGTERM.
	if err := r.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, fmt.Errorf("jobs: start: %w", err)
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		if err := r.Stop(sctx); err != nil {
			log.Error("stopping jobs", "err", err)
		}
	}, nil
}

// runWorker is `careergraph worker`: the same binary running jobs only, no HTTP, until
// SIGTERM or SIGINT.
func runWorker(getenv func(string) string) error {
	cmd, err := openCommand(getenv)
	if err != nil {
		return err
	}
	defer cmd.Close()
	ctx, cfg, db := cmd.ctx, cmd.cfg, cmd.db
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	bus, err := startLive(ctx, cfg, db, false, log)
	if err != nil {
		return err
	}
	defer bus.Close()
	stopJobs, err := startJobs(ctx, cfg, db, bus, log)
	if err != nil {
		return err
	}
	stopTrends := startTrends(ctx, db, log)
	log.Info("worker running")
	<-ctx.Done()
	log.Info("worker stopping")
	stopTrends()
	stopJobs()
	return nil
}

// command is what a one-shot subcommand (gen, import, worker) works with: its config, a
// context that SIGINT and SIGTERM cancel, and the database, migrated when MIGRATE_ON_START
// says so (as the server is).
type command struct {
	ctx  context.Context
	stop context.CancelFunc
	cfg  config.Config
	db   *database.DB
}

// openCommand reads the config and opens the database for a subcommand.
func openCommand(getenv func(string) string) (*command, error) {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{Migrate: cfg.MigrateOnStart})
	if err != nil {
		stop()
		return nil, err
	}
	return &command{ctx: ctx, stop: stop, cfg: cfg, db: db}, nil
}

// Close closes the database and stops listening for signals.
func (c *command) Close() {
	_ = c.db.Close()
	c.stop()
}

// startTrends runs the daily market snapshot (internal/trends) until the returned function,
// which waits for it, is called.
func startTrends(ctx context.Context, db *database.DB, log *slog.Logger) func() {
	tctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); trends.Run(tctx, db.Client, log) }()
	return func() { stop(); <-done }
}
