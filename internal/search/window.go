package search

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/maypok86/otter/v2"

	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/predicate"
)

// A relevance-ranked search ranks the newest Candidates matches (ranked). When the planner
// reads the matches from the GIN index, that means every match's posting-list item and heap
// row, though all but the newest thousand are thrown away: for "golang kubernetes" in
// Bengaluru at a million openings, 7,700 items and 7,600 heap pages, 50 ms on a slow machine.
//
// A window asks for the newest openings' matches only. Every vector carries its id's block
// (Block), and a window is the newest few blocks: the condition
// "search_vector @@ 'zzcgblk8 | zzcgblk7'", a key of its own in the GIN scan, lets the scan
// skip every posting-list item outside those blocks, and the heap scan visits the window's
// matches only (the contract search above: 1,700 items and pages, 13 ms). If the window holds
// more than Candidates matches, the newest Candidates matches are all in it and the answer is
// the same as without it; if not, the search tries a window eight times as large, and last the
// whole index. So a window never changes an answer, only what it costs.
//
// The window is used only where it narrows a scan the planner chose: when the planner expects
// more matches than Candidates and reads them from the GIN index. For a common word it walks
// the primary key from the newest opening instead and stops after Candidates matches; a window
// there could only tempt it into the index. For a rare combination it expects few matches, and
// the newest blocks would likely not hold Candidates of them.
//
// What a window costs when it does not hold enough: the statement is run again wider, so a
// search whose matches are just over Candidates, mostly older than the newest blocks, pays
// once more the window's share (about a quarter of the index at a million openings).
const (
	// firstWindow is the first window's size in blocks: the newest block, which may have
	// just begun, and the one before it (and the next: see blockWindows).
	firstWindow = 2
	// windowGrowth is how much larger each next window is.
	windowGrowth = 8
	// searchIndex is the GIN index over openings.search_vector.
	searchIndex = "openings_search_vector"
)

// window is the blocks from to to (inclusive); a nil *window is every opening.
type window struct{ from, to int64 }

// tsquery is the window's condition: any of its blocks' tokens.
func (w *window) tsquery() string {
	parts := make([]string, 0, w.to-w.from+1)
	for b := w.to; b >= w.from; b-- {
		parts = append(parts, tokenBlock+strconv.FormatInt(b, 10))
	}
	return strings.Join(parts, " | ")
}

// plan is what PostgreSQL's planner expects of a search's candidate statement.
type plan struct {
	rows float64 // matches
	gin  bool    // read from the GIN index (a bitmap scan of it)
}

// explain plans the candidate statement (without a window) and reads its plan.
//
// Plans are kept for planTTL by the statement and its arguments (at most maxPlans of them): a
// search paged through, or asked again by another visitor, is not planned again (a round
// trip, and about a third of a millisecond of the server's planning). A plan decides only
// whether a window is tried, which never changes an answer, and estimates a total past the
// bound, which the schema flags as an estimate; a plan a minute old does both as well.
func (s *Service) explain(ctx context.Context, q Query, p predicate.Opening, bound int) (plan, error) {
	query, args := s.candidateIDs(q, p, nil, bound+1).Query()
	key := planKey(query, args)
	if pl, ok := s.plans.GetIfPresent(key); ok {
		return pl, nil
	}
	var out []byte
	if err := s.scanOne(ctx, "EXPLAIN (FORMAT JSON) "+query, args, &out); err != nil {
		return plan{}, err
	}
	pl, err := readPlan(out)
	if err == nil {
		s.plans.Set(key, pl)
	}
	return pl, err
}

const (
	planTTL  = time.Minute
	maxPlans = 10_000 // statements of a few hundred bytes: a few megabytes at most
)

func newPlans() *otter.Cache[string, plan] {
	return otter.Must(&otter.Options[string, plan]{
		MaximumSize:      maxPlans,
		ExpiryCalculator: otter.ExpiryWriting[string, plan](planTTL),
	})
}

// planKey is a statement with its arguments, each written with its type (the arguments of a
// candidate statement are strings and numbers).
func planKey(query string, args []any) string {
	var b strings.Builder
	b.WriteString(query)
	for _, a := range args {
		fmt.Fprintf(&b, "\x00%T:%v", a, a)
	}
	return b.String()
}

// planNode is the part of EXPLAIN (FORMAT JSON)'s nodes readPlan reads.
type planNode struct {
	Type  string     `json:"Node Type"`
	Index string     `json:"Index Name"`
	Rows  float64    `json:"Plan Rows"`
	Plans []planNode `json:"Plans"`
}

// readPlan reads EXPLAIN (FORMAT JSON) of a candidate statement: the matches expected (the
// rows beneath its LIMIT) and whether they are read from the GIN index.
func readPlan(out []byte) (plan, error) {
	var explained []struct{ Plan planNode }
	if err := json.Unmarshal(out, &explained); err != nil {
		return plan{}, fmt.Errorf("search: read plan: %w", err)
	}
	if len(explained) == 0 {
		return plan{}, fmt.Errorf("search: read plan: EXPLAIN gave no plan")
	}
	top := explained[0].Plan
	pl := plan{rows: top.Rows}
	if top.Type == "Limit" && len(top.Plans) > 0 {
		pl.rows = top.Plans[0].Rows
	}
	var walk func(n planNode)
	walk = func(n planNode) {
		if n.Type == "Bitmap Index Scan" && n.Index == searchIndex {
			pl.gin = true
		}
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(top)
	return pl, nil
}

// windows are the windows a search tries in turn, the last nil (every opening): none but nil
// unless pl reads more than bound matches from the GIN index; then firstWindow blocks, each
// next windowGrowth times as many, while they leave out the oldest block.
func (s *Service) windows(ctx context.Context, pl plan, bound int) ([]*window, error) {
	out := []*window{nil}
	if !s.alwaysWindow && (!pl.gin || pl.rows <= float64(bound)) {
		return out, nil
	}
	d := sql.Dialect(s.dialect)
	t := d.Table(opening.Table)
	query, args := d.Select(sql.Min(t.C(opening.FieldID)), sql.Max(t.C(opening.FieldID))).From(t).Query()
	var lo, hi sql.NullInt64
	if err := s.scanOne(ctx, query, args, &lo, &hi); err != nil {
		return nil, err
	}
	if !lo.Valid { // no openings
		return out, nil
	}
	return blockWindows(Block(lo.Int64), Block(hi.Int64)), nil
}

// blockWindows are the windows over blocks first to last (the oldest and newest opening's):
// firstWindow blocks, each next windowGrowth times as many, while they leave out block first;
// then nil, every opening. Each window also names the block after last, which no opening had
// when the id range was read: an opening created since then, in a block just begun, is newer
// than any in the window and belongs in it (its token costs the index one lookup).
func blockWindows(first, last int64) []*window {
	var out []*window
	for size := int64(firstWindow); last-size+1 > first; size *= windowGrowth {
		out = append(out, &window{from: last - size + 1, to: last + 1})
	}
	return append(out, nil)
}
