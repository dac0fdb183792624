package rolesearch

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/titles"
)

// MaxSearchLen bounds a search's length in characters; a title is never longer.
const MaxSearchLen = 200

// DefaultPage is how many roles a search returns when neither first nor last is given.
const DefaultPage = 20

// Search returns the roles that match text (see Rank), most relevant first, as a page of a
// connection: filter (the where input's, may be nil) narrows the candidates, and after/before
// are cursors of earlier answers (a role's ID with its score). totalCount is the number of
// roles that match. It costs one statement: every candidate role is read and scored in
// memory, which suits a catalogue of hundreds of roles, not of millions.
func Search(ctx context.Context, client *ent.Client, text string,
	filter func(*ent.RoleQuery) (*ent.RoleQuery, error),
	after *ent.Cursor, first *int, before *ent.Cursor, last *int) (*ent.RoleConnection, error) {
	if strings.TrimSpace(text) == "" || len(titles.Tokens(text)) == 0 {
		return nil, apperr.BadInput("search", "search: send the words of a job title, such as \"backend engineer\"")
	}
	if utf8.RuneCountInString(text) > MaxSearchLen {
		return nil, apperr.BadInput("search", "search: at most %d characters", MaxSearchLen)
	}
	q := client.Role.Query()
	if filter != nil {
		var err error
		if q, err = filter(q); err != nil {
			return nil, err
		}
	}
	roles, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	cands := make([]Candidate, len(roles))
	byID := make(map[int]*ent.Role, len(roles))
	for i, r := range roles {
		cands[i] = Candidate{ID: r.ID, Title: r.Title, Aliases: r.Aliases}
		byID[r.ID] = r
	}
	hits := Rank(text, cands)
	conn := &ent.RoleConnection{TotalCount: len(hits), Edges: []*ent.RoleEdge{}}
	lo, hi := 0, len(hits)
	if after != nil {
		lo = indexAfter(hits, after.ID)
	}
	if before != nil {
		if i := indexOf(hits, before.ID); i >= 0 && i < hi {
			hi = i
		}
	}
	if lo > hi {
		lo = hi
	}
	window := hits[lo:hi]
	switch {
	case first != nil:
		if *first < len(window) {
			window = window[:*first]
			conn.PageInfo.HasNextPage = true
		}
	case last != nil:
		if *last < len(window) {
			window = window[len(window)-*last:]
			conn.PageInfo.HasPreviousPage = true
		}
	default:
		if DefaultPage < len(window) {
			window = window[:DefaultPage]
			conn.PageInfo.HasNextPage = true
		}
	}
	conn.PageInfo.HasNextPage = conn.PageInfo.HasNextPage || before != nil && hi < len(hits)
	conn.PageInfo.HasPreviousPage = conn.PageInfo.HasPreviousPage || after != nil && lo > 0
	for _, h := range window {
		conn.Edges = append(conn.Edges, &ent.RoleEdge{Node: byID[h.ID], Cursor: ent.Cursor{ID: h.ID, Value: h.Score}})
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	return conn, nil
}

func indexOf(hits []Hit, id int) int {
	for i, h := range hits {
		if h.ID == id {
			return i
		}
	}
	return -1
}

// indexAfter is where the page after the role id starts; a role that no longer matches
// (edited since the cursor was handed out) starts from the beginning of the results.
func indexAfter(hits []Hit, id int) int {
	if i := indexOf(hits, id); i >= 0 {
		return i + 1
	}
	return 0
}
