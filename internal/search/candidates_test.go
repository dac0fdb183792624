package search_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/search"
	"github.com/careergraph/careergraph/internal/skills"
	"github.com/careergraph/careergraph/internal/testenv"
)

// all pages through a search, first pageSize at a time, and returns the edges in order with
// the first page's totalCount and estimate flag.
func all(t *testing.T, s *search.Service, v *skills.Vocabulary, text string, where *ent.OpeningWhereInput, pageSize int) ([]*ent.OpeningEdge, int, bool) {
	t.Helper()
	ctx := context.Background()
	var out []*ent.OpeningEdge
	var after *ent.Cursor
	total, estimated := -1, false
	for i := 0; i < 100; i++ {
		conn, est, err := s.Search(ctx, v, &text, after, &pageSize, nil, nil, nil, where)
		require.NoError(t, err)
		if total < 0 {
			total, estimated = conn.TotalCount, est
		}
		out = append(out, conn.Edges...)
		if !conn.PageInfo.HasNextPage {
			return out, total, estimated
		}
		after = conn.PageInfo.EndCursor
	}
	t.Fatal("more than 100 pages")
	return nil, 0, false
}

func ids(edges []*ent.OpeningEdge) []int {
	out := make([]int, len(edges))
	for i, e := range edges {
		out[i] = e.Node.ID
	}
	return out
}

// TestBroadSearchRanksTheNewestCandidates: a search that matches more openings than the
// candidate bound ranks exactly the newest `bound` matches (by ID), most relevant first, ties
// by newer ID; paging ends after them; totalCount still counts every match (exactly on SQLite,
// as an estimate flagged so on PostgreSQL). A search within the bound is ranked whole and
// counted exactly.
func TestBroadSearchRanksTheNewestCandidates(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		v, err := skills.Load(ctx, env.DB.Client)
		require.NoError(t, err)
		full := search.New(env.DB.Client, env.Querier, env.DB.Dialect)
		live := &ent.OpeningWhereInput{Status: ptr(opening.StatusLIVE)}

		for _, tc := range []struct {
			text  string
			where *ent.OpeningWhereInput
		}{{"developer", nil}, {"developer", live}, {"engineer", live}} {
			whole, total, est := all(t, full, v, tc.text, tc.where, 50)
			require.False(t, est, "within the default bound the total is a count")
			require.Equal(t, total, len(whole), "%s: every match is reachable", tc.text)
			const bound = 7
			require.Greater(t, len(whole), bound, "precondition: %q matches more than the bound", tc.text)

			newest := ids(whole)
			slices.Sort(newest)
			slices.Reverse(newest)
			newest = newest[:bound]

			small := full.WithCandidates(bound)
			got, n, est := all(t, small, v, tc.text, tc.where, 3)
			assert.ElementsMatch(t, newest, ids(got), "%s: exactly the %d newest matches are ranked", tc.text, bound)
			for i := 1; i < len(got); i++ {
				prev, cur := got[i-1].Cursor.Value.(float64), got[i].Cursor.Value.(float64)
				assert.True(t, prev > cur || (prev == cur && got[i-1].Node.ID > got[i].Node.ID),
					"%s: most relevant first, ties newer first (%v/%d before %v/%d)", tc.text, prev, got[i-1].Node.ID, cur, got[i].Node.ID)
			}
			// The same relative order as the whole ranking.
			var inWhole []int
			for _, id := range ids(whole) {
				if slices.Contains(newest, id) {
					inWhole = append(inWhole, id)
				}
			}
			assert.Equal(t, inWhole, ids(got), "%s: ranked as in the unbounded search", tc.text)
			if b == testenv.Postgres {
				assert.True(t, est, "%s: past the bound PostgreSQL estimates the total", tc.text)
				assert.Greater(t, n, bound, "%s: the estimate is never below what is known", tc.text)
			} else {
				assert.False(t, est)
				assert.Equal(t, total, n, "%s: SQLite counts every match", tc.text)
			}

			// Within the bound: ranked whole and counted.
			wide := full.WithCandidates(len(whole))
			got, n, est = all(t, wide, v, tc.text, tc.where, 50)
			assert.Equal(t, ids(whole), ids(got))
			assert.False(t, est)
			assert.Equal(t, total, n)
		}
	})
}

// TestSearchStatementsAreCounted: the ranked search's own statements go through the
// statement counter (the page with its candidate count, and on PostgreSQL the candidate
// statement's plan, which decides on a window and gives the estimate past the bound, and is
// kept for the next search with the same candidate statement) and their number does not grow
// with the page size.
func TestSearchStatementsAreCounted(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		v, err := skills.Load(ctx, env.DB.Client)
		require.NoError(t, err)
		s := search.New(env.DB.Client, env.Querier, env.DB.Dialect).WithCandidates(5)
		text := "developer"
		count := func(first int) []string {
			env.Statements.Reset()
			_, _, err := s.Search(ctx, v, &text, nil, &first, nil, nil, nil, nil)
			require.NoError(t, err)
			return env.Statements.List()
		}
		stmts := count(3)
		joined := strings.Join(stmts, "\n")
		assert.Contains(t, joined, "COUNT(*) OVER ()", "the ranked page is counted")
		want := 2 // the ranked page, the nodes
		if b == testenv.Postgres {
			want = 3 // and the plan
			assert.Contains(t, joined, "EXPLAIN (FORMAT JSON)")
			// The ranked candidates are joined back to their rows by address (a TID scan of
			// one heap page each), not by id through the primary key.
			assert.Contains(t, joined, `JOIN "openings" AS "o" ON "c"."ctid" = "o"."ctid"`)
		} else {
			want = 3 // and the exact count
		}
		assert.Len(t, stmts, want, joined)
		again := want
		if b == testenv.Postgres {
			again-- // the candidate statement is the same whatever the page size: its plan is kept
		}
		larger := count(20)
		assert.Len(t, larger, again, "no more for a larger page:\n%s", strings.Join(larger, "\n"))
	})
}

func ptr[T any](v T) *T { return &v }
