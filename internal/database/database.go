// Package database opens the ent client on PostgreSQL (lib/pq) or the embedded SQLite (modernc,
// pure Go), migrates the schema, and reports readiness. It is the only package that knows which
// database is behind the client.
package database

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/lib/pq"  // PostgreSQL driver "postgres"
	_ "modernc.org/sqlite" // SQLite driver "sqlite"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/internal/audit"
	"github.com/careergraph/careergraph/internal/config"
	"github.com/careergraph/careergraph/internal/search"
)

var migrateMu sync.Mutex

// DB is an open database: the ent client and the pool beneath it.
type DB struct {
	Client *ent.Client
	// Dialect is dialect.Postgres or dialect.SQLite.
	Dialect string
	SQL     *sql.DB
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
}

// Open connects to the database a URL names (see config.ParseDatabaseURL), checks that it
// answers, and migrates the schema.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	kind, dsn, err := config.ParseDatabaseURL(url)
	if err != nil {
		return nil, err
	}
	driverName, dia := "postgres", dialect.Postgres
	if kind == config.SQLite {
		driverName, dia = "sqlite", dialect.SQLite
	}
	pool, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("database: open %s: %w", kind, err)
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
		return nil, fmt.Errorf("database: %s is not reachable: %w", kind, err)
	}
	var drv dialect.Driver = entsql.OpenDB(dia, pool)
	if dia == dialect.Postgres {
		drv = newStmtCache(drv, pool) // ent's reads as prepared statements (see stmtCache)
	}
	if opts.Wrap != nil {
		drv = opts.Wrap(drv)
	}
	client := ent.NewClient(ent.Driver(drv))
	// Every change made on behalf of a signed-in user is written to the audit log.
	client.Use(audit.Hook())
	// ent's generated migration writes to package-level table descriptions; two migrations at
	// once (parallel tests opening several databases) would race on them.
	migrateMu.Lock()
	err = client.Schema.Create(ctx)
	migrateMu.Unlock()
	if err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("database: migrate %s: %w", kind, err)
	}
	if err := search.EnsureIndex(ctx, pool, dia); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	return &DB{Client: client, Dialect: dia, SQL: pool}, nil
}

// Ready reports whether the database answers now.
func (db *DB) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return db.SQL.PingContext(ctx)
}

// Close closes the client and its pool.
func (db *DB) Close() error { return db.Client.Close() }
