// Package testenv gives tests real databases: a fresh SQLite file always, and a fresh
// PostgreSQL schema when TEST_DATABASE_URL is set, each removed when the test ends. The same
// test body runs on each (see Each). It also counts SQL statements and serves GraphQL in
// process through the production handler.
package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"
	_ "github.com/lib/pq"

	"github.com/careergraph/careergraph/ent/apitoken"
	"github.com/careergraph/careergraph/ent/user"
	"github.com/careergraph/careergraph/internal/accounts"
	"github.com/careergraph/careergraph/internal/auth"
	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/live"
	"github.com/careergraph/careergraph/internal/ratelimit"
	"github.com/careergraph/careergraph/internal/seed"
	"github.com/careergraph/careergraph/internal/viewer"
)

// Backend names a database kind a test runs on.
type Backend string

// The backends.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// RequirePostgresEnv, when set to 1 (CI sets it), turns a missing TEST_DATABASE_URL into a
// failure instead of a quiet SQLite-only run.
const RequirePostgresEnv = "CAREERGRAPH_REQUIRE_POSTGRES"

// Backends lists the backends this run covers.
func Backends(t testing.TB) []Backend {
	t.Helper()
	bs := []Backend{SQLite}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		bs = append(bs, Postgres)
	} else if os.Getenv(RequirePostgresEnv) == "1" {
		t.Fatalf("%s=1 but TEST_DATABASE_URL is empty: the PostgreSQL run would be skipped", RequirePostgresEnv)
	}
	return bs
}

// Each runs fn as a subtest per backend, named after it ("sqlite", "postgres").
func Each(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Helper()
	for _, b := range Backends(t) {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			fn(t, b)
		})
	}
}

// Counter counts the SQL statements a driver runs and keeps their text for failure messages.
type Counter struct {
	n    atomic.Int64
	mu   sync.Mutex
	log  []string
	args [][]any // the arguments of each statement in log run through Querier (nil for ent's)
}

// Reset sets the count to zero.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n.Store(0)
	c.log, c.args = nil, nil
}

func (c *Counter) add(query string, args ...any) {
	c.n.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = append(c.log, query)
	c.args = append(c.args, args)
}

// Args returns the arguments of the statements List returns, in the same order: those run
// through Querier (the search's, the match index's); ent's statements have none here.
func (c *Counter) Args() [][]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.args)
}

// Statements returns the text of the statements run since the last Reset, one per line.
func (c *Counter) Statements() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.log, "\n")
}

// List returns the statements run since the last Reset, in order (a statement may span lines).
func (c *Counter) List() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.log)
}

// Count returns the statements run since the last Reset.
func (c *Counter) Count() int { return int(c.n.Load()) }

// Wrap wraps an ent driver so that c counts its statements (database.Options.Wrap).
func (c *Counter) Wrap(d dialect.Driver) dialect.Driver { return &countingDriver{Driver: d, c: c} }

// Env is a database, migrated by the versioned migration files, for one test.
type Env struct {
	Backend Backend
	DB      *database.DB
	// Statements counts every statement run through DB.Client and through Querier.
	Statements *Counter
	// Querier runs raw statements on DB.SQL and counts them in Statements; the handler's
	// search and match index use it, so their statements are counted like ent's.
	Querier database.Querier
	// URL is the database's DATABASE_URL.
	URL string
	// ReplicaStatements counts the statements run on the read replica (NewWithReplica);
	// Statements then counts the primary's only, and Querier routes like DB.Reader.
	ReplicaStatements *Counter
	// PrimaryQuerier runs raw statements on the primary, counted in Statements.
	PrimaryQuerier database.Querier
}

