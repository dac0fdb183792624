package search

import (
	"context"
	stdsql "database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/maypok86/otter/v2"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/predicate"
	"github.com/careergraph/careergraph/internal/skills"
)

// Service searches openings.
type Service struct {
	client  *ent.Client
	db      Querier
	dialect string
	// candidates is Candidates, smaller in tests.
	candidates int
	// alwaysWindow tries windows whatever the plan (tests, whose small tables the planner
	// reads otherwise; see export_test.go).
	alwaysWindow bool
	// plans remembers the plans explain read (window.go), by statement and arguments.
	plans *otter.Cache[string, plan]
}

// Querier runs the ranked page statement: the pool beneath the client (*sql.DB), or in tests
// their statement counter.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error)
}

// New returns a Service over client, and db (the pool beneath it) for the ranked page statement
// ent's builders cannot nest, on a database of dialect (dialect.Postgres or SQLite).
func New(client *ent.Client, db Querier, dia string) *Service {
	return &Service{client: client, db: db, dialect: dia, candidates: Candidates, plans: newPlans()}
}

// WithCandidates returns s ranking at most n candidates instead of Candidates (tests use a
// handful to exercise the bound on a small database).
func (s *Service) WithCandidates(n int) *Service {
	c := *s
	c.candidates = n
	return &c
}

// Openings lists openings: without text, as entgql's connection; with text, only openings that
// match every word, ranked by relevance (then newest first) unless orderBy asks for another
// order. Pagination is keyset-based either way: a cursor carries the last row's rank (or
// ordered field) and ID, so a deep page costs what the first does.
//
// v, the skill vocabulary, tells whole words from prefixes; it may be nil.
func (s *Service) Openings(ctx context.Context, v *skills.Vocabulary, text *string, after *ent.Cursor, first *int, before *ent.Cursor, last *int,
	orderBy *ent.OpeningOrder, where *ent.OpeningWhereInput) (*ent.OpeningConnection, error) {
	conn, _, err := s.Search(ctx, v, text, after, first, before, last, orderBy, where)
	return conn, err
}

// Search is Openings, also reporting whether the connection's totalCount is an estimate: a
// search ranked by relevance that matches more than Candidates openings ranks only the newest
// Candidates of them (see ranked), and on PostgreSQL its total is then the planner's estimate
// rather than a count.
func (s *Service) Search(ctx context.Context, v *skills.Vocabulary, text *string, after *ent.Cursor, first *int, before *ent.Cursor, last *int,
	orderBy *ent.OpeningOrder, where *ent.OpeningWhereInput) (conn *ent.OpeningConnection, estimated bool, err error) {
	if text == nil {
		conn, err = s.client.Opening.Query().PaginateCounted(ctx, after, first, before, last,
			ent.WithOpeningOrder(orderBy), ent.WithOpeningFilter(where.Filter))
		return conn, false, err
	}
	q, err := Parse(*text)
	if err != nil {
		return nil, false, err
	}
	if v != nil {
		q = q.Exact(v.Known)
	}
	if s.dialect == dialect.Postgres {
		if q.filters, where, err = s.filterTokens(ctx, where); err != nil {
			return nil, false, err
		}
		q.narrow = skillClauses(ctx, v)
	}
	match := s.Match(q)
	if orderBy != nil {
		conn, err = s.client.Opening.Query().PaginateCounted(ctx, after, first, before, last, ent.WithOpeningOrder(orderBy),
			ent.WithOpeningFilter(func(oq *ent.OpeningQuery) (*ent.OpeningQuery, error) {
				oq, err := where.Filter(oq)
				if err != nil {
					return nil, err
				}
				return oq.Where(match), nil
			}))
		return conn, false, err
	}
	return s.ranked(ctx, q, after, first, before, last, where)
}

