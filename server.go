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

	"github.com/careergraph/careergraph/internal/accounts"
	"github.com/careergraph/careergraph/internal/apqcache"
	"github.com/careergraph/careergraph/internal/auth"
	"github.com/careergraph/careergraph/internal/config"
	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/gen"
	"github.com/careergraph/careergraph/internal/gqlext"
	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/ratelimit"
	"github.com/careergraph/careergraph/internal/seed"
)

func main() {
	if err := run(os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "careergraph:", err)
		os.Exit(1)
	}
}

func run(args []string, getenv func(string) string) error {
	if len(args) > 0 {
		if args[0] == "gen" {
			return runGen(args[1:], getenv)
		}
		return fmt.Errorf("unknown command %q: run with no arguments to serve, or `gen --openings N [--seed S]`", args[0])
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
	db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{})
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
	// The match index builds in the background; /readyz says 503 until it is built, so that a
	// load balancer sends no match to a replica that would make it wait for the build.
	matcher := matching.New(db.Client, db.SQL, db.Dialect)
	go func() {
		t := time.Now()
		if err := matcher.Build(ctx); err != nil {
			// The next match builds it instead; until then the replica stays not ready.
			log.Error("match index", "err", err)
			return
		}
		log.Info("match index built", "ms", time.Since(t).Milliseconds())
	}()
	opts := httpserver.Options{
		Client:        db.Client,
		SQL:           db.SQL,
		Matcher:       matcher,
		Dialect:       db.Dialect,
		Logger:        log,
		Ready:         db.Ready,
		Introspection: cfg.Introspection,
		Playground:    cfg.Playground,
		Limits:        cfg.Limits,
		CORSOrigins:   cfg.CORSOrigins,
		RateStore:     ratelimit.NewMemory(nil),
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
		opts.RateStore = ratelimit.NewRedis(rdb, "careergraph:ratelimit:")
		opts.APQCache = apqcache.New(rdb, "careergraph:apq:", 24*time.Hour, apqcache.OnError(func(ctx context.Context, err error) {
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
	opts.Accounts = &accounts.Service{Hasher: hasher, Limiter: opts.RateStore}
	if cfg.AdminEmail != "" {
		created, err := opts.Accounts.BootstrapAdmin(ctx, db.Client, cfg.AdminEmail, cfg.AdminPassword)
		if err != nil {
			return err
		}
		log.Info("first admin", "email", accounts.NormalizeEmail(cfg.AdminEmail), "created", created)
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
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
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
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := gen.Run(ctx, db, gen.Options{Openings: *n, Seed: *s, Progress: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: added %d openings in %s\n", res.Openings, res.Elapsed.Round(time.Millisecond))
	return nil
}
