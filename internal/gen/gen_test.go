package gen_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/openingskill"
	"github.com/careergraph/careergraph/internal/gen"
	"github.com/careergraph/careergraph/internal/testenv"
)

func TestGenAddsDeterministicSampleOpenings(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.New(t, b)
		ctx := context.Background()
		c := env.DB.Client
		var progress bytes.Buffer
		res, err := gen.Run(ctx, env.DB, gen.Options{Openings: 1200, Seed: 7, Progress: &progress, ProgressEvery: 500})
		require.NoError(t, err)
		assert.Equal(t, 1200, res.Openings)
		assert.Contains(t, progress.String(), "1200/1200 openings")

		generated := c.Opening.Query().Where(opening.ExternalIDHasPrefix("gen-7-"))
		assert.Equal(t, 1200, generated.Clone().CountX(ctx))
		assert.Equal(t, 440+1200, c.Opening.Query().CountX(ctx), "the seed came first, into the empty database")
		assert.Zero(t, generated.Clone().Where(opening.SourceNEQ("sample")).CountX(ctx), "labelled sample data")
		statuses := map[opening.Status]int{}
		for _, o := range generated.Clone().WithSkills().AllX(ctx) {
			statuses[o.Status]++
			assert.Equal(t, len(o.Edges.Skills), o.SkillCount, o.ExternalID)
			assert.NotEmpty(t, o.SearchText, o.ExternalID)
		}
		assert.Greater(t, statuses[opening.StatusLIVE], 900)
		// A realistic share of the generated links are nice to have (the roles' extra
		// skills); the seed's openings ask for every skill as essential.
		links := c.OpeningSkill.Query().Where(openingskill.HasOpeningWith(opening.ExternalIDHasPrefix("gen-7-")))
		all, preferred := links.Clone().CountX(ctx), links.Clone().Where(openingskill.Essential(false)).CountX(ctx)
		t.Logf("%s: %d of %d generated skill links preferred (%.1f%%)", b, preferred, all, 100*float64(preferred)/float64(all))
		assert.InDelta(t, 0.25, float64(preferred)/float64(all), 0.15)
		assert.Zero(t, c.OpeningSkill.Query().Where(openingskill.Essential(false),
			openingskill.HasOpeningWith(opening.Source("seed-page"))).CountX(ctx)+
			c.OpeningSkill.Query().Where(openingskill.Essential(false),
				openingskill.HasOpeningWith(opening.Not(opening.ExternalIDHasPrefix("gen-")))).CountX(ctx), "the seed's links are essential")
		assert.Positive(t, statuses[opening.StatusCLOSED]+statuses[opening.StatusEXPIRED])

		// The same seed is refused; another adds more.
		_, err = gen.Run(ctx, env.DB, gen.Options{Openings: 10, Seed: 7})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "--seed")
		_, err = gen.Run(ctx, env.DB, gen.Options{Openings: 10, Seed: 8})
		require.NoError(t, err)

		// Generated openings are found by search like any other.
		var d struct {
			Openings struct {
				TotalCount int `json:"totalCount"`
			} `json:"openings"`
		}
		testenv.Post(t, env.Handler(t), `{ openings(search: "sample opening", first: 1) { totalCount } }`, nil).MustData(t, &d)
		assert.Equal(t, 440+1210, d.Openings.TotalCount, "every description says it is a sample opening")
	})
}

// TestGenIsDeterministic: the same seed gives the same openings in another database.
func TestGenIsDeterministic(t *testing.T) {
	ctx := context.Background()
	titles := func() string {
		env := testenv.New(t, testenv.SQLite)
		_, err := gen.Run(ctx, env.DB, gen.Options{Openings: 50, Seed: 3})
		require.NoError(t, err)
		var ts []string
		for _, o := range env.DB.Client.Opening.Query().Where(opening.ExternalIDHasPrefix("gen-3-")).Order(opening.ByExternalID()).AllX(ctx) {
			ts = append(ts, o.ExternalID+" "+o.Title+" "+string(o.Status))
		}
		return strings.Join(ts, "\n")
	}
	assert.Equal(t, titles(), titles())
}