// Match is the predicate "the opening's search document matches q". Column names are taken
// when the predicate is applied, not when the SQL is written, so the selector may be aliased
// afterwards (rankedPage nests it).
func (s *Service) Match(q Query) predicate.Opening {
	return s.match(q, nil)
}

// match is Match within window w (nil: every opening). On PostgreSQL the window's blocks are
// a condition of their own, "search_vector @@ to_tsquery('simple', 'zzcgblk8 | zzcgblk7')",
// not more clauses of q's tsquery: as a key of its own in the GIN scan, the scan skips through
// the words' posting lists to the items of the window's blocks. Within one tsquery it would
// instead visit every item of its rarest word (measured: 20 ms for the contract search's
// window as one tsquery, 3.3 ms as two keys).
func (s *Service) match(q Query, w *window) predicate.Opening {
	if s.dialect == dialect.Postgres {
		conds := []string{q.TSQuery()}
		if w != nil {
			conds = append(conds, w.tsquery())
		}
		return func(sel *sql.Selector) {
			col := sel.C("search_vector")
			for _, c := range conds {
				sel.Where(sql.P(func(b *sql.Builder) {
					b.Ident(col).WriteString(" @@ to_tsquery('simple', ").Arg(c).WriteString(")")
				}))
			}
		}
	}
	fts := q.FTS5()
	return func(sel *sql.Selector) {
		col := sel.C(opening.FieldID)
		sel.Where(sql.P(func(b *sql.Builder) {
			b.Ident(col).WriteString(" IN (SELECT rowid FROM openings_fts WHERE openings_fts MATCH ").Arg(fts).WriteString(")")
		}))
	}
}

// rank is the relevance expression over the columns vector (PostgreSQL's search_vector) and
// id (SQLite's rowid in the FTS table), higher is better, as float8 so that it round-trips
// exactly through a cursor.
func (s *Service) rank(vector, id string, q Query) sql.Querier {
	if s.dialect == dialect.Postgres {
		tsq := q.RankTSQuery()
		return sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("ts_rank_cd(").Ident(vector).WriteString(", to_tsquery('simple', ").Arg(tsq).WriteString("))::float8")
		})
	}
	fts := q.FTS5()
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("COALESCE((SELECT -bm25(openings_fts) FROM openings_fts WHERE openings_fts MATCH ").Arg(fts).
			WriteString(" AND openings_fts.rowid = ").Ident(id).WriteString("), 0)")
	})
}

type rankedRow struct {
	ID    int
	Rank  float64
	Total int
}

// Candidates bounds the matches a relevance-ranked search ranks: the newest Candidates
// matches (by ID, which grows with time) are ranked, older ones are not, and paging ends
// after them. A search for one common word matches a sixth of a million openings; ranking
// and counting every match costs half a second, while finding the newest thousand and ranking
// those costs a few milliseconds. A search that matches fewer is ranked whole, as before.
const Candidates = 1000

