package search

import (
	"context"
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
	dialect string
}

// New returns a Service over client on a database of dialect (dialect.Postgres or SQLite).
func New(client *ent.Client, dia string) *Service { return &Service{client: client, dialect: dia} }

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

// Match is the predicate "the opening's search document matches q".
func (s *Service) Match(q Query) predicate.Opening {
	if s.dialect == dialect.Postgres {
		tsq := q.TSQuery()
		return func(sel *sql.Selector) {
			sel.Where(sql.P(func(b *sql.Builder) {
				b.Ident(sel.C("search_vector")).WriteString(" @@ to_tsquery('simple', ").Arg(tsq).WriteString(")")
			}))
		}
	}
	fts := q.FTS5()
	return func(sel *sql.Selector) {
		sel.Where(sql.P(func(b *sql.Builder) {
			b.Ident(sel.C(opening.FieldID)).WriteString(" IN (SELECT rowid FROM openings_fts WHERE openings_fts MATCH ").Arg(fts).WriteString(")")
		}))
	}
}

// rank is the relevance expression, higher is better, as float8 so that it round-trips
// exactly through a cursor.
func (s *Service) rank(sel *sql.Selector, q Query) sql.Querier {
	if s.dialect == dialect.Postgres {
		tsq := q.RankTSQuery()
		return sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("ts_rank_cd(").Ident(sel.C("search_vector")).WriteString(", to_tsquery('simple', ").Arg(tsq).WriteString("))::float8")
		})
	}
	fts := q.FTS5()
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("COALESCE((SELECT -bm25(openings_fts) FROM openings_fts WHERE openings_fts MATCH ").Arg(fts).
			WriteString(" AND openings_fts.rowid = ").Ident(sel.C(opening.FieldID)).WriteString("), 0)")
	})
}

type rankedRow struct {
	ID   int     `sql:"id"`
	Rank float64 `sql:"cg_rank"`
}

// ranked pages through matches by relevance (rank DESC, id DESC): one statement for the page's
// IDs and ranks, one for the total when the client asks for it, then the nodes with what the
// client selected below them.
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
	if hasField(ctx, "totalCount") {
		if conn.TotalCount, err = base.Clone().Count(ctx); err != nil {
			return nil, err
		}
	}
	if n == 0 || !hasField(ctx, "edges") {
		return conn, nil
	}
	// Forwards the order is rank DESC, id DESC; backwards (last/before) it is reversed and the
	// page is flipped back afterwards.
	backwards := last != nil
	var rows []rankedRow
	err = base.Clone().Modify(func(sel *sql.Selector) {
		r := s.rank(sel, q)
		sel.Select(sel.C(opening.FieldID)).AppendSelectExprAs(r, "cg_rank")
		for _, c := range []*ent.Cursor{after, before} {
			if c == nil {
				continue
			}
			v, _ := c.Value.(float64)
			older := (c == after) // rows after the cursor rank lower
			sel.Where(keyset(r, sel.C(opening.FieldID), v, c.ID, older))
		}
		dir := "DESC"
		if backwards {
			dir = "ASC"
		}
		sel.OrderExpr(sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("cg_rank " + dir + ", ").Ident(sel.C(opening.FieldID)).WriteString(" " + dir)
		}))
		sel.Limit(n + 1)
	}).Scan(ctx, &rows)
	if err != nil {
		return nil, err
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

// keyset is "(rank, id) < (v, id)" when older (rows after a cursor in rank DESC, id DESC
// order), or ">" for rows before it, written out because SQLite lacks row-value comparison
// on expressions with auxiliary functions.
func keyset(rank sql.Querier, idCol string, v float64, id int, older bool) *sql.Predicate {
	op := "<"
	if !older {
		op = ">"
	}
	return sql.P(func(b *sql.Builder) {
		b.WriteString("(").Join(rank).WriteString(" " + op + " ").Arg(v).WriteString(" OR (").Join(rank).
			WriteString(" = ").Arg(v).WriteString(" AND ").Ident(idCol).WriteString(" " + op + " ").Arg(id).WriteString("))")
	})
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

// filterTokens turns the structured filters a search is most often combined with (status,
// role, city) into tsquery clauses over the tokens the PostgreSQL vector carries, so the GIN
// index alone narrows by them. It returns the where input without the filters it turned into
// tokens (they are equivalent, and left in they tempt the planner into and-ing the GIN index
// with large b-tree bitmaps).
func (s *Service) filterTokens(ctx context.Context, where *ent.OpeningWhereInput) ([]string, *ent.OpeningWhereInput, error) {
	if where == nil {
		return nil, nil, nil
	}
	rest := *where
	var out []string
	if where.Status != nil {
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
