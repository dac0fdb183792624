package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/internal/testenv"
)

type conn struct {
	TotalCount int `json:"totalCount"`
	PageInfo   struct {
		HasNextPage     bool    `json:"hasNextPage"`
		HasPreviousPage bool    `json:"hasPreviousPage"`
		StartCursor     *string `json:"startCursor"`
		EndCursor       *string `json:"endCursor"`
	} `json:"pageInfo"`
	Edges []struct {
		Cursor string `json:"cursor"`
		Node   struct {
			ID       string `json:"id"`
			PostedAt string `json:"postedAt"`
			Title    string `json:"title"`
		} `json:"node"`
	} `json:"edges"`
}

// fetchPage runs one page query against a root connection or one nested under the
// backend-developer role.
func fetchPage(t *testing.T, h http.Handler, field string, nested bool, args string) conn {
	t.Helper()
	sel := fmt.Sprintf(`%s(%s) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id postedAt title } } }`, field, args)
	q := "{ " + sel + " }"
	if nested {
		q = `{ role(slug: "backend-developer") { ` + sel + ` } }`
	}
	var raw map[string]json.RawMessage
	testenv.Post(t, h, q, nil).MustData(t, &raw)
	body := raw[field]
	if nested {
		var r map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw["role"], &r))
		body = r[field]
	}
	var c conn
	require.NoError(t, json.Unmarshal(body, &c))
	return c
}

// walk pages forwards (first/after) through a root connection or one nested under the
// backend-developer role, with pages of n, and returns the node IDs in order, checking
// totalCount and pageInfo on every page.
func walk(t *testing.T, h http.Handler, field string, nested bool, args string, n int) ([]string, int) {
	t.Helper()
	var ids []string
	var cursor *string
	total := -1
	for page := 0; ; page++ {
		require.Less(t, page, 200, "pagination does not end")
		pageArgs := fmt.Sprintf("first: %d", n)
		if cursor != nil {
			pageArgs += fmt.Sprintf(", after: %q", *cursor)
		}
		c := fetchPage(t, h, field, nested, pageArgs+args)
		if total < 0 {
			total = c.TotalCount
		}
		assert.Equal(t, total, c.TotalCount, "totalCount is the same on every page")
		require.LessOrEqual(t, len(c.Edges), n)
		for i, e := range c.Edges {
			ids = append(ids, e.Node.ID)
			if i == 0 {
				assert.Equal(t, e.Cursor, *c.PageInfo.StartCursor)
			}
		}
		if !c.PageInfo.HasNextPage {
			break
		}
		require.Len(t, c.Edges, n, "a page before the last is full")
		cursor = c.PageInfo.EndCursor
	}
	return ids, total
}

func idsOf(os []*ent.Opening) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = fmt.Sprint(o.ID)
	}
	return out
}

func TestOpeningsPaginateForwardsAndBackwards(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := context.Background()
		client := env.DB.Client

		// Root list, filtered and ordered by a non-unique field (ties broken by id).
		want, err := client.Opening.Query().
			Where(opening.StatusEQ(opening.StatusLIVE), opening.WorkModeEQ(opening.WorkModeHYBRID)).
			Order(ent.Desc(opening.FieldPostedAt), ent.Desc(opening.FieldID)).All(ctx)
		require.NoError(t, err)
		require.Greater(t, len(want), 20, "the seed has enough hybrid openings to page through")
		args := `, where: {status: LIVE, workMode: HYBRID}, orderBy: {field: POSTED_AT, direction: DESC}`
		got, total := walk(t, h, "openings", false, args, 7)
		assert.Equal(t, len(want), total)
		assert.Equal(t, idsOf(want), got, "forwards: every opening once, in order")

		back, total := walkBack(t, h, "openings", false, args, 7)
		assert.Equal(t, len(want), total)
		assert.Equal(t, idsOf(want), back, "backwards: the same openings in the same order")

		// The nested, single-statement connection behaves the same.
		be, err := client.Role.Query().Where(role.Slug("backend-developer")).Only(ctx)
		require.NoError(t, err)
		wantNested, err := be.QueryOpenings().Where(opening.StatusEQ(opening.StatusLIVE)).
			Order(ent.Asc(opening.FieldTitle), ent.Asc(opening.FieldID)).All(ctx)
		require.NoError(t, err)
		nargs := `, where: {status: LIVE}, orderBy: {field: TITLE, direction: ASC}`
		got, total = walk(t, h, "openings", true, nargs, 9)
		assert.Equal(t, len(wantNested), total)
		assert.Equal(t, idsOf(wantNested), got)
		back, total = walkBack(t, h, "openings", true, nargs, 9)
		assert.Equal(t, len(wantNested), total)
		assert.Equal(t, idsOf(wantNested), back)
	})
}

// walkBack pages backwards from the end with last/before and returns the IDs in forward order.
func walkBack(t *testing.T, h http.Handler, field string, nested bool, args string, n int) ([]string, int) {
	t.Helper()
	var pages [][]string
	var cursor *string
	total := -1
	for page := 0; ; page++ {
		require.Less(t, page, 200)
		pageArgs := fmt.Sprintf("last: %d", n)
		if cursor != nil {
			pageArgs += fmt.Sprintf(", before: %q", *cursor)
		}
		c := fetchPage(t, h, field, nested, pageArgs+args)
		if total < 0 {
			total = c.TotalCount
		}
		assert.Equal(t, total, c.TotalCount)
		var ids []string
		for _, e := range c.Edges {
			ids = append(ids, e.Node.ID)
		}
		pages = append(pages, ids)
		if !c.PageInfo.HasPreviousPage {
			break
		}
		require.Len(t, c.Edges, n)
		cursor = c.PageInfo.StartCursor
	}
	var out []string
	for i := len(pages) - 1; i >= 0; i-- {
		out = append(out, pages[i]...)
	}
	return out, total
}