// ranked pages through matches by relevance (rank DESC, id DESC) among the newest candidates:
// one statement for the page's IDs, ranks and the number of candidates (up to bound+1), one more
// for an estimated total when there are more matches than that, then the nodes with what the
// client selected below them.
func (s *Service) ranked(ctx context.Context, q Query, after *ent.Cursor, first *int, before *ent.Cursor, last *int,
	where *ent.OpeningWhereInput) (*ent.OpeningConnection, bool, error) {
	if first != nil && last != nil {
		return nil, false, fmt.Errorf("search: first and last together")
	}
	n := 20
	if first != nil {
		n = *first
	} else if last != nil {
		n = *last
	}
	var p predicate.Opening
	if where != nil {
		var err error
		if p, err = where.P(); err != nil && !errors.Is(err, ent.ErrEmptyOpeningWhereInput) {
			return nil, false, err
		}
	}
	bound := s.candidates
	conn := &ent.OpeningConnection{Edges: []*ent.OpeningEdge{}}
	wantTotal := hasField(ctx, "totalCount")
	wantEdges := n > 0 && hasField(ctx, "edges")
	var rows []rankedRow
	var candidates int
	var pl plan
	windows := []*window{nil}
	if (wantEdges || wantTotal) && s.dialect == dialect.Postgres {
		// The plan tells whether a window helps (window.go), and estimates the total.
		var err error
		// Planned without the skill filters' narrowing: more clauses lower the planner's
		// estimate (it takes the words to be independent: "backend" with Docker and
		// Kubernetes, 13,647 matches, was expected to have 100), and with it the window a
		// search of many matches needs; the narrowing only makes each statement read fewer
		// rows, so it keeps the decision made without it.
		if pl, err = s.explain(ctx, q.broad(), p, bound); err != nil {
			return nil, false, err
		}
		if windows, err = s.windows(ctx, pl, bound); err != nil {
			return nil, false, err
		}
	}
	for _, w := range windows {
		var err error
		if wantEdges {
			// Forwards the order is rank DESC, id DESC; backwards (last/before) it is reversed
			// and the page is flipped back afterwards.
			rows, candidates, err = s.rankedPage(ctx, q, p, w, after, before, n+1, last != nil, bound)
		} else if wantTotal {
			candidates, err = s.countCandidates(ctx, q, p, w, bound)
		}
		if err != nil {
			return nil, false, err
		}
		if candidates > bound {
			break // the newest bound+1 matches are all in w
		}
	}
	estimated := false
	if wantTotal {
		conn.TotalCount = candidates
		if candidates > bound {
			// More matches than are ranked: count or estimate them all.
			var err error
			if conn.TotalCount, estimated, err = s.total(ctx, q, p, pl, bound); err != nil {
				return nil, false, err
			}
		}
	}
	backwards := last != nil
	more := len(rows) > n
	if more {
		rows = rows[:n]
	}
	if backwards {
		slices.Reverse(rows)
		conn.PageInfo.HasPreviousPage = more
		conn.PageInfo.HasNextPage = before != nil
	} else {
		conn.PageInfo.HasNextPage = more
		conn.PageInfo.HasPreviousPage = after != nil
	}
	if len(rows) == 0 {
		return conn, estimated, nil
	}
	ids := make([]int, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	nq, err := s.client.Opening.Query().Where(opening.IDIn(ids...)).CollectFieldsAt(ctx, "edges", "node")
	if err != nil {
		return nil, false, err
	}
	nodes, err := nq.All(ctx)
	if err != nil {
		return nil, false, err
	}
	byID := make(map[int]*ent.Opening, len(nodes))
	for _, o := range nodes {
		byID[o.ID] = o
	}
	for _, r := range rows {
		o := byID[r.ID]
		if o == nil {
			continue // deleted between the two statements
		}
		conn.Edges = append(conn.Edges, &ent.OpeningEdge{Node: o, Cursor: entgql.Cursor[int]{ID: r.ID, Value: r.Rank}})
	}
	if l := len(conn.Edges); l > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[l-1].Cursor
	}
	return conn, estimated, nil
}

