package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/openingskill"
	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/importer"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestCopyPathSyncsFlagsAndAnnounces runs the importer as the jobs and the CLI do (Options.SQL
// and TxClient: COPY for new openings on PostgreSQL): the sync rules hold as on the ent path,
// the links COPY writes get their essential/preferred flags, and Written is told, after each
// commit, exactly the openings created and updated there (on SQLite, where the client's hooks
// announce them, it is never called).
func TestCopyPathSyncsFlagsAndAnnounces(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		env := testenv.Seeded(t, b)
		c := env.DB.Client
		var mu sync.Mutex
		var created, updated []int
		opts := importer.Options{Full: true, SQL: env.DB.SQL, Dialect: env.DB.Dialect, TxClient: database.ClientOnTx,
			Written: func(_ context.Context, cr, up []int) {
				mu.Lock()
				defer mu.Unlock()
				created, updated = append(created, cr...), append(updated, up...)
			}}
		dir := t.TempDir()
		feed, err := os.ReadFile("testdata/array.json")
		require.NoError(t, err)
		write := func(s string) string {
			p := filepath.Join(dir, "feed.json")
			require.NoError(t, os.WriteFile(p, []byte(s), 0o600))
			return p
		}
		ids := func() []int {
			out := c.Opening.Query().Where(opening.Source("import:test-feed")).IDsX(ctx)
			slices.Sort(out)
			return out
		}

		first := run(t, c, opts, write(string(feed)))
		assert.Equal(t, 3, first.Created, first.Rejects)
		if b == testenv.Postgres {
			// A run that created openings analyses the tables it filled (Finish), so that the
			// next run's lookups by external id are planned on statistics that know them.
			assert.Eventually(t, func() bool {
				var n int
				require.NoError(t, env.DB.SQL.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_user_tables
					WHERE relid IN ('openings'::regclass, 'opening_skills'::regclass) AND last_analyze IS NOT NULL`).Scan(&n))
				return n == 2
			}, 5*time.Second, 50*time.Millisecond, "ANALYZE openings, opening_skills after the import")
			// COPY sends each opening's search vector (search.Vector): it is the one the
			// database's trigger computes from the same row (asked for here by setting the
			// vector to NULL, in a transaction rolled back).
			tx, err := env.DB.SQL.BeginTx(ctx, nil)
			require.NoError(t, err)
			defer func() { _ = tx.Rollback() }()
			_, err = tx.ExecContext(ctx, `CREATE TEMP TABLE sent ON COMMIT DROP AS
				SELECT id, search_vector FROM openings WHERE source = 'import:test-feed'`)
			require.NoError(t, err)
			_, err = tx.ExecContext(ctx, `UPDATE openings SET search_vector = NULL WHERE source = 'import:test-feed'`)
			require.NoError(t, err)
			var n, differ, blocks int
			require.NoError(t, tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE o.search_vector IS DISTINCT FROM s.search_vector),
				count(*) FILTER (WHERE s.search_vector @@ to_tsquery('simple', 'zzcgblk' || (o.id >> 17)))
				FROM openings o JOIN sent s ON s.id = o.id`).Scan(&n, &differ, &blocks))
			assert.Equal(t, []int{3, 0, 3}, []int{n, differ, blocks},
				"imported openings, those whose vector differs from the trigger's, and those whose vector has their block's token")
			require.NoError(t, tx.Rollback())
		}
		fe := byExt(t, c, "FE-77")
		assert.Equal(t, len(fe.Edges.Skills), fe.SkillCount, "links written with the opening")
		assert.NotEmpty(t, fe.Edges.Skills)
		essential := c.OpeningSkill.Query().Where(openingskill.OpeningID(fe.ID), openingskill.Essential(true)).CountX(ctx)
		assert.Positive(t, essential, "COPY'd links are essential unless the posting says otherwise")

		again := run(t, c, opts, write(string(feed)))
		assert.Equal(t, []int{0, 0, 3}, []int{again.Created, again.Updated, again.Unchanged})

		changed := strings.Replace(string(feed), "Jest and Cypress", "Jest, Cypress and Playwright", 1)
		up := run(t, c, opts, write(changed))
		assert.Equal(t, []int{0, 1, 2}, []int{up.Created, up.Updated, up.Unchanged})
		assert.Contains(t, slugs(byExt(t, c, "FE-77").Edges.Skills), "playwright")
		assert.Len(t, ids(), 3, "never a duplicate")

		mu.Lock()
		defer mu.Unlock()
		if b == testenv.Postgres {
			slices.Sort(created)
			assert.Equal(t, ids(), created, "every opening COPY created was announced, once")
			assert.Equal(t, []int{fe.ID}, updated, "the changed posting was announced as updated")
		} else {
			assert.Empty(t, created, "SQLite writes through the client, whose hooks announce")
			assert.Empty(t, updated)
		}
	})
}
