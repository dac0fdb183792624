package httpserver_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/faultproxy"
	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/seed"
	"github.com/careergraph/careergraph/internal/testenv"
)

func needPostgres(t *testing.T) {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		if os.Getenv(testenv.RequirePostgresEnv) == "1" {
			t.Fatal("TEST_DATABASE_URL is empty")
		}
		t.Skip("a read replica needs PostgreSQL: TEST_DATABASE_URL is not set")
	}
}

const rolePage = `query RolePage($slug: String!) { role(slug: $slug) { id slug title
	coreSkills { name } openings(first: 5, where: {status: LIVE}) { totalCount edges { node { id title } } } } }`

// indexRead reports whether a primary statement is one of the match index's reads, which
// stay on the primary by design (its catch-up must see every committed row).
func indexRead(s string) bool {
	return strings.Contains(s, "(updated_at, id) >") || strings.Contains(s, "opening_tombstones")
}

// TestReadReplica: with DATABASE_REPLICA_URL pointing at a read-only connection to the same
// schema, a GraphQL query reads the replica (only the match index's catch-up reads the
// primary); a mutation and the reads of its payload run on the primary, and so do the
// writer's own queries for the stickiness window, while other clients keep reading the
// replica. In one context, the reads after a write go to the primary.
func TestReadReplica(t *testing.T) {
	needPostgres(t)
	t.Parallel()
	env := testenv.NewWithReplica(t)
	ctx := context.Background()
	_, err := seed.Load(ctx, env.DB.Client)
	require.NoError(t, err)
	m := matching.New(env.DB.Client, env.PrimaryQuerier, env.DB.Dialect)
	require.NoError(t, m.Build(ctx))
	recent := database.NewRecent(time.Hour) // no timing in the test: the window outlasts it
	h := env.HandlerWith(t, func(o *httpserver.Options) { o.Matcher = m; o.Replica = recent })
	_, token := env.User(t, "editor@example.com", "EDITOR")

	reset := func() { env.Statements.Reset(); env.ReplicaStatements.Reset() }
	primaryBesidesIndex := func() []string {
		var out []string
		for _, s := range env.Statements.List() {
			if !indexRead(s) {
				out = append(out, s)
			}
		}
		return out
	}

	// An anonymous query: the replica.
	reset()
	var page struct {
		Role struct {
			ID    string
			Title string
		}
	}
	testenv.Post(t, h, rolePage, map[string]any{"slug": "backend-developer"}).MustData(t, &page)
	require.NotEmpty(t, page.Role.ID)
	assert.Positive(t, env.ReplicaStatements.Count(), "the query read the replica")
	assert.Empty(t, primaryBesidesIndex(), "nothing but the index catch-up read the primary")

	// A signed-in client's query: the token is checked on the primary (a revoked token is
	// refused at once), the query reads the replica.
	reset()
	testenv.PostAs(t, h, token, `{ roles(first: 3) { totalCount edges { node { slug title } } } }`, nil).MustData(t, &struct{}{})
	assert.Positive(t, env.ReplicaStatements.Count())
	for _, s := range primaryBesidesIndex() {
		assert.True(t, strings.Contains(s, `"api_tokens"`) || strings.Contains(s, `FROM "users"`),
			"only the token check (its token and user) reads the primary: %s", s)
	}

	// A mutation with a payload: all of it on the primary (the replica refuses writes, so a
	// write sent there would fail the mutation).
	reset()
	var upd struct {
		UpdateRole struct {
			Title      string
			CoreSkills []struct{ Name string }
		}
	}
	testenv.PostAs(t, h, token, `mutation($id: ID!) { updateRole(id: $id, input: {title: "Backend engineer"}) { title coreSkills { name } } }`,
		map[string]any{"id": page.Role.ID}).MustData(t, &upd)
	assert.Equal(t, "Backend engineer", upd.UpdateRole.Title)
	assert.NotEmpty(t, upd.UpdateRole.CoreSkills)
	assert.Zero(t, env.ReplicaStatements.Count(), "a mutation and its payload never touch the replica:\n%s", env.ReplicaStatements.Statements())
	assert.Positive(t, env.Statements.Count())

	// The writer's next query reads the primary (its own write, whatever the lag) ...
	reset()
	testenv.PostAs(t, h, token, rolePage, map[string]any{"slug": "backend-developer"}).MustData(t, &page)
	assert.Equal(t, "Backend engineer", page.Role.Title)
	assert.Zero(t, env.ReplicaStatements.Count(), "within the window the writer reads the primary")
	// ... while another client's still reads the replica.
	reset()
	testenv.Post(t, h, rolePage, map[string]any{"slug": "backend-developer"}).MustData(t, &page)
	assert.Positive(t, env.ReplicaStatements.Count())
	assert.Empty(t, primaryBesidesIndex())

	// Directly: in a context marked for the replica, a read goes there, a write goes to the
	// primary (it would fail on the read-only replica), and every read after it too.
	rctx := database.ReadFromReplica(ctx)
	reset()
	r, err := env.DB.Client.Role.Query().Where(role.Slug("backend-developer")).Only(rctx)
	require.NoError(t, err)
	assert.Equal(t, 1, env.ReplicaStatements.Count())
	require.NoError(t, env.DB.Client.Role.UpdateOne(r).SetSummary("Written in a query context.").Exec(rctx))
	assert.Equal(t, 1, env.ReplicaStatements.Count(), "the write went to the primary")
	got, err := env.DB.Client.Role.Get(rctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, "Written in a query context.", got.Summary)
	assert.Equal(t, 1, env.ReplicaStatements.Count(), "the read after the write went to the primary")
	assert.False(t, database.OnReplica(rctx))

	// And the replica really is read-only: a write forced there fails.
	_, err = env.DB.Replica.ExecContext(ctx, `UPDATE roles SET summary = 'x' WHERE id = $1`, r.ID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "read-only")
}

// TestReadyzReportsAnUnreachableReplica: the replica behind a proxy that goes down: /readyz
// answers 503 naming the replica (a load balancer stops routing queries to a server that
// would fail them); back up, ready again.
func TestReadyzReportsAnUnreachableReplica(t *testing.T) {
	needPostgres(t)
	t.Parallel()
	dsn := testenv.SchemaURL(t)
	u, err := url.Parse(testenv.ReadOnlyReplicaURL(t, dsn))
	require.NoError(t, err)
	p, err := faultproxy.Start("127.0.0.1:0", u.Host)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	u.Host = net.JoinHostPort("127.0.0.1", p.Port())
	env := testenv.NewWithReplicaAt(t, dsn, u.String())
	h := env.HandlerWith(t, func(o *httpserver.Options) { o.Replica = database.NewRecent(time.Second) })
	readyz := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return rec
	}
	require.Equal(t, http.StatusOK, readyz().Code)

	p.Down()
	rec := readyz()
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "database replica unreachable\n", rec.Body.String())
	var re *database.ReplicaUnreachableError
	assert.True(t, errors.As(env.DB.Ready(context.Background()), &re))

	require.NoError(t, p.Up())
	assert.Equal(t, http.StatusOK, readyz().Code)
}