// hasField reports whether the connection field in ctx selects name; outside GraphQL, true.
func hasField(ctx context.Context, name string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return true
	}
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// filterTokens turns the structured filters a search is most often combined with (role, city)
// into tsquery clauses over the tokens the PostgreSQL vector carries, so the GIN
// index alone narrows by them. It returns the where input without the filters it turned into
// tokens (they are equivalent, and left in they tempt the planner into and-ing the GIN index
// with large b-tree bitmaps).
func (s *Service) filterTokens(ctx context.Context, where *ent.OpeningWhereInput) ([]string, *ent.OpeningWhereInput, error) {
	if where == nil {
		return nil, nil, nil
	}
	rest := *where
	var out []string
	// LIVE is left to SQL: most openings are live, and intersecting the GIN index with a
	// posting list that long costs more than checking status on the rows it returns. The rare
	// statuses narrow well.
	if where.Status != nil && *where.Status != opening.StatusLIVE {
		out = append(out, tokenStatus+strings.ToLower(string(*where.Status)))
		rest.Status = nil
	}
	if where.RoleID != nil {
		out = append(out, fmt.Sprintf("%s%d", tokenRole, *where.RoleID))
		rest.RoleID = nil
	}
	if len(where.HasLocationWith) == 1 {
		l := where.HasLocationWith[0]
		var p predicate.Location
		// Only a filter that is exactly a city name (nothing else set) is equivalent to tokens.
		only := *l
		only.City, only.CityEqualFold = nil, nil
		if !reflect.DeepEqual(only, ent.LocationWhereInput{}) {
			return out, &rest, nil
		}
		switch {
		case l.City != nil:
			p = location.City(*l.City)
		case l.CityEqualFold != nil:
			p = location.CityEqualFold(*l.CityEqualFold)
		}
		if p != nil {
			ids, err := s.client.Location.Query().Where(p).IDs(ctx)
			if err != nil {
				return nil, nil, err
			}
			var alts []string
			for _, id := range ids {
				alts = append(alts, fmt.Sprintf("%s%d", tokenLocation, id))
			}
			if len(alts) == 0 {
				alts = []string{tokenLocation + "none"} // no such city: nothing matches
			}
			out = append(out, "("+strings.Join(alts, " | ")+")")
			rest.HasLocationWith = nil
		}
	}
	return out, &rest, nil
}

// candidateIDs is "SELECT id FROM openings WHERE <filters> AND <match> ORDER BY id DESC
// LIMIT limit": the newest matches. For a common word PostgreSQL walks the primary key
// backwards and stops after limit matches; for a rare one it reads the matches from the GIN
// index and keeps the newest. Only IDs travel: carrying the search vector through the sort
// would detoast it for every match.
//
// On PostgreSQL each candidate also carries its row's physical address (ctid), by which
// rankedPage joins back to the row it ranks: a TID scan reads the one heap page, where a
// join by id would first descend the primary key (4,000 buffers instead of 1,000 for a
// thousand candidates). Within one statement the address names the row version its
// snapshot sees.
//
// Within window w (nil: every opening) it is the newest matches among the window's openings.
func (s *Service) candidateIDs(q Query, p predicate.Opening, w *window, limit int) *sql.Selector {
	d := sql.Dialect(s.dialect)
	sel := d.Select().From(d.Table(opening.Table))
	sel.Select(sel.C(opening.FieldID))
	if s.dialect == dialect.Postgres {
		sel.AppendSelect(sel.C("ctid"))
	}
	if p != nil {
		p(sel)
	}
	s.match(q, w)(sel)
	return sel.OrderBy(sql.Desc(sel.C(opening.FieldID))).Limit(limit)
}

