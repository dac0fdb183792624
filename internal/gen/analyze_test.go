package gen_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/gen"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestGenAnalyzesWhatItLoaded: after gen, the planner has statistics for the openings and
// their skills (pg_stats on PostgreSQL, sqlite_stat1 on SQLite), without waiting for
// autovacuum, which is switched off for these tables here.
func TestGenAnalyzesWhatItLoaded(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.New(t, b)
		ctx := context.Background()
		db := env.DB.SQL
		count := `SELECT count(*) FROM sqlite_stat1 WHERE tbl = $1`
		if b == testenv.Postgres {
			for _, tbl := range []string{"openings", "opening_skills"} {
				_, err := db.ExecContext(ctx, `ALTER TABLE `+tbl+` SET (autovacuum_enabled = false)`)
				require.NoError(t, err)
			}
			count = `SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = $1`
		}
		_, err := gen.Run(ctx, env.DB, gen.Options{Openings: 300, Seed: 3})
		require.NoError(t, err)
		for _, tbl := range []string{"openings", "opening_skills"} {
			var n int
			require.NoError(t, db.QueryRowContext(ctx, count, tbl).Scan(&n))
			assert.Positive(t, n, "statistics for %s", tbl)
		}
	})
}
