package matching_test

import (
	"context"
	"testing"

	"entgo.io/contrib/entgql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/skills"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestScanParts: the entries are split into one range a core, none under the minimum, every
// entry in exactly one.
func TestScanParts(t *testing.T) {
	assert.Equal(t, [][2]int{{0, 10}}, matching.ScanParts(10, 65536, 2), "a small index is one part")
	assert.Equal(t, [][2]int{{0, 0}}, matching.ScanParts(0, 65536, 2))
	assert.Equal(t, [][2]int{{0, 500220}, {500220, 1000440}}, matching.ScanParts(1000440, 65536, 2), "a million on two cores: halves")
	assert.Len(t, matching.ScanParts(100000, 65536, 8), 1, "no part under the minimum")
	for _, n := range []int{1, 2, 7, 100, 1000003} {
		parts := matching.ScanParts(n, 1, 4)
		require.NotEmpty(t, parts)
		assert.Equal(t, 0, parts[0][0])
		assert.Equal(t, n, parts[len(parts)-1][1])
		for i := 1; i < len(parts); i++ {
			assert.Equal(t, parts[i-1][1], parts[i][0], "n=%d: contiguous", n)
		}
	}
}

// TestScoringInPartsRanksAsOneLoop: scored in parts of a few entries each (as a million
// openings are, one part a core), every page of a match is the one a single loop gives: the
// same openings, scores and cursors, in the same order.
func TestScoringInPartsRanksAsOneLoop(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		c := env.DB.Client
		v, err := skills.Load(ctx, c)
		require.NoError(t, err)
		one := matching.New(c, env.DB.SQL, env.DB.Dialect)
		parts := matching.New(c, env.DB.SQL, env.DB.Dialect)
		parts.ScoreInParts(3, 4)
		pages := func(m *matching.Matcher, p matching.Profile) (out []entgql.Cursor[int], total int) {
			var after *entgql.Cursor[int]
			for range 1000 {
				page, err := m.Match(ctx, v, p, 7, after)
				require.NoError(t, err)
				total = page.TotalCount
				for _, r := range page.Results {
					out = append(out, r.Cursor)
				}
				if !page.HasNextPage {
					return out, total
				}
				after = &page.Results[len(page.Results)-1].Cursor
			}
			t.Fatal("more than 1,000 pages")
			return nil, 0
		}
		for _, p := range []matching.Profile{
			{Skills: []string{"Go", "PostgreSQL", "Docker"}, ExperienceYears: 3, City: ptr("Bengaluru")},
			{Skills: []string{"Java"}, ExperienceYears: 0},
		} {
			want, wantTotal := pages(one, p)
			require.Greater(t, len(want), 14, "precondition: several pages")
			got, total := pages(parts, p)
			assert.Equal(t, want, got, "%v", p.Skills)
			assert.Equal(t, wantTotal, total)
		}
	})
}

func ptr[T any](v T) *T { return &v }
