package matching_test

import (
	"context"
	stdsql "database/sql"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/skills"
	"github.com/careergraph/careergraph/internal/testenv"
)

// gated runs the index's statements on db, counting catch-up pages, and holds a rebuild's
// skill read while held is set, until release is closed.
type gated struct {
	db      matching.Querier
	held    atomic.Bool
	release chan struct{}
	pages   atomic.Int64
}

func (g *gated) QueryContext(ctx context.Context, q string, args ...any) (*stdsql.Rows, error) {
	if strings.Contains(q, "(updated_at, id) >") {
		g.pages.Add(1)
	}
	if strings.Contains(q, "GROUP BY opening_id") && g.held.Load() {
		<-g.release
	}
	return g.db.QueryContext(ctx, q, args...)
}

// closeAtOnce closes n live openings in one statement that gives them one updated_at, as a
// bulk write does.
func closeAtOnce(t *testing.T, env *testenv.Env, n int) {
	t.Helper()
	ph := "$1"
	if env.Backend != testenv.Postgres {
		ph = "?"
	}
	res, err := env.DB.SQL.ExecContext(context.Background(), `UPDATE openings SET status = 'CLOSED', updated_at = `+ph+`
		WHERE id IN (SELECT id FROM openings WHERE status = 'LIVE' ORDER BY id LIMIT `+strconv.Itoa(n)+`)`, time.Now())
	require.NoError(t, err)
	got, err := res.RowsAffected()
	require.NoError(t, err)
	require.EqualValues(t, n, got)
}

// settle dates every opening an hour back, so that a catch-up's safety margin holds only what
// the test changes next (the seed was written a moment ago).
func settle(t *testing.T, env *testenv.Env) {
	t.Helper()
	ph := "$1"
	if env.Backend != testenv.Postgres {
		ph = "?"
	}
	_, err := env.DB.SQL.ExecContext(context.Background(), `UPDATE openings SET updated_at = `+ph, time.Now().Add(-time.Hour))
	require.NoError(t, err)
}

// TestCatchUpReadsChangesInPages: changes that share one updated_at, more than a page of them,
// are read page after page in (updated_at, id) order, each once, with no rebuild; the index
// then answers as a fresh build does.
func TestCatchUpReadsChangesInPages(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		c := env.DB.Client
		g := &gated{db: env.DB.SQL, release: make(chan struct{})}
		settle(t, env)
		m := matching.New(c, g, env.DB.Dialect)
		m.CatchUpInPages(50, 400)
		require.NoError(t, m.Build(ctx))
		_, builtAt, _ := m.IndexStats()

		closeAtOnce(t, env, 180)
		g.pages.Store(0)
		require.NoError(t, m.Build(ctx)) // a read's catch-up
		assert.Equal(t, int64(4), g.pages.Load(), "180 changes in pages of 50")
		_, after, _ := m.IndexStats()
		assert.Equal(t, builtAt, after, "no rebuild")

		fresh := matching.New(c, env.DB.SQL, env.DB.Dialect)
		require.NoError(t, fresh.Build(ctx))
		assert.Equal(t, fresh.Seen(), m.Seen())
	})
}

// TestBulkChangesRebuildBeside: a catch-up that finds more changes than a bulk leaves them to a
// rebuild in the background; reads do not wait for it (the test holds the rebuild) and answer
// from the index as it was, without paging through the load again; once the rebuild is done
// the index answers as a fresh build does.
func TestBulkChangesRebuildBeside(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		c := env.DB.Client
		v, err := skills.Load(ctx, c)
		require.NoError(t, err)
		g := &gated{db: env.DB.SQL, release: make(chan struct{})}
		settle(t, env)
		m := matching.New(c, g, env.DB.Dialect)
		m.CatchUpInPages(50, 100)
		p := matching.Profile{Skills: []string{"Go", "Kafka"}, ExperienceYears: 3}
		count := func() int {
			page, err := m.Match(ctx, v, p, 1, nil)
			require.NoError(t, err)
			return page.TotalCount
		}
		before := count()

		closeAtOnce(t, env, 180)
		g.held.Store(true)
		done := make(chan int)
		go func() { done <- count() }()
		select {
		case n := <-done:
			assert.Equal(t, before, n, "the read answers from the index as it was")
		case <-time.After(20 * time.Second):
			t.Fatal("the read waited for the rebuild")
		}
		assert.True(t, m.Rebuilding(), "the rebuild runs, held")
		g.pages.Store(0)
		assert.Equal(t, before, count())
		assert.Zero(t, g.pages.Load(), "a read meanwhile does not page through the load again")

		close(g.release)
		require.Eventually(t, func() bool { return !m.Rebuilding() }, 20*time.Second, 5*time.Millisecond)
		assert.Equal(t, before-180, count(), "the rebuild took over")
		fresh := matching.New(c, env.DB.SQL, env.DB.Dialect)
		require.NoError(t, fresh.Build(ctx))
		assert.Equal(t, fresh.Seen(), m.Seen())
	})
}
