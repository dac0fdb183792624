package matching_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/skills"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestCatchUpUsesTheIndexWithoutStatistics: right after a bulk load, before any ANALYZE, the
// match index's catch-up statement (the one every match runs) is planned as a scan of the
// b-tree on updated_at, not a sequential scan of the table. The statement is taken from the
// statement counter, as the index ran it, and explained on PostgreSQL over a table of 22,000
// openings that has never been analysed (autovacuum off for it).
func TestCatchUpUsesTheIndexWithoutStatistics(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		db := env.DB.SQL
		if b == testenv.Postgres {
			_, err := db.ExecContext(ctx, `ALTER TABLE openings SET (autovacuum_enabled = false)`)
			require.NoError(t, err)
			// A bulk load: every seed opening 50 times over, by plain INSERT … SELECT.
			_, err = db.ExecContext(ctx, `INSERT INTO openings (created_at, updated_at, source, external_id, title,
				description, role_id, company_id, location_id, work_mode, employment_type, experience_min_years,
				experience_max_years, salary_min, salary_max, salary_currency, salary_period, posted_at,
				valid_through, status, skill_count, search_text)
				SELECT created_at, updated_at, 'bulk', external_id || '-' || g, title, description, role_id,
				company_id, location_id, work_mode, employment_type, experience_min_years, experience_max_years,
				salary_min, salary_max, salary_currency, salary_period, posted_at, valid_through, status,
				skill_count, search_text FROM openings, generate_series(1, 50) AS g`)
			require.NoError(t, err)
			var stats int
			require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stats
				WHERE schemaname = current_schema() AND tablename = 'openings'`).Scan(&stats))
			require.Zero(t, stats, "precondition: the table has no statistics")
		}
		m := matching.New(env.DB.Client, env.Querier, env.DB.Dialect)
		v, err := skills.Load(ctx, env.DB.Client)
		require.NoError(t, err)
		p := matching.Profile{Skills: []string{"Go"}, ExperienceYears: 3}
		_, err = m.Match(ctx, v, p, 5, nil) // builds the index
		require.NoError(t, err)
		env.Statements.Reset()
		_, err = m.Match(ctx, v, p, 5, nil) // catches up
		require.NoError(t, err)
		var catchUp string
		for _, s := range env.Statements.List() {
			if strings.Contains(s, "(updated_at, id) >") && catchUp == "" {
				catchUp = s // the first page's, which reads the tombstones too
			}
		}
		require.NotEmpty(t, catchUp, "the counter saw the catch-up statement:\n%s", env.Statements.Statements())
		if b != testenv.Postgres {
			return
		}
		plan := testenv.Explain(t, db, catchUp, time.Now(), 0, time.Now())
		// An index scan that stops at the limit: the plan that costs nothing when nothing
		// changed, whatever the table's size. (Without the order and limit, this table gets a
		// bitmap scan over a third of it, and a million-row one a sequential scan.)
		// (The same statement reads the tombstones, a small table of its own.)
		assert.Contains(t, plan, "Index Scan using opening_updated_at_id", plan)
		assert.NotContains(t, plan, "Seq Scan on openings", plan)
		assert.NotContains(t, plan, "Bitmap Heap Scan on openings", plan)
	})
}
