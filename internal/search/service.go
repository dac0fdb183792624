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
}

// Querier runs the ranked page statement: the pool beneath the client (*sql.DB), or in tests
// their statement counter.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error)
}

// New returns a Service over client, and db (the pool beneath it) for the ranked page statement
// ent's builders cannot nest, on a database of dialect (dialect.Postgres or SQLite).
func New(client *ent.Client, db Querier, dia string) *Service {
	return &Service{client: client, db: db, dialect: dia}
}

// Openings lists openings: without text, as entgql's connection; with text, only openings that
// match every word, ranked by relevance (then newest first) unless orderBy asks for another
// order. Pagination is keyset-based either way: a cursor carries the last row's rank (or
// ordered field) and ID, so a deep page costs what the first does.
//
// v, the skill vocabulary, tells whole words from prefixes; it may be nil.
func (s *Service) Openings(ctx context.Context, v *skills.Vocabulary, text *string, after *ent.Cursor, first *int, before *ent.Cursor, last *int,
	orderBy *ent.OpeningOrder, where *ent.OpeningWhereInput) (*ent.OpeningConnection, error) {
	if text == nil {
		return s.client.Opening.Query().PaginateCounted(ctx, after, first, before, last,
			ent.WithOpeningOrder(orderBy), ent.WithOpeningFilter(where.Filter))
	}
	q, err := Parse(*text)
	if err != nil {
		return nil, err
	}
	if v != nil {
		q = q.Exact(v.Known)
	}
	if s.dialect == dialect.Postgres {
		if q.filters, where, err = s.filterTokens(ctx, where); err != nil {
			return nil, err
		}
	}
	match := s.Match(q)
	if orderBy != nil {
		return s.client.Opening.Query().PaginateCounted(ctx, after, first, before, last, ent.WithOpeningOrder(orderBy),
			ent.WithOpeningFilter(func(oq *ent.OpeningQuery) (*ent.OpeningQuery, error) {
				oq, err := where.Filter(oq)
				if err != nil {
					return nil, err
				}
				return oq.Where(match), nil
			}))
	}
	return s.ranked(ctx, q, after, first, before, last, where)
}

// Match is the predicate "the opening's search document matches q". Column names are taken
// when the predicate is applied, not when the SQL is written, so the selector may be aliased
// afterwards (rankedPage nests it).
func (s *Service) Match(q Query) predicate.Opening {
	if s.dialect == dialect.Postgres {
		tsq := q.TSQuery()
		return func(sel *sql.Selector) {
			col := sel.C("search_vector")
			sel.Where(sql.P(func(b *sql.Builder) {
				b.Ident(col).WriteString(" @@ to_tsquery('simple', ").Arg(tsq).WriteString(")")
			}))
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

// rank is the relevance expression, higher is better, as float8 so that it round-trips
// exactly through a cursor.
func (s *Service) rank(sel *sql.Selector, q Query) sql.Querier {
	if s.dialect == dialect.Postgres {
		tsq, col := q.RankTSQuery(), sel.C("search_vector")
		return sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("ts_rank_cd(").Ident(col).WriteString(", to_tsquery('simple', ").Arg(tsq).WriteString("))::float8")
		})
	}
	fts, col := q.FTS5(), sel.C(opening.FieldID)
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("COALESCE((SELECT -bm25(openings_fts) FROM openings_fts WHERE openings_fts MATCH ").Arg(fts).
			WriteString(" AND openings_fts.rowid = ").Ident(col).WriteString("), 0)")
	})
}

type rankedRow struct {
	ID    int     `sql:"id"`
	Rank  float64 `sql:"cg_rank"`
	Total int     `sql:"cg_total"`
}

