package matching_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/skill"
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

// TestIndexTakesNewSkillsAtOnce: skills created after the index was built count on the first
// read that sees them, whatever their number (the index numbers skills as it meets them).
func TestIndexTakesNewSkillsAtOnce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		c := env.DB.Client
		m := matching.New(c, env.DB.SQL, env.DB.Dialect)
		_, _, err := m.Demand(ctx, nil, nil) // build
		require.NoError(t, err)
		have := c.Skill.Query().CountX(ctx)
		// Enough new skills to need another 64-bit word per opening.
		n := 64 - have%64 + 2
		bs := make([]*ent.SkillCreate, n)
		for i := range bs {
			bs[i] = c.Skill.Create().SetSlug(fmt.Sprintf("new-skill-%d", i)).SetName(fmt.Sprintf("New skill %d", i)).SetCategory(skill.CategoryTOOL)
		}
		made := c.Skill.CreateBulk(bs...).SaveX(ctx)
		o := c.Opening.Query().Where(opening.StatusEQ(opening.StatusLIVE)).FirstX(ctx)
		last := made[len(made)-1]
		c.Opening.UpdateOne(o).AddSkills(made[0], last).ExecX(ctx)
		got, _, err := m.Demand(ctx, nil, nil)
		require.NoError(t, err)
		assert.Equal(t, 1, got[last.ID], "the newest skill is counted")
		assert.Equal(t, 1, got[made[0].ID])
		for _, s := range c.Opening.QuerySkills(o).AllX(ctx) {
			want := c.Opening.Query().Where(opening.StatusEQ(opening.StatusLIVE), opening.HasSkillsWith(skill.ID(s.ID))).CountX(ctx)
			assert.Equal(t, want, got[s.ID], "the opening's older skills survive the widening: %s", s.Name)
		}
	})
}

// TestRebuildPrunesOldTombstones: tombstones older than TombstonesKept go at a rebuild; newer
// ones stay for other servers' indexes to read.
func TestRebuildPrunesOldTombstones(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.New(t, b)
		ctx := context.Background()
		c := env.DB.Client
		c.OpeningTombstone.Create().SetOpeningID(1).SetDeletedAt(time.Now().Add(-matching.TombstonesKept - time.Minute)).ExecX(ctx)
		fresh := c.OpeningTombstone.Create().SetOpeningID(2).SaveX(ctx)
		m := matching.New(c, env.DB.SQL, env.DB.Dialect)
		_, _, err := m.Demand(ctx, nil, nil) // the first read builds the index
		require.NoError(t, err)
		left := c.OpeningTombstone.Query().IDsX(ctx)
		assert.Equal(t, []int{fresh.ID}, left)
	})
}
