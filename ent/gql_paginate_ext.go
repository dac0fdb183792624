package ent

// This file is hand-written (entc leaves it alone): the helpers of single-statement pagination
// for the connections a cluster page nests under a role; the PaginateCounted methods themselves
// are generated from ent/template/paginate_counted.tmpl for types annotated
// schema.CountedPagination. entgql's Paginate runs COUNT(*) and the page
// as two statements; PaginateCounted asks for the count as a scalar sub-select of the page
// query, which both databases evaluate once, so a connection costs one statement.

import (
	"context"
	"fmt"
	"reflect"

	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/careergraph/careergraph/ent/opening"
)

// totalCountColumn is the alias of the scalar sub-select that carries the connection's total.
const totalCountColumn = "cg_total_count"

// countSubquery returns "SELECT COUNT(*) FROM <table> WHERE <filters>" for a filtered query.
func countSubquery(sel *sql.Selector) *sql.Selector {
	return sel.Select(sql.Count("*"))
}

// wantsTotal reports whether the client selected totalCount on the connection. Unlike
// Paginate, pageInfo alone costs no count: hasNextPage and hasPreviousPage come from fetching
// one row more than the page and from the cursors.
func wantsTotal(ctx context.Context) bool {
	return hasCollectedField(ctx, totalCountField)
}

// totalOf reads the sub-selected total from the first row of a page.
func totalOf(v any, err error) (int, error) {
	if err != nil {
		return 0, fmt.Errorf("read total count: %w", err)
	}
	switch n := v.(type) {
	case int64:
		return int(n), nil
	case int:
		return n, nil
	case float64:
		return int(n), nil
	case []byte:
		var x int
		_, err := fmt.Sscan(string(n), &x)
		return x, err
	default:
		return 0, fmt.Errorf("read total count: unexpected %T", v)
	}
}

// OpeningsConnection resolves Role.openings. A list of roles eager-loads its openings through
// entgql (a constant number of statements for the whole list) and they are served from there;
// a role loaded on its own reads its page and total in one statement.
//
// liveCount, when not nil, counts the role's live openings without a statement of its own (the
// server passes the match index's count): a page of the live openings only, where: {status:
// LIVE} and nothing else, takes its totalCount from it instead of counting in SQL, which at a
// million openings reads every live opening of the role (18 ms for 115,000 of them).
func (_m *Role) OpeningsConnection(
	ctx context.Context, after *Cursor, first *int, before *Cursor, last *int, orderBy *OpeningOrder, where *OpeningWhereInput,
	liveCount func(ctx context.Context, role int) (int, error),
) (*OpeningConnection, error) {
	alias := graphql.GetFieldContext(ctx).Field.Alias
	// Index 0: openings is Role's only entgql connection edge (see Role.Openings in gql_edge.go).
	_, hasTotalCount := _m.Edges.totalCount[0][alias]
	if _, err := _m.NamedOpenings(alias); err == nil || hasTotalCount {
		return _m.Openings(ctx, after, first, before, last, orderBy, where)
	}
	var total func(context.Context) (int, error)
	if liveCount != nil && OnlyLive(where) {
		total = func(ctx context.Context) (int, error) { return liveCount(ctx, _m.ID) }
	}
	return _m.QueryOpenings().PaginateCountedBy(ctx, total, after, first, before, last,
		WithOpeningOrder(orderBy), WithOpeningFilter(where.Filter))
}

// OnlyLive reports whether where selects live openings and nothing else: {status: LIVE}.
func OnlyLive(where *OpeningWhereInput) bool {
	if where == nil || where.Status == nil || *where.Status != opening.StatusLIVE {
		return false
	}
	rest := *where
	rest.Status = nil
	return reflect.DeepEqual(rest, OpeningWhereInput{})
}

// CollectFieldsAt eager-loads what the client selected at path below the field in ctx (for
// example "edges", "node" of a connection, or "edges", "node", "opening" of a match result),
// for queries that load openings outside Paginate.
func (_m *OpeningQuery) CollectFieldsAt(ctx context.Context, path ...string) (*OpeningQuery, error) {
	if graphql.GetFieldContext(ctx) == nil {
		return _m, nil
	}
	if field := collectedField(ctx, path...); field != nil {
		if err := _m.collectField(ctx, false, graphql.GetOperationContext(ctx), *field, path); err != nil {
			return nil, err
		}
	}
	return _m, nil
}

// SetNamedMembers records members as the skill's members edge loaded under the GraphQL alias
// name, for loaders that read members in a statement of their own design
// (internal/loader.coreSkills reads core skills and their groups' members in one).
func (_m *Skill) SetNamedMembers(name string, members []*Skill) {
	_m.appendNamedMembers(name, members...)
}
