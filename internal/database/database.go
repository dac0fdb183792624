// Package database opens the ent client on PostgreSQL (lib/pq) or the embedded SQLite (modernc,
// pure Go), applies or checks the versioned migrations (internal/migrate), and reports
// readiness. It is the only package that knows which
// database is behind the client.
package database

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/lib/pq"  // PostgreSQL driver "postgres"
	_ "modernc.org/sqlite" // SQLite driver "sqlite"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/internal/audit"
	"github.com/careergraph/careergraph/internal/config"
	"github.com/careergraph/careergraph/internal/editing"
	"github.com/careergraph/careergraph/internal/migrate"
	"github.com/careergraph/careergraph/internal/search"
)

// DB is an open database: the ent client and the pool beneath it.
type DB struct {
	Client *ent.Client
	// Dialect is dialect.Postgres or dialect.SQLite.
	Dialect string
	SQL     *sql.DB
	// Replica is the read replica's pool (DATABASE_REPLICA_URL), nil without one. The
	// client reads from it in contexts marked by ReadFromReplica (see replica.go).
	Replica *sql.DB
}

// Querier runs a statement that ent's builders cannot express (the ranked search page, the
// match index's reads). *sql.DB is one; tests pass their statement counter instead, so that
// those statements are counted like ent's.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Options adjust Open; the zero value is production.
type Options struct {
	// Wrap, when set, wraps the ent driver (tests count statements with it).
	Wrap func(dialect.Driver) dialect.Driver
	// Migrate applies pending migrations (under the migration lock) before Open returns.
	// Without it, Open fails with a *migrate.BehindError when files are pending: a replica
	// never serves a schema older than its code.
	Migrate bool
	// SkipCheck opens without looking at the schema (the migrate command itself).
	SkipCheck bool
	// Applied, when set, is told of each migration Migrate applies.
	Applied func(f migrate.File, statements int)
	// ReplicaURL, when set, names a read replica of the (PostgreSQL) primary.
	ReplicaURL string
	// WrapReplica, when set, wraps the replica's driver; nil wraps it with Wrap.
	WrapReplica func(dialect.Driver) dialect.Driver
}

// Open connects to the database a URL names (see config.ParseDatabaseURL), checks that it
// answers, and applies (Options.Migrate) or checks the versioned migrations.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	kind, _, err := config.ParseDatabaseURL(url)
	if err != nil {
		return nil, err
	}
	pool, dia, err := openPool(ctx, url, "")
	if err != nil {
		return nil, err
	}
	drv := entDriver(pool, dia, opts.Wrap)
	var replica *sql.DB
	if opts.ReplicaURL != "" {
		if kind != config.Postgres {
			_ = pool.Close()
			return nil, fmt.Errorf("database: a read replica needs PostgreSQL")
		}
		if replica, _, err = openPool(ctx, opts.ReplicaURL, "replica "); err != nil {
			_ = pool.Close()
			return nil, err
		}
		wrap := opts.WrapReplica
		if wrap == nil {
			wrap = opts.Wrap
		}
		drv = routeDriver{Driver: drv, replica: entDriver(replica, dia, wrap)}
	}
	// Transactions begin at their first statement, so that a mutation holds a connection
	// only while it talks to the database (see lazyTxDriver).
	drv = lazyTxDriver{drv}
	client := ent.NewClient(ent.Driver(drv))
	// Every change made on behalf of a signed-in user is written to the audit log, and every
	// change an opening's search document or skill count depends on rewrites them. Versions
	// move with every change and guard update<X>(version:) (after the audit hook, so the
	// version is not listed among a change's fields).
	useHooks(client)
	switch {
	case opts.Migrate:
		if _, err := migrate.Apply(ctx, pool, dia, migrate.Options{Applied: opts.Applied}); err != nil {
			_ = client.Close()
			return nil, fmt.Errorf("database: %w", err)
		}
	case !opts.SkipCheck:
		if err := migrate.Check(ctx, pool, dia); err != nil {
			_ = client.Close()
			return nil, fmt.Errorf("database: %w", err)
		}
	}
	return &DB{Client: client, Dialect: dia, SQL: pool, Replica: replica}, nil
}

// openPool opens and pings the pool a URL names; what ("replica ") goes into messages.
func openPool(ctx context.Context, url, what string) (*sql.DB, string, error) {
	kind, dsn, err := config.ParseDatabaseURL(url)
	if err != nil {
		return nil, "", err
	}
	driverName, dia := "postgres", dialect.Postgres
	if kind == config.SQLite {
		driverName, dia = "sqlite", dialect.SQLite
	}
	pool, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, "", fmt.Errorf("database: open %s%s: %w", what, kind, err)
	}
	if kind == config.SQLite {
		// One writer at a time is all SQLite allows; WAL lets readers go on meanwhile.
		pool.SetMaxOpenConns(8)
	} else {
		// As many idle connections as open ones: with fewer, a burst above the idle limit
		// closes each connection it returns and opens a new one for the next statement (a
		// PostgreSQL backend forked per statement), which under load cost more CPU than the
		// statements themselves.
		pool.SetMaxOpenConns(20)
		pool.SetMaxIdleConns(20)
		pool.SetConnMaxIdleTime(5 * time.Minute)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.PingContext(pingCtx); err != nil {
		_ = pool.Close()
		return nil, "", fmt.Errorf("database: %s%s is not reachable: %w", what, kind, err)
	}
	return pool, dia, nil
}

// entDriver is ent's driver over pool: prepared statements on PostgreSQL, wrapped by wrap.
func entDriver(pool *sql.DB, dia string, wrap func(dialect.Driver) dialect.Driver) dialect.Driver {
	var drv dialect.Driver = entsql.OpenDB(dia, pool)
	if dia == dialect.Postgres {
		drv = newStmtCache(drv, pool) // ent's reads as prepared statements (see stmtCache)
	}
	if wrap != nil {
		drv = wrap(drv)
	}
	return drv
}

// Ready reports whether the database (and the read replica, when there is one) answers now
// and its schema has every migration this binary carries (a *migrate.BehindError if not: someone restored an old backup, or a replica
// started with SkipCheck).
func (db *DB) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := db.SQL.PingContext(ctx); err != nil {
		return err
	}
	if err := migrate.Check(ctx, db.SQL, db.Dialect); err != nil {
		return err
	}
	if db.Replica != nil {
		if err := db.Replica.PingContext(ctx); err != nil {
			return &ReplicaUnreachableError{Err: err}
		}
	}
	return nil
}

// Close closes the client and its pools.
func (db *DB) Close() error { return db.Client.Close() }

// useHooks installs the hooks every graph client carries.
func useHooks(client *ent.Client) {
	client.Use(audit.Hook(), search.Hook(), editing.VersionHook())
}

// ClientOnTx is a graph client whose statements run in tx (a database/sql transaction of
// dialect dia), with the same hooks as the client Open returns: what a writer that also
// needs the transaction itself (the importer's COPY) uses for its ent statements.
func ClientOnTx(dia string, tx *sql.Tx) *ent.Client {
	c := ent.NewClient(ent.Driver(onTx{entsql.NewDriver(dia, entsql.Conn{ExecQuerier: tx})}))
	useHooks(c)
	return c
}

// onTx is a driver already inside a transaction: what would begin one (ent does, for a write
// with edges) gets the same transaction, its commit and rollback left to the owner.
type onTx struct{ *entsql.Driver }

func (d onTx) Tx(context.Context) (dialect.Tx, error) { return dialect.NopTx(d), nil }
func (d onTx) Close() error                           { return nil }