// New opens a fresh, migrated database of backend b that is removed when t ends.
func New(t testing.TB, b Backend) *Env {
	t.Helper()
	ctx := context.Background()
	dsn := EmptyDatabase(t, b)
	c := &Counter{}
	// The same migration files production applies build every test database, so the suite
	// proves them on both backends.
	db, err := database.Open(ctx, dsn, database.Options{Migrate: true, Wrap: func(d dialect.Driver) dialect.Driver {
		return &countingDriver{Driver: d, c: c}
	}})
	if err != nil {
		t.Fatalf("open %s: %v", b, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	q := countingQuerier{db: db.SQL, c: c}
	return &Env{Backend: b, DB: db, Statements: c, Querier: q, PrimaryQuerier: q, URL: dsn}
}

// ReadOnlyReplicaURL turns a PostgreSQL URL into the URL of a stand-in read replica: the same
// database and schema, over connections that are read-only (default_transaction_read_only, so
// that any write sent there fails as on a hot standby) and named careergraph-replica in
// pg_stat_activity.
func ReadOnlyReplicaURL(t testing.TB, primary string) string {
	t.Helper()
	u, err := url.Parse(primary)
	if err != nil {
		t.Fatalf("replica URL: %v", err)
	}
	q := u.Query()
	q.Set("default_transaction_read_only", "on")
	q.Set("application_name", "careergraph-replica")
	u.RawQuery = q.Encode()
	return u.String()
}

// NewWithReplica is New on PostgreSQL with a stand-in read replica (ReadOnlyReplicaURL):
// ReplicaStatements counts what runs there, Statements what runs on the primary.
func NewWithReplica(t testing.TB) *Env {
	t.Helper()
	dsn := EmptyDatabase(t, Postgres)
	return openWithReplica(t, dsn, ReadOnlyReplicaURL(t, dsn))
}

// SchemaURL returns the URL of a fresh empty PostgreSQL schema (EmptyDatabase) for tests
// that build their replica URL themselves (through a proxy, say) before NewWithReplicaAt.
func SchemaURL(t testing.TB) string { return EmptyDatabase(t, Postgres) }

// NewWithReplicaAt is NewWithReplica on a schema URL from SchemaURL, with the replica at
// replicaURL (which must reach the same schema).
func NewWithReplicaAt(t testing.TB, dsn, replicaURL string) *Env {
	t.Helper()
	return openWithReplica(t, dsn, replicaURL)
}

func openWithReplica(t testing.TB, dsn, replicaURL string) *Env {
	t.Helper()
	c, rc := &Counter{}, &Counter{}
	db, err := database.Open(context.Background(), dsn, database.Options{Migrate: true, ReplicaURL: replicaURL, Wrap: c.Wrap, WrapReplica: rc.Wrap})
	if err != nil {
		t.Fatalf("open with replica: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	pq := countingQuerier{db: db.SQL, c: c}
	return &Env{Backend: Postgres, DB: db, Statements: c, ReplicaStatements: rc, URL: dsn, PrimaryQuerier: pq,
		Querier: database.ReplicaQuerier(pq, countingQuerier{db: db.Replica, c: rc})}
}

// EmptyDatabase returns the DATABASE_URL of a fresh database of backend b with no tables (a
// SQLite file, or a PostgreSQL schema), removed when t ends.
func EmptyDatabase(t testing.TB, b Backend) string {
	t.Helper()
	switch b {
	case SQLite:
		return "file:" + filepath.Join(t.TempDir(), "test.db")
	case Postgres:
		return postgresSchema(t)
	}
	t.Fatalf("unknown backend %q", b)
	return ""
}

// Seeded is New with the embedded seed data loaded.
func Seeded(t testing.TB, b Backend) *Env {
	t.Helper()
	e := New(t, b)
	if _, err := seed.Load(context.Background(), e.DB.Client); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return e
}

// postgresSchema creates a schema for this test in the TEST_DATABASE_URL database and returns
// a URL whose connections use it; the schema is dropped when t ends.
func postgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Fatal("TEST_DATABASE_URL is not set")
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "cgtest_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("PostgreSQL at TEST_DATABASE_URL: create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// countingDriver counts statements, including those inside transactions.
type countingDriver struct {
	dialect.Driver
	c *Counter
}

func (d *countingDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.c.add(query)
	return d.Driver.Exec(ctx, query, args, v)
}

func (d *countingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.c.add(query)
	return d.Driver.Query(ctx, query, args, v)
}

func (d *countingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, c: d.c}, nil
}

// countingQuerier counts the raw statements domain packages run beside ent.
type countingQuerier struct {
	db *sql.DB
	c  *Counter
}

func (q countingQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q.c.add(query, args...)
	return q.db.QueryContext(ctx, query, args...)
}

type countingTx struct {
	dialect.Tx
	c *Counter
}

func (t *countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.c.add(query)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.c.add(query)
	return t.Tx.Query(ctx, query, args, v)
}

// Handler returns the production HTTP handler over the env's database, logging to the test,
// with production limits and fast (weak) password hashing.
func (e *Env) Handler(t testing.TB) http.Handler {
	t.Helper()
	return e.HandlerWith(t, nil)
}

// HandlerWith is Handler with options adjusted by adjust (limits, stores, allowlist, ...).
func (e *Env) HandlerWith(t testing.TB, adjust func(*httpserver.Options)) http.Handler {
	t.Helper()
	o := httpserver.Options{
		Client:        e.DB.Client,
		SQL:           e.Querier,
		Pool:          e.DB.SQL,
		Dialect:       e.DB.Dialect,
		Logger:        slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Ready:         e.DB.Ready,
		Introspection: true,
		Playground:    true,
		RateStore:     ratelimit.NewMemory(nil),
	}
	if adjust != nil {
		adjust(&o)
	}
	if o.Accounts == nil {
		o.Accounts = e.Accounts(o.RateStore)
	}
	return httpserver.New(o)
}

// Live starts live updates on the env's database as the server does (internal/live:
// LISTEN/NOTIFY on PostgreSQL, in process on SQLite), installs the hook on DB.Client, and
// returns the bus and a hub fed by it; both stop when t ends.
func (e *Env) Live(t testing.TB) (*live.Bus, *live.Hub) {
	t.Helper()
	bus := live.NewLocal(nil)
	if e.Backend == Postgres {
		var err error
		if bus, err = live.NewPostgres(context.Background(), e.DB.SQL, e.URL, true, nil); err != nil {
			t.Fatalf("live: %v", err)
		}
	}
	t.Cleanup(bus.Close)
	live.Install(e.DB.Client, bus)
	return bus, live.NewHub(e.DB.Client, bus, nil)
}

// Accounts returns an accounts service with auth.TestParams hashing.
func (e *Env) Accounts(limiter ratelimit.Store) *accounts.Service {
	h, err := auth.NewHasher(auth.TestParams)
	if err != nil {
		panic(err)
	}
	if limiter == nil {
		limiter = ratelimit.NewMemory(nil)
	}
	return &accounts.Service{Hasher: h, Limiter: limiter}
}

// TestPassword is the password of users made by User.
const TestPassword = "correct horse battery staple"

// User creates a user with role ("ADMIN" or "EDITOR") and password TestPassword, and returns
// its id and a session token for it.
func (e *Env) User(t testing.TB, email, role string) (id int, token string) {
	t.Helper()
	ctx := context.Background()
	acc := e.Accounts(nil)
	u, err := acc.CreateUser(ctx, e.DB.Client, email, "", TestPassword, user.Role(role))
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	s, err := acc.Login(ctx, e.DB.Client, e.DB.Client, email, TestPassword, "test")
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return u.ID, s.Token
}

// SignedIn makes a user as User does and returns a context carrying it as the viewer, with its
// session token's id and the request ids the HTTP layer would set ("test-request" and
// "client-request"), for tests of domain packages without HTTP.
func (e *Env) SignedIn(t testing.TB, email, role string) (context.Context, viewer.Viewer) {
	t.Helper()
	id, _ := e.User(t, email, role)
	tok, err := e.DB.Client.APIToken.Query().Where(apitoken.UserID(id)).First(context.Background())
	if err != nil {
		t.Fatalf("token of %s: %v", email, err)
	}
	v := viewer.Viewer{UserID: id, Role: role, TokenID: tok.ID, RequestID: "test-request", ClientRequestID: "client-request"}
	return viewer.With(context.Background(), v), v
}

// PostAs is Post with Authorization: Bearer token (none when token is "").
func PostAs(t testing.TB, h http.Handler, token, query string, vars map[string]any) *Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return Do(t, h, req)
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// Response is a GraphQL response as a client sees it.
type Response struct {
	Status     int
	Header     http.Header
	Data       json.RawMessage `json:"data"`
	Extensions map[string]any  `json:"extensions"`
	Errors     []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// Code returns the extensions.code of the first error, or "".
func (r *Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Post sends one GraphQL operation to h as a browser SPA would and decodes the answer.
func Post(t testing.TB, h http.Handler, query string, vars map[string]any) *Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	return Do(t, h, req)
}

// Do serves req and decodes a GraphQL response.
func Do(t testing.TB, h http.Handler, req *http.Request) *Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Body)
	r := &Response{Status: rec.Code, Header: rec.Header()}
	if err := json.Unmarshal(raw, r); err != nil {
		t.Fatalf("response is not JSON (status %d): %v\n%s", rec.Code, err, raw)
	}
	return r
}

// MustData fails the test on any error and decodes data into dst.
func (r *Response) MustData(t testing.TB, dst any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, dst); err != nil {
		t.Fatalf("decode data: %v\n%s", err, r.Data)
	}
}

// String is for failure messages.
func (r *Response) String() string {
	b, _ := json.Marshal(r)
	return fmt.Sprintf("status %d: %s", r.Status, b)
}

// Explain is PostgreSQL's plan of query with args, as EXPLAIN prints it (its lines joined).
func Explain(t testing.TB, db *sql.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "EXPLAIN "+query, args...)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatalf("explain: %v", err)
		}
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("explain: %v", err)
	}
	return strings.Join(plan, "\n")
}
