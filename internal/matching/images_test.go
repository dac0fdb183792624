package matching_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/matchimage"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/skills"
	"github.com/careergraph/careergraph/internal/testenv"
)

// change makes the changes a catch-up from an image must see: a live opening closed, a new
// one created (with the skills of another), and one deleted. It returns the new and the
// closed opening.
func change(t *testing.T, c *ent.Client) (made, closed *ent.Opening) {
	t.Helper()
	ctx := context.Background()
	live := c.Opening.Query().Where(opening.StatusEQ(opening.StatusLIVE)).Order(ent.Asc(opening.FieldID)).WithSkills().AllX(ctx)
	require.Greater(t, len(live), 3)
	closed, src := live[0], live[1]
	c.Opening.UpdateOne(closed).SetStatus(opening.StatusCLOSED).ExecX(ctx)
	made = c.Opening.Create().SetSource("test").SetExternalID("image-" + t.Name()).SetTitle(src.Title).
		SetCompanyID(src.CompanyID).SetNillableRoleID(src.RoleID).SetNillableLocationID(src.LocationID).
		SetWorkMode(opening.WorkModeREMOTE).SetPostedAt(time.Now()).SetSalaryMin(1_200_000).SetSalaryMax(1_800_000).
		SetSalaryCurrency("INR").SetSalaryPeriod(opening.SalaryPeriodYEAR).AddSkills(src.Edges.Skills...).SaveX(ctx)
	c.Opening.DeleteOneID(live[2].ID).ExecX(ctx)
	return made, closed
}

// TestImageRoundTrip: an index written as an image and read back has the same live openings,
// field for field and skill for skill, and the same watermark; that includes an opening a
// catch-up appended and one it closed. The index it was written from answers as a fresh
// build does.
func TestImageRoundTrip(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		c := env.DB.Client
		x := matching.New(c, env.DB.SQL, env.DB.Dialect)
		require.NoError(t, x.Build(ctx))
		made, closed := change(t, c)
		require.NoError(t, x.Build(ctx)) // a catch-up
		before := x.Seen()
		require.Contains(t, before, int64(made.ID), "the catch-up appended the new opening")
		require.NotContains(t, before, int64(closed.ID), "and dropped the closed one")
		require.NotEmpty(t, before[int64(made.ID)].Skills())

		y := matching.New(c, env.DB.SQL, env.DB.Dialect)
		require.NoError(t, x.CopyThroughImage(y))
		assert.Equal(t, before, y.Seen())
		assert.Equal(t, x.Watermark().UnixNano(), y.Watermark().UnixNano())

		fresh := matching.New(c, env.DB.SQL, env.DB.Dialect)
		require.NoError(t, fresh.Build(ctx))
		assert.Equal(t, fresh.Seen(), before)
	})
}

// TestStoringKeepsOneRecentImage: a store writes an image when none is recent, skips when the
// newest is younger than ImageEvery, and a later one replaces the older image in the same
// transaction; an image spans as many parts as it needs, and reads back whole.
func TestStoringKeepsOneRecentImage(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		x := matching.New(env.DB.Client, env.DB.SQL, env.DB.Dialect)
		require.NoError(t, x.Build(ctx))
		generations := func() (gens []int64, parts int) {
			rows := env.DB.Client.MatchImage.Query().Order(ent.Asc(matchimage.FieldPart)).AllX(ctx)
			for _, r := range rows {
				if !slices.Contains(gens, r.Generation) {
					gens = append(gens, r.Generation)
				}
			}
			return gens, len(rows)
		}
		require.NoError(t, x.StoreImage(ctx))
		first, parts := generations()
		require.Equal(t, []int64{x.Watermark().UnixNano()}, first)
		assert.Equal(t, 1, parts, "a small index fits one part")

		x.MoveWatermark(matching.ImageEvery - time.Second)
		require.NoError(t, x.StoreImage(ctx))
		again, _ := generations()
		assert.Equal(t, first, again, "the stored image is recent: no other is written")

		x.MoveWatermark(2 * time.Second)
		x.SetImagePartSize(100)
		require.NoError(t, x.StoreImage(ctx))
		later, parts := generations()
		assert.Equal(t, []int64{x.Watermark().UnixNano()}, later, "the newer image replaced the older")
		assert.Greater(t, parts, 2, "in parts of 100 bytes")

		y := matching.New(env.DB.Client, env.DB.SQL, env.DB.Dialect)
		ok, err := y.LoadImage(ctx)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, x.Seen(), y.Seen())
	})
}

// answers is what a matcher answers: the best 100 matches for two profiles (each opening with
// its score, its score's parts and its matched and missing skills), their totals, and skill
// demand.
func answers(t *testing.T, m *matching.Matcher, v *skills.Vocabulary) []any {
	t.Helper()
	ctx := context.Background()
	var out []any
	for _, p := range []matching.Profile{
		{Skills: []string{"Go", "Kafka"}, ExperienceYears: 3},
		{Skills: []string{"Java", "Spring Boot", "SQL"}, ExperienceYears: 1},
	} {
		page, err := m.Match(ctx, v, p, 100, nil)
		require.NoError(t, err)
		out = append(out, page.TotalCount)
		for _, r := range page.Results {
			var matched, missing []int
			for _, s := range r.MatchedSkills {
				matched = append(matched, s.ID)
			}
			for _, s := range r.MissingSkills {
				missing = append(missing, s.ID)
			}
			out = append(out, []any{r.Opening.ID, r.FitScore, r.Breakdown, matched, missing})
		}
	}
	demand, live, err := m.Demand(ctx, nil, nil)
	require.NoError(t, err)
	return append(out, demand, live)
}