// ranked pages through matches by relevance (rank DESC, id DESC): one statement for the page's
// IDs and ranks (and, on a first page, the total), one for the total past a cursor, then the
// nodes with what the client selected below them.
func (s *Service) ranked(ctx context.Context, q Query, after *ent.Cursor, first *int, before *ent.Cursor, last *int,
	where *ent.OpeningWhereInput) (*ent.OpeningConnection, error) {
	if first != nil && last != nil {
		return nil, fmt.Errorf("search: first and last together")
	}
	n := 20
	if first != nil {
		n = *first
	} else if last != nil {
		n = *last
	}
	base, err := where.Filter(s.client.Opening.Query())
	if err != nil {
		return nil, err
	}
	base = base.Where(s.Match(q))
	conn := &ent.OpeningConnection{Edges: []*ent.OpeningEdge{}}
	wantTotal := hasField(ctx, "totalCount")
	// On a first page the total comes with the page: the database has to rank every match
	// anyway, and counting them in the same pass (COUNT(*) OVER ()) saves visiting them twice.
	// Past a cursor the page sees only the rows after it, so the total is counted apart.
	totalInPage := wantTotal && after == nil && before == nil
	if wantTotal && (!totalInPage || n == 0 || !hasField(ctx, "edges")) {
		if conn.TotalCount, err = base.Clone().Count(ctx); err != nil {
			return nil, err
		}
		totalInPage = false
	}
	if n == 0 || !hasField(ctx, "edges") {
		return conn, nil
	}
	// Forwards the order is rank DESC, id DESC; backwards (last/before) it is reversed and the
	// page is flipped back afterwards.
	rows, err := s.rankedPage(ctx, q, where, after, before, n+1, last != nil, totalInPage)
	if err != nil {
		return nil, err
	}
	backwards := last != nil
	if totalInPage && len(rows) > 0 {
		conn.TotalCount = rows[0].Total
	}
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
		return conn, nil
	}
	ids := make([]int, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	nq, err := s.client.Opening.Query().Where(opening.IDIn(ids...)).CollectFieldsAt(ctx, "edges", "node")
	if err != nil {
		return nil, err
	}
	nodes, err := nq.All(ctx)
	if err != nil {
		return nil, err
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
	return conn, nil
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
			alts := []string{tokenLocation + "none"} // no such city: nothing matches
			for _, id := range ids {
				alts = append(alts, fmt.Sprintf("%s%d", tokenLocation, id))
			}
			out = append(out, "("+strings.Join(alts, " | ")+")")
			rest.HasLocationWith = nil
		}
	}
	return out, &rest, nil
}

// rankedPage reads one page of (id, rank[, total]) in one statement:
//
//	SELECT id, cg_rank[, COUNT(*) OVER ()] FROM (SELECT id, <rank> AS cg_rank FROM openings
//	  WHERE <filters> AND <match> [OFFSET 0]) t
//	WHERE <keyset on cg_rank, id> ORDER BY cg_rank, id LIMIT n
//
// Ranking in a subquery keeps the rows the window and the sort carry narrow (id and rank, not
// the whole opening with its vector), which on PostgreSQL also needs the OFFSET 0 fence.
func (s *Service) rankedPage(ctx context.Context, q Query, where *ent.OpeningWhereInput, after, before *ent.Cursor,
	limit int, backwards, withTotal bool) ([]rankedRow, error) {
	var p predicate.Opening
	if where != nil {
		var err error
		if p, err = where.P(); err != nil && !errors.Is(err, ent.ErrEmptyOpeningWhereInput) {
			return nil, err
		}
	}
	d := sql.Dialect(s.dialect)
	inner := d.Select().From(d.Table(opening.Table))
	inner.Select(inner.C(opening.FieldID)).AppendSelectExprAs(s.rank(inner, q), "cg_rank")
	if p != nil {
		p(inner)
	}
	s.Match(q)(inner)
	if s.dialect == dialect.Postgres {
		inner.Offset(0)
	}
	outer := d.Select("id", "cg_rank").From(inner.As("t"))
	if withTotal {
		outer.AppendSelectExprAs(sql.Expr("COUNT(*) OVER ()"), "cg_total")
	} else {
		outer.AppendSelectExprAs(sql.Expr("0"), "cg_total")
	}
	for _, c := range []*ent.Cursor{after, before} {
		if c == nil {
			continue
		}
		v, _ := c.Value.(float64)
		op := "<" // rows after a cursor rank lower
		if c == before {
			op = ">"
		}
		outer.Where(sql.P(func(b *sql.Builder) {
			b.WriteString("(cg_rank " + op + " ").Arg(v).WriteString(" OR (cg_rank = ").Arg(v).
				WriteString(" AND id " + op + " ").Arg(c.ID).WriteString("))")
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
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rs.Close()
	var out []rankedRow
	for rs.Next() {
		var r rankedRow
		if err := rs.Scan(&r.ID, &r.Rank, &r.Total); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		out = append(out, r)
	}
	return out, rs.Err()
}