// rankedPage reads one page of (id, rank) and the number of candidates (at most bound+1) in
// one statement:
//
//	SELECT id, cg_rank, cg_total FROM (
//	  SELECT o.id, <rank of o> AS cg_rank, c.cg_total FROM (
//	    SELECT id, ctid, COUNT(*) OVER () AS cg_total FROM (<candidateIDs, LIMIT bound+1>) x
//	    ORDER BY id DESC LIMIT bound) c
//	  JOIN openings o ON o.ctid = c.ctid) t        -- SQLite: o.id = c.id
//	WHERE <keyset on cg_rank, id> ORDER BY cg_rank DESC, id DESC LIMIT n
//
// The window counts the bound+1 newest matches before the LIMIT keeps bound of them, so
// cg_total > bound says there are more matches than are ranked.
func (s *Service) rankedPage(ctx context.Context, q Query, p predicate.Opening, w *window, after, before *ent.Cursor,
	limit int, backwards bool, bound int) ([]rankedRow, int, error) {
	d := sql.Dialect(s.dialect)
	x := s.candidateIDs(q, p, w, bound+1).As("x")
	c := d.Select(x.C(opening.FieldID)).From(x)
	key := opening.FieldID // the column rankedPage joins candidates back by
	if s.dialect == dialect.Postgres {
		key = "ctid"
		c.AppendSelect(x.C(key))
	}
	c.AppendSelectExprAs(sql.Expr("COUNT(*) OVER ()"), "cg_total").
		OrderBy(sql.Desc(x.C(opening.FieldID))).Limit(bound)
	cs := c.As("c")
	o := d.Table(opening.Table).As("o")
	mid := d.Select(o.C(opening.FieldID)).From(cs).Join(o).On(cs.C(key), o.C(key))
	mid.AppendSelectExprAs(s.rank(o.C("search_vector"), o.C(opening.FieldID), q), "cg_rank").
		AppendSelect(cs.C("cg_total"))
	outer := d.Select("id", "cg_rank", "cg_total").From(mid.As("t"))
	for _, cur := range []*ent.Cursor{after, before} {
		if cur == nil {
			continue
		}
		v, _ := cur.Value.(float64)
		op := "<" // rows after a cursor rank lower
		if cur == before {
			op = ">"
		}
		outer.Where(sql.P(func(b *sql.Builder) {
			b.WriteString("(cg_rank " + op + " ").Arg(v).WriteString(" OR (cg_rank = ").Arg(v).
				WriteString(" AND id " + op + " ").Arg(cur.ID).WriteString("))")
		}))
	}
	dir := "DESC"
	if backwards {
		dir = "ASC"
	}
	outer.OrderExpr(sql.Expr("cg_rank " + dir + ", id " + dir)).Limit(limit)
	query, args := outer.Query()
	rs, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	defer rs.Close()
	var out []rankedRow
	for rs.Next() {
		var r rankedRow
		if err := rs.Scan(&r.ID, &r.Rank, &r.Total); err != nil {
			return nil, 0, fmt.Errorf("search: %w", err)
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	if len(out) > 0 {
		return out, out[0].Total, nil
	}
	if after == nil && before == nil {
		return out, 0, nil // nothing matches
	}
	// A cursor past the last candidate: the page is empty, the candidates still count.
	n, err := s.countCandidates(ctx, q, p, w, bound)
	return out, n, err
}

// countCandidates counts the newest matches within w, up to bound+1.
func (s *Service) countCandidates(ctx context.Context, q Query, p predicate.Opening, w *window, bound int) (int, error) {
	d := sql.Dialect(s.dialect)
	x := s.candidateIDs(q, p, w, bound+1).As("x")
	query, args := d.Select(sql.Count("*")).From(x).Query()
	var n int
	if err := s.scanOne(ctx, query, args, &n); err != nil {
		return 0, err
	}
	return n, nil
}

// total is the number of all matches when there are more than bound: on PostgreSQL the
// planner's estimate in pl (never below bound+1, which is known), since counting a hundred
// thousand matches exactly costs what ranking them did; on SQLite, which serves small
// databases, an exact count.
func (s *Service) total(ctx context.Context, q Query, p predicate.Opening, pl plan, bound int) (n int, estimated bool, err error) {
	if s.dialect == dialect.Postgres {
		return max(int(pl.rows), bound+1), true, nil
	}
	d := sql.Dialect(s.dialect)
	sel := d.Select().From(d.Table(opening.Table))
	if p != nil {
		p(sel)
	}
	s.Match(q)(sel)
	query, args := sel.Select(sql.Count("*")).Query()
	err = s.scanOne(ctx, query, args, &n)
	return n, false, err
}

// scanOne runs query and scans its one row into dst.
func (s *Service) scanOne(ctx context.Context, query string, args []any, dst ...any) error {
	rs, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	defer rs.Close()
	if !rs.Next() {
		if err := rs.Err(); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		return fmt.Errorf("search: no row from %q", query)
	}
	if err := rs.Scan(dst...); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return rs.Close()
}
