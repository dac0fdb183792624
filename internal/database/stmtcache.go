package database

import (
	"container/list"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// stmtCacheSize bounds the prepared statements kept (database/sql prepares each on a
// connection the first time it runs there). ent's reads are a few dozen shapes; IN lists of
// different lengths are different statements.
const stmtCacheSize = 256

// stmtCache is an ent driver that runs ent's reads on PostgreSQL as prepared statements, kept
// in a bounded LRU. Unprepared, every statement is parsed, analysed and planned on every run:
// the role page runs six small ones per request, and under load (32 connections, on the same
// two cores as the server) preparing them cut PostgreSQL's CPU per page by about 40% and the
// server's by about 10%, and raised throughput by about 40% (docs/performance.md). Writes,
// and everything inside a transaction, go through the wrapped driver unchanged.
//
// Statements whose best plan depends on their arguments are not prepared: after five runs
// PostgreSQL may switch a prepared statement to one generic plan, and for a full-text match
// (to_tsquery) the right plan differs between a rare word and a common one.
type stmtCache struct {
	dialect.Driver
	db *sql.DB

	mu    sync.Mutex
	order *list.List
	byKey map[string]*list.Element
}

// cachedStmt is one entry of the LRU.
type cachedStmt struct {
	query string
	stmt  *sql.Stmt
}

func newStmtCache(drv dialect.Driver, db *sql.DB) *stmtCache {
	return &stmtCache{Driver: drv, db: db, order: list.New(), byKey: map[string]*list.Element{}}
}

// cacheable reports whether a statement is a read whose plan does not depend on its arguments.
func cacheable(query string) bool {
	return strings.HasPrefix(query, "SELECT") && !strings.Contains(query, "to_tsquery")
}

// Query implements dialect.Driver.
func (c *stmtCache) Query(ctx context.Context, query string, args, v any) error {
	vr, ok := v.(*entsql.Rows)
	argv, ok2 := args.([]any)
	if !ok || !ok2 || !cacheable(query) {
		return c.Driver.Query(ctx, query, args, v)
	}
	stmt, err := c.stmt(ctx, query)
	if err != nil {
		return err
	}
	rows, err := stmt.QueryContext(ctx, argv...)
	if err != nil {
		return err
	}
	*vr = entsql.Rows{ColumnScanner: rows}
	return nil
}

func (c *stmtCache) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	if e, ok := c.byKey[query]; ok {
		c.order.MoveToFront(e)
		s := e.Value.(*cachedStmt).stmt
		c.mu.Unlock()
		return s, nil
	}
	c.mu.Unlock()
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[query]; ok { // prepared meanwhile by another request
		_ = s.Close()
		c.order.MoveToFront(e)
		return e.Value.(*cachedStmt).stmt, nil
	}
	c.byKey[query] = c.order.PushFront(&cachedStmt{query: query, stmt: s})
	if c.order.Len() > stmtCacheSize {
		old := c.order.Remove(c.order.Back()).(*cachedStmt)
		delete(c.byKey, old.query)
		// database/sql closes it on each connection once no rows read from it are open.
		_ = old.stmt.Close()
	}
	return s, nil
}

// Close closes the prepared statements and the wrapped driver.
func (c *stmtCache) Close() error {
	c.mu.Lock()
	for e := c.order.Front(); e != nil; e = e.Next() {
		_ = e.Value.(*cachedStmt).stmt.Close()
	}
	c.order.Init()
	clear(c.byKey)
	c.mu.Unlock()
	return c.Driver.Close()
}
