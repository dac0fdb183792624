package expiry_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/expiry"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestSweepReadsItsIndex: the sweep expires what is stale (past validThrough, or without one
// and posted before the default validity; never sample openings) and, on PostgreSQL, finds it
// through the partial index on (valid_through, posted_at) rather than a sequential scan. The
// table holds 22,000 live imported openings, analysed, none of them stale but three: what a
// sweep meets five minutes after the last one. The statement explained is the UPDATE the sweep
// ran, taken from the statement counter (in the server, the live-updates hook's SELECT of the
// ids the UPDATE changes has the same condition).
func TestSweepReadsItsIndex(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		db, c := env.DB.SQL, env.DB.Client
		now := time.Now().UTC().Truncate(time.Second)
		const validity = 60 * 24 * time.Hour
		// Every seed opening 50 times over as an imported one, fresh: posted now, valid for a month.
		_, err := db.ExecContext(ctx, `INSERT INTO openings (created_at, updated_at, source, external_id, title,
			description, role_id, company_id, location_id, work_mode, employment_type, experience_min_years,
			experience_max_years, salary_min, salary_max, salary_currency, salary_period, posted_at,
			valid_through, status, skill_count, search_text)
			SELECT o.created_at, o.updated_at, 'feed', o.external_id || '-' || g.n, o.title, o.description, o.role_id,
			o.company_id, o.location_id, o.work_mode, o.employment_type, o.experience_min_years, o.experience_max_years,
			o.salary_min, o.salary_max, o.salary_currency, o.salary_period, `+ph(b, 1)+`, `+ph(b, 2)+`, 'LIVE',
			o.skill_count, o.search_text FROM openings o, (`+series(b)+`) AS g`, now, now.AddDate(0, 1, 0))
		require.NoError(t, err)
		// Three stale ones and a sample one that would be.
		feed := c.Opening.Query().Where(opening.Source("feed")).Limit(3).AllX(ctx)
		require.Len(t, feed, 3)
		c.Opening.UpdateOne(feed[0]).SetValidThrough(now.Add(-time.Hour)).ExecX(ctx)
		c.Opening.UpdateOne(feed[1]).ClearValidThrough().SetPostedAt(now.Add(-validity - time.Hour)).ExecX(ctx)
		c.Opening.UpdateOne(feed[2]).ClearValidThrough().SetPostedAt(now.Add(-validity + time.Hour)).ExecX(ctx) // not yet
		sample := c.Opening.Query().Where(opening.Source(expiry.SampleSource), opening.StatusEQ(opening.StatusLIVE)).FirstX(ctx)
		c.Opening.UpdateOne(sample).SetValidThrough(now.Add(-time.Hour)).ExecX(ctx)
		if b == testenv.Postgres {
			_, err = db.ExecContext(ctx, `ANALYZE openings`)
			require.NoError(t, err)
		}

		env.Statements.Reset()
		n, err := expiry.Sweep(ctx, c, now, validity)
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		for i, want := range []opening.Status{opening.StatusEXPIRED, opening.StatusEXPIRED, opening.StatusLIVE} {
			assert.Equal(t, want, c.Opening.GetX(ctx, feed[i].ID).Status, "opening %d", i)
		}
		assert.Equal(t, opening.StatusLIVE, c.Opening.GetX(ctx, sample.ID).Status, "sample openings are never swept")

		if b != testenv.Postgres {
			return
		}
		var update string
		for _, s := range env.Statements.List() {
			if strings.HasPrefix(s, `UPDATE "openings" SET "updated_at" = $1, "status" = $2, "version" =`) && strings.Contains(s, `"valid_through" < $6`) {
				update = s
			}
		}
		require.NotEmpty(t, update, "the counter saw the sweep's statement:\n%s", env.Statements.Statements())
		text := testenv.Explain(t, db, update, now, string(opening.StatusEXPIRED), 1,
			string(opening.StatusLIVE), expiry.SampleSource, now, now.Add(-validity))
		assert.Contains(t, text, "opening_valid_through_posted_at", "the sweep reads the partial index:\n%s\n%s", update, text)
		assert.NotContains(t, text, "Seq Scan on openings", text)
	})
}

func ph(b testenv.Backend, n int) string {
	if b == testenv.Postgres {
		return "$" + string(rune('0'+n))
	}
	return "?"
}

func series(b testenv.Backend) string {
	if b == testenv.Postgres {
		return "SELECT generate_series(1, 50) AS n"
	}
	return "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 50) SELECT n FROM s"
}
