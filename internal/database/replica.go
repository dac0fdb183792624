package database

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
)

// Read replica (DATABASE_REPLICA_URL). Statements go to the primary unless their context was
// marked with ReadFromReplica, which the HTTP layer does for GraphQL queries only (never for
// mutations, whose payload reads therefore see their own writes). Inside a marked context:
//
//   - a statement that is not a plain SELECT (INSERT … RETURNING, UPDATE, DELETE, WITH …)
//     goes to the primary, and so does every statement after it in that context: reads right
//     after a write in the same request see it;
//   - transactions always begin on the primary;
//   - raw queries through DB.Reader follow the same rule.
//
// Replication lag is handled per client by Recent: after a client's mutation its queries go
// to the primary for a short window (DATABASE_REPLICA_STICKINESS), so that it reads its own
// writes; other clients may read the replica's slightly older state meanwhile.

type routeKey struct{}

// route is one context's routing state.
type route struct{ wrote atomic.Bool }

// ReadFromReplica returns ctx in which reads may go to the read replica, until the first
// write in it. Without a replica it changes nothing.
func ReadFromReplica(ctx context.Context) context.Context {
	return context.WithValue(ctx, routeKey{}, &route{})
}

// OnReplica reports whether a statement run in ctx now would read from the replica (given
// one is configured).
func OnReplica(ctx context.Context) bool {
	r, _ := ctx.Value(routeKey{}).(*route)
	return r != nil && !r.wrote.Load()
}

// useReplica decides where query goes in ctx, and notes a write.
func useReplica(ctx context.Context, query string) bool {
	r, _ := ctx.Value(routeKey{}).(*route)
	if r == nil || r.wrote.Load() {
		return false
	}
	if !isPlainSelect(query) {
		r.wrote.Store(true)
		return false
	}
	return true
}

func wrote(ctx context.Context) {
	if r, _ := ctx.Value(routeKey{}).(*route); r != nil {
		r.wrote.Store(true)
	}
}

// isPlainSelect reports whether query is a SELECT without row locks: the only statements a
// read-only replica can run. Anything else, WITH included (it may hide a write), is not.
func isPlainSelect(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	if len(q) < 6 || !strings.EqualFold(q[:6], "SELECT") {
		return false
	}
	u := strings.ToUpper(q)
	return !strings.Contains(u, " FOR UPDATE") && !strings.Contains(u, " FOR SHARE") &&
		!strings.Contains(u, " FOR NO KEY UPDATE") && !strings.Contains(u, " FOR KEY SHARE")
}

// routeDriver sends ent's statements to the primary or the replica (see above).
type routeDriver struct {
	dialect.Driver // the primary
	replica        dialect.Driver
}

func (d routeDriver) Exec(ctx context.Context, query string, args, v any) error {
	wrote(ctx)
	return d.Driver.Exec(ctx, query, args, v)
}

func (d routeDriver) Query(ctx context.Context, query string, args, v any) error {
	if useReplica(ctx, query) {
		return d.replica.Query(ctx, query, args, v)
	}
	return d.Driver.Query(ctx, query, args, v)
}

// Tx begins on the primary: everything inside a transaction reads and writes there.
func (d routeDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	wrote(ctx)
	return d.Driver.Tx(ctx)
}

func (d routeDriver) Close() error {
	err := d.Driver.Close()
	if rerr := d.replica.Close(); err == nil {
		err = rerr
	}
	return err
}

// routeQuerier is DB.Reader: raw queries routed like ent's.
type routeQuerier struct {
	primary, replica Querier
}

func (q routeQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if useReplica(ctx, query) {
		return q.replica.QueryContext(ctx, query, args...)
	}
	return q.primary.QueryContext(ctx, query, args...)
}

// Reader returns what raw queries (search's ranked page) run on: the primary, or with a
// replica, a Querier that routes like the ent client. The match index reads the primary
// (DB.SQL) always: its catch-up watermark assumes it sees every committed row.
func (db *DB) Reader() Querier {
	if db.Replica == nil {
		return db.SQL
	}
	return routeQuerier{primary: db.SQL, replica: db.Replica}
}

// ReplicaQuerier wraps raw queries the way Reader does, over queriers of the caller's (tests
// count statements with them).
func ReplicaQuerier(primary, replica Querier) Querier {
	return routeQuerier{primary: primary, replica: replica}
}

// ReplicaUnreachableError is Ready's answer when the primary is fine but the read replica
// does not answer.
type ReplicaUnreachableError struct{ Err error }

func (e *ReplicaUnreachableError) Error() string {
	return "database replica unreachable: " + e.Err.Error()
}

func (e *ReplicaUnreachableError) Unwrap() error { return e.Err }

// Recent remembers which clients wrote lately, so that their queries read the primary for a
// window after their own mutation (read-your-writes despite replication lag). It is kept in
// process: behind a load balancer without session affinity, a client's next query may reach
// another server that does not know of its write (see README, Read replica).
type Recent struct {
	window time.Duration
	mu     sync.Mutex
	m      map[string]time.Time
	now    func() time.Time
}

// recentPrune is the size above which Wrote drops expired entries.
const recentPrune = 4096

// NewRecent returns a Recent with the given window (0: never sticky).
func NewRecent(window time.Duration) *Recent {
	return &Recent{window: window, m: map[string]time.Time{}, now: time.Now}
}

// Wrote records that key (a client: its token, or its address when anonymous) wrote now.
func (r *Recent) Wrote(key string) {
	if r == nil || r.window <= 0 {
		return
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.m) >= recentPrune {
		for k, t := range r.m {
			if now.Sub(t) >= r.window {
				delete(r.m, k)
			}
		}
	}
	r.m[key] = now
}

// Within reports whether key wrote within the window.
func (r *Recent) Within(key string) bool {
	if r == nil || r.window <= 0 {
		return false
	}
	r.mu.Lock()
	t, ok := r.m[key]
	r.mu.Unlock()
	return ok && r.now().Sub(t) < r.window
}