// TestReplicaStartsFromAnImage: a replica that keeps images stores one after its first build;
// another that starts later reads it instead of the tables (none of the build's statements
// run), catches up on what changed since (a closed, a new and a deleted opening), and then
// answers exactly as a replica that built from the tables.
func TestReplicaStartsFromAnImage(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		c := env.DB.Client
		v, err := skills.Load(ctx, c)
		require.NoError(t, err)
		first := matching.New(c, env.DB.SQL, env.DB.Dialect)
		first.KeepImages(func(err error) { t.Errorf("storing: %v", err) })
		require.NoError(t, first.Build(ctx))
		first.WaitImageStored()
		require.True(t, c.MatchImage.Query().ExistX(ctx), "the first build stores an image")
		assert.False(t, first.FromImage())

		made, closed := change(t, c)

		env.Statements.Reset()
		later := matching.New(c, env.Querier, env.DB.Dialect)
		later.KeepImages(nil)
		require.NoError(t, later.Build(ctx))
		require.True(t, later.Ready())
		assert.True(t, later.FromImage())
		for _, s := range env.Statements.List() {
			assert.NotContains(t, s, "GROUP BY opening_id", "the build's skill read does not run")
			assert.NotContains(t, s, "count(*) FROM openings", "nor its count")
		}
		seen := later.Seen()
		assert.Contains(t, seen, int64(made.ID))
		assert.NotContains(t, seen, int64(closed.ID))

		built := matching.New(c, env.DB.SQL, env.DB.Dialect)
		require.NoError(t, built.Build(ctx))
		assert.Equal(t, built.Seen(), seen)
		assert.Equal(t, answers(t, built, v), answers(t, later, v))
	})
}

// TestUnusableImagesAreNotUsed: a replica builds from the tables, and answers as one that
// always did, when the newest image is too old (deletes since may have lost their
// tombstones), damaged, missing a part, or of another format.
func TestUnusableImagesAreNotUsed(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		c := env.DB.Client
		v, err := skills.Load(ctx, c)
		require.NoError(t, err)
		built := matching.New(c, env.DB.SQL, env.DB.Dialect)
		require.NoError(t, built.Build(ctx))
		want := answers(t, built, v)
		for _, how := range []struct {
			name, sql string
			reported  bool // the replica reports an image it could not read; none is no news
		}{
			{"too old", `UPDATE match_images SET generation = generation - ` + nanos(matching.ImageMaxAge+time.Minute), false},
			{"damaged", `UPDATE match_images SET data = data || data WHERE part = 0`, true},
			{"a part missing", `DELETE FROM match_images WHERE part = 1`, true},
			{"parts miscounted", `UPDATE match_images SET parts = parts + 1`, true},
			{"another format", `UPDATE match_images SET format = format + 1`, false},
		} {
			_, err := env.DB.SQL.ExecContext(ctx, `DELETE FROM match_images`)
			require.NoError(t, err)
			built.SetImagePartSize(200)
			require.NoError(t, built.StoreImage(ctx))
			_, err = env.DB.SQL.ExecContext(ctx, how.sql)
			require.NoError(t, err, how.name)

			later := matching.New(c, env.DB.SQL, env.DB.Dialect)
			reports := keepImages(later)
			require.NoError(t, later.Build(ctx), how.name)
			later.WaitImageStored() // the image its build stores goes before the next case's
			reported := reports()
			assert.False(t, later.FromImage(), how.name)
			if how.reported {
				require.Len(t, reported, 1, how.name)
				assert.ErrorContains(t, reported[0], "match index image: unreadable", how.name)
			} else {
				assert.Empty(t, reported, how.name)
			}
			assert.Equal(t, want, answers(t, later, v), how.name)
		}
	})
}

// nanos is d in nanoseconds, as SQL text.
func nanos(d time.Duration) string { return strconv.FormatInt(int64(d), 10) }

// TestStoringFailsQuietly: a replica whose image cannot be stored (here its table is gone)
// builds its index, becomes ready and matches, and reports the failure; nothing else fails.
func TestStoringFailsQuietly(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		_, err := env.DB.SQL.ExecContext(ctx, `DROP TABLE match_images`)
		require.NoError(t, err)
		m := matching.New(env.DB.Client, env.DB.SQL, env.DB.Dialect)
		reports := keepImages(m)
		require.NoError(t, m.Build(ctx), "no stored image to read is no reason to fail")
		m.WaitImageStored()
		reported := reports()
		assert.True(t, m.Ready())
		require.NotEmpty(t, reported)
		for _, err := range reported {
			assert.ErrorContains(t, err, "match index image")
		}
		v, err := skills.Load(ctx, env.DB.Client)
		require.NoError(t, err)
		page, err := m.Match(ctx, v, matching.Profile{Skills: []string{"Go"}, ExperienceYears: 3}, 1, nil)
		require.NoError(t, err, "it serves")
		assert.Positive(t, page.TotalCount)
	})
}

// keepImages makes m keep images, and returns what it has reported so far.
func keepImages(m *matching.Matcher) (reported func() []error) {
	var mu sync.Mutex
	var errs []error
	m.KeepImages(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	})
	return func() []error {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(errs)
	}
}
