package graph_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/gen"
	"github.com/careergraph/careergraph/internal/search"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestTotalCountIsExactSaysWhenTheTotalIsEstimated: a search matching more than
// search.Candidates openings pages through the newest search.Candidates only; on PostgreSQL
// its totalCount is then an estimate and totalCountIsExact says so; SQLite counts. Lists
// without a search are always exact.
func TestTotalCountIsExactSaysWhenTheTotalIsEstimated(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		_, err := gen.Run(context.Background(), env.DB, gen.Options{Openings: 700, Seed: 5})
		require.NoError(t, err)
		h := env.Handler(t)
		var d struct {
			Broad, Narrow, Plain struct {
				TotalCount        int  `json:"totalCount"`
				TotalCountIsExact bool `json:"totalCountIsExact"`
				PageInfo          struct {
					HasNextPage bool `json:"hasNextPage"`
				} `json:"pageInfo"`
			}
		}
		// Every generated opening says it is a sample opening: 1,140 matches with the seed's.
		testenv.Post(t, h, `{
			broad: openings(search: "sample opening", first: 5) { totalCount totalCountIsExact pageInfo { hasNextPage } edges { cursor } }
			narrow: openings(search: "golang kubernetes", first: 5) { totalCount totalCountIsExact }
			plain: openings(first: 5) { totalCount totalCountIsExact } }`, nil).MustData(t, &d)
		require.Greater(t, 440+700, search.Candidates, "precondition: more matches than candidates")
		if b == testenv.Postgres {
			assert.False(t, d.Broad.TotalCountIsExact)
			assert.Greater(t, d.Broad.TotalCount, search.Candidates)
		} else {
			assert.True(t, d.Broad.TotalCountIsExact)
			assert.Equal(t, 440+700, d.Broad.TotalCount)
		}
		assert.True(t, d.Broad.PageInfo.HasNextPage)
		assert.True(t, d.Narrow.TotalCountIsExact)
		assert.Positive(t, d.Narrow.TotalCount)
		assert.True(t, d.Plain.TotalCountIsExact)
		assert.Equal(t, 440+700, d.Plain.TotalCount)
	})
}
