package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/testenv"
	"github.com/careergraph/careergraph/internal/trends"
)

// TestTrends takes two daily snapshots of the known market around a change and reads them
// back as series. Backend's live openings on day 1: A, B, C, F, H (5); paying: A 2.5M
// (Bengaluru), C 3.75M (Bengaluru), F 1.5M (remote). On day 3, A is closed.
func TestTrends(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := newMarket(t, b)
		ctx := context.Background()
		c := m.env.DB.Client
		day1 := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC) // a Monday
		day3 := day1.AddDate(0, 0, 2)

		taken, err := trends.Taken(ctx, c, day1)
		require.NoError(t, err)
		assert.False(t, taken)
		n1, err := trends.Snapshot(ctx, c, day1)
		require.NoError(t, err)
		require.Greater(t, n1, 0)
		taken, err = trends.Taken(ctx, c, day1)
		require.NoError(t, err)
		assert.True(t, taken)
		again, err := trends.Snapshot(ctx, c, day1)
		require.NoError(t, err)
		assert.Equal(t, n1, again)
		assert.Equal(t, n1, c.TrendSnapshot.Query().CountX(ctx), "a second snapshot of the day overwrites, not duplicates")

		c.Opening.Update().Where(opening.ExternalID("A")).SetStatus(opening.StatusCLOSED).ExecX(ctx)
		_, err = trends.Snapshot(ctx, c, day3)
		require.NoError(t, err)

		type point struct {
			Day          time.Time `json:"day"`
			LiveOpenings int       `json:"liveOpenings"`
			MedianPay    *int      `json:"medianPay"`
			Currency     *string   `json:"currency"`
			PayCount     int       `json:"payCount"`
		}
		var d struct {
			Role []point `json:"role"`
			City []point `json:"city"`
			Week []point `json:"week"`
			Go   []struct {
				Day      time.Time `json:"day"`
				Openings int       `json:"openings"`
				Share    float64   `json:"share"`
			} `json:"go"`
		}
		const sel = `{ day liveOpenings medianPay currency payCount }`
		testenv.Post(t, m.h, `query($from: Time!, $to: Time!) {
			role: salaryTrend(role: "backend", over: {from: $from, to: $to}) `+sel+`
			city: salaryTrend(role: "backend", city: "Bengaluru", over: {from: $from, to: $to}) `+sel+`
			week: salaryTrend(role: "backend", over: {from: $from, to: $to, interval: WEEK}) `+sel+`
			go: skillDemandTrend(skill: "Go", role: "backend", over: {from: $from, to: $to}) { day openings share }
		}`, map[string]any{"from": day1.Add(-48 * time.Hour), "to": day3.Add(48 * time.Hour)}).MustData(t, &d)

		require.Len(t, d.Role, 2, "one point per snapshot day; day 2 has none")
		assert.True(t, d.Role[0].Day.Equal(trends.Day(day1)))
		assert.Equal(t, 5, d.Role[0].LiveOpenings)
		require.NotNil(t, d.Role[0].MedianPay)
		assert.Equal(t, 2500000, *d.Role[0].MedianPay, "median of 1.5M, 2.5M, 3.75M")
		assert.Equal(t, "INR", *d.Role[0].Currency)
		assert.Equal(t, 3, d.Role[0].PayCount)
		assert.Equal(t, 4, d.Role[1].LiveOpenings, "A closed")
		assert.Equal(t, 1500000, *d.Role[1].MedianPay, "nearest-rank median of 1.5M and 3.75M")

		require.Len(t, d.City, 2)
		assert.Equal(t, []int{2, 1}, []int{d.City[0].LiveOpenings, d.City[1].LiveOpenings}, "Bengaluru: A and C, then C")

		require.Len(t, d.Week, 1, "both days are in one ISO week: its last snapshot")
		assert.True(t, d.Week[0].Day.Equal(trends.Day(day3)))
		assert.Equal(t, 4, d.Week[0].LiveOpenings)

		require.Len(t, d.Go, 2)
		assert.Equal(t, 3, d.Go[0].Openings, "A, B, C ask for Go")
		assert.InDelta(t, 0.6, d.Go[0].Share, 1e-9)
		assert.Equal(t, 2, d.Go[1].Openings)
		assert.InDelta(t, 0.5, d.Go[1].Share, 1e-9)

		for arg, q := range map[string]string{
			"over":  `{ salaryTrend(over: {from: "2026-11-05T00:00:00Z", to: "2026-11-01T00:00:00Z"}) { day } }`,
			"over ": `{ salaryTrend(over: {from: "2025-01-01T00:00:00Z", to: "2026-11-01T00:00:00Z"}) { day } }`,
			"role":  `{ salaryTrend(role: "astronaut", over: {from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:00Z"}) { day } }`,
			"skill": `{ skillDemandTrend(skill: "cobol", over: {from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:00Z"}) { day } }`,
		} {
			res := testenv.Post(t, m.h, q, nil)
			assert.Equal(t, "BAD_USER_INPUT", res.Code(), arg)
		}
	})
}
