package database

import (
	"context"
	"database/sql"
	"sync"

	"entgo.io/ent/dialect"
)

// lazyTxDriver begins a transaction only when its first statement runs. Every GraphQL mutation
// runs inside a transaction opened before its resolvers (entgql.Transactioner); with an eager
// BEGIN, a resolver that does slow work before writing (login hashes a password for a tenth of
// a second) would hold a pool connection the whole time, and a burst of such requests would
// take every connection. Lazily, the connection is taken at the first statement and held only
// from there to the commit.
type lazyTxDriver struct {
	dialect.Driver
}

// Tx returns a transaction that has not begun yet. ctx is kept for the real begin, because
// database/sql ties a transaction's life to the context it was begun with.
func (d lazyTxDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	return &lazyTx{drv: d.Driver, ctx: ctx}, nil
}

// lazyTx is a dialect.Tx whose BEGIN is deferred to its first Exec or Query. A transaction
// that never ran a statement commits and rolls back as a no-op.
type lazyTx struct {
	drv dialect.Driver
	ctx context.Context

	mu   sync.Mutex
	tx   dialect.Tx
	done bool
}

func (t *lazyTx) begin() (dialect.Tx, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return nil, sql.ErrTxDone
	}
	if t.tx == nil {
		tx, err := t.drv.Tx(t.ctx)
		if err != nil {
			return nil, err
		}
		t.tx = tx
	}
	return t.tx, nil
}

// Exec begins the transaction if needed and runs the statement in it.
func (t *lazyTx) Exec(ctx context.Context, query string, args, v any) error {
	tx, err := t.begin()
	if err != nil {
		return err
	}
	return tx.Exec(ctx, query, args, v)
}

// Query begins the transaction if needed and runs the query in it.
func (t *lazyTx) Query(ctx context.Context, query string, args, v any) error {
	tx, err := t.begin()
	if err != nil {
		return err
	}
	return tx.Query(ctx, query, args, v)
}

// finish ends the transaction with end when it has begun.
func (t *lazyTx) finish(end func(dialect.Tx) error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return sql.ErrTxDone
	}
	t.done = true
	if t.tx == nil {
		return nil
	}
	return end(t.tx)
}

// Commit commits a begun transaction; one that ran nothing has nothing to commit.
func (t *lazyTx) Commit() error { return t.finish(dialect.Tx.Commit) }

// Rollback rolls a begun transaction back.
func (t *lazyTx) Rollback() error { return t.finish(dialect.Tx.Rollback) }
