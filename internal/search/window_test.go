package search_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/search"
	"github.com/careergraph/careergraph/internal/skills"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestReadPlan: the plans a million openings give (testdata/README.md): the contract search
// reads its matches from the GIN index, so it is windowed; "java" walks the primary key, so
// it is not. Either way the expected matches are those beneath the LIMIT.
func TestReadPlan(t *testing.T) {
	for _, tc := range []struct {
		file string
		rows float64
		gin  bool
	}{{"plan-contract.json", 3239, true}, {"plan-java.json", 133796, false}} {
		out, err := os.ReadFile("testdata/" + tc.file)
		require.NoError(t, err)
		rows, gin, err := search.ReadPlan(out)
		require.NoError(t, err)
		assert.Equal(t, tc.rows, rows, tc.file)
		assert.Equal(t, tc.gin, gin, tc.file)
	}
	_, _, err := search.ReadPlan([]byte(`[]`))
	assert.ErrorContains(t, err, "no plan")
	_, _, err = search.ReadPlan([]byte(`{`))
	assert.Error(t, err, "not JSON")
}

// TestBlockWindows: windows grow from the newest two blocks eight times at a time, and end
// with every opening once a window would reach the oldest block.
func TestBlockWindows(t *testing.T) {
	assert.Equal(t, [][]int64{nil}, search.BlockWindows(5, 5), "one block: nothing to leave out")
	assert.Equal(t, [][]int64{nil}, search.BlockWindows(5, 6), "two blocks: the first window is all")
	// Each window reaches one block past the newest: openings created since the id range
	// was read may have begun it.
	assert.Equal(t, [][]int64{{6, 8}, nil}, search.BlockWindows(5, 7))
	// A million openings are eight blocks.
	assert.Equal(t, [][]int64{{131078, 131080}, nil}, search.BlockWindows(131072, 131079))
	assert.Equal(t, [][]int64{{98, 100}, {84, 100}, nil}, search.BlockWindows(0, 99))
}

// TestWindowedSearchAnswersAsTheWholeIndex: openings in five id blocks (the seed's, then
// four of four "zebrafish" openings each); a search asked to try windows finds exactly what
// the whole index gives, page by page, whether the first window (the newest two blocks, eight
// matches) holds more than the candidate bound or not. Statements show which: the plan, the id
// range, one ranked page per window tried, the nodes.
func TestWindowedSearchAnswersAsTheWholeIndex(t *testing.T) {
	for _, b := range testenv.Backends(t) {
		if b != testenv.Postgres {
			continue // windows are PostgreSQL's (block tokens in its search vector); SQLite ranks every match
		}
		t.Run(string(b), func(t *testing.T) { windowedSearch(t, b) })
	}
}

func windowedSearch(t *testing.T, b testenv.Backend) {
	{
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		c := env.DB.Client
		co := c.Company.Query().FirstX(ctx)
		var made []int
		for block := range 4 {
			// The next opening's id starts a new block.
			_, err := env.DB.SQL.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('openings', 'id'),
				((SELECT max(id) FROM openings) >> $1 << $1) + (1 << $1) - 1)`, search.BlockBits)
			require.NoError(t, err)
			for i := range 4 {
				o := c.Opening.Create().SetSource("test").SetExternalID(fmt.Sprintf("zebra-%d-%d", block, i)).
					SetTitle(fmt.Sprintf("Zebrafish Engineer %d", i)).SetDescription(strings.Repeat("zebrafish ", 1+(i+block)%3)).
					SetCompany(co).SetStatus(opening.StatusLIVE).SetWorkMode(opening.WorkModeREMOTE).SetPostedAt(time.Date(2026, 11, 1, block, i, 0, 0, time.UTC)).SetExperienceMinYears(1).SetExperienceMaxYears(3).SaveX(ctx)
				made = append(made, o.ID)
			}
		}
		require.NoError(t, search.Reindex(ctx, c, made...))
		var blocks int
		require.NoError(t, env.DB.SQL.QueryRowContext(ctx, `SELECT count(DISTINCT id >> $1) FROM openings`, search.BlockBits).Scan(&blocks))
		require.Equal(t, 5, blocks, "precondition: the seed's block and four more")

		v, err := skills.Load(ctx, c)
		require.NoError(t, err)
		live := &ent.OpeningWhereInput{Status: ptr(opening.StatusLIVE)}
		full := search.New(c, env.Querier, env.DB.Dialect)
		for _, bound := range []int{3, 7, 8, 12, 20} {
			whole, total, est := all(t, full.WithCandidates(bound), v, "zebrafish", live, 2)
			got, n, gotEst := all(t, full.WithCandidates(bound).AlwaysWindow(), v, "zebrafish", live, 2)
			require.Len(t, whole, min(bound, len(made)), "bound %d", bound)
			assert.Equal(t, ids(whole), ids(got), "bound %d: the same openings in the same order", bound)
			for i := range whole {
				assert.Equal(t, whole[i].Cursor, got[i].Cursor, "bound %d: the same rank", bound)
			}
			assert.Equal(t, []any{total, est}, []any{n, gotEst}, "bound %d: the same totalCount", bound)

			// A service of its own, so that the plan is not one the searches above left.
			fresh := search.New(c, env.Querier, env.DB.Dialect).WithCandidates(bound).AlwaysWindow()
			env.Statements.Reset()
			first := 2
			text := "zebrafish"
			_, _, err := fresh.Search(ctx, v, &text, nil, &first, nil, nil, nil, live)
			require.NoError(t, err)
			stmts := env.Statements.List()
			var pages []string
			for _, s := range stmts {
				if strings.Contains(s, "COUNT(*) OVER ()") {
					pages = append(pages, s)
				}
			}
			// The first window's page has one more condition than the whole index's: its blocks.
			require.NotEmpty(t, pages)
			assert.Equal(t, 2, strings.Count(pages[0], "@@ to_tsquery"), "the word and the window's blocks")
			if bound < 8 {
				assert.Len(t, pages, 1, "bound %d: eight matches in the first window suffice", bound)
			} else {
				assert.Len(t, pages, 2, "bound %d: the first window holds too few; then every opening", bound)
				assert.Equal(t, 1, strings.Count(pages[1], "@@ to_tsquery"), "the second try is the whole index")
			}
			assert.Len(t, stmts, 3+len(pages), "the plan, the id range, the pages, the nodes:\n%s", strings.Join(stmts, "\n"))
			assert.True(t, strings.HasPrefix(stmts[0], "EXPLAIN"), stmts[0])

			// Asked again, the search is not planned again (the plan is kept: explain).
			env.Statements.Reset()
			_, _, err = fresh.Search(ctx, v, &text, nil, &first, nil, nil, nil, live)
			require.NoError(t, err)
			again := env.Statements.List()
			assert.Len(t, again, 2+len(pages), "the id range, the pages, the nodes:\n%s", strings.Join(again, "\n"))
			for _, s := range again {
				assert.False(t, strings.HasPrefix(s, "EXPLAIN"), s)
			}
		}
	}
}
