package matching_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/skills"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestIndexFollowsTheDatabase: the index sees openings created, closed and reopened after it
// was built, and a background rebuild changes nothing about what it answers.
func TestIndexFollowsTheDatabase(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		c := env.DB.Client
		m := matching.New(c, env.DB.SQL, env.DB.Dialect)
		v, err := skills.Load(ctx, c)
		require.NoError(t, err)
		p := matching.Profile{Skills: []string{"Go", "Kafka"}, ExperienceYears: 3}
		live := func() int {
			page, err := m.Match(ctx, v, p, 1, nil)
			require.NoError(t, err)
			return page.TotalCount
		}
		before := live()
		want, err := c.Opening.Query().Where(opening.StatusEQ(opening.StatusLIVE)).Count(ctx)
		require.NoError(t, err)
		assert.Equal(t, want, before, "every live opening is in the index")

		o := c.Opening.Query().Where(opening.StatusEQ(opening.StatusLIVE)).FirstX(ctx)
		c.Opening.UpdateOne(o).SetStatus(opening.StatusCLOSED).ExecX(ctx)
		assert.Equal(t, before-1, live(), "a closed opening leaves at once")
		c.Opening.UpdateOne(o).SetStatus(opening.StatusLIVE).ExecX(ctx)
		assert.Equal(t, before, live(), "and comes back when reopened")

		// Age the index so the next read starts a background rebuild; reads go on meanwhile.
		m.AgeIndex(2 * matching.RebuildEvery)
		assert.Equal(t, before, live())
		require.Eventually(t, m.IndexRebuilt, 20*time.Second, 10*time.Millisecond, "the rebuild finishes")
		assert.Equal(t, before, live())
	})
}
