package graph_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/internal/expiry"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestRoleLiveOpeningsTotalFromTheIndex: a role's page of live openings (where: {status: LIVE}
// and nothing else) takes its totalCount from the match index rather than counting in SQL, and
// the count stays what SQL counts through creates, closes, moves between roles, deletes and
// expiry, on both databases; every other filter is still counted in SQL.
func TestRoleLiveOpeningsTotalFromTheIndex(t *testing.T) {
	const q = `query($slug: String!) { role(slug: $slug) {
		live: openings(first: 2, where: {status: LIVE}, orderBy: {field: POSTED_AT, direction: DESC}) {
			totalCount edges { node { id } } }
		totalOnly: openings(where: {status: LIVE}) { totalCount pageInfo { hasNextPage } }
		none: openings(first: 0, where: {status: LIVE}) { totalCount }
		remote: openings(first: 2, where: {status: LIVE, workMode: REMOTE}) { totalCount edges { node { id } } }
		all: openings(first: 2) { totalCount }
	} }`
	type conn struct {
		TotalCount int `json:"totalCount"`
		PageInfo   struct {
			HasNextPage bool `json:"hasNextPage"`
		} `json:"pageInfo"`
		Edges []struct{} `json:"edges"`
	}
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := context.Background()
		c := env.DB.Client
		backend := c.Role.Query().Where(role.Slug("backend-developer")).OnlyX(ctx)
		frontend := c.Role.Query().Where(role.Slug("frontend-developer")).OnlyX(ctx)
		check := func(step string) {
			t.Helper()
			for _, r := range []struct {
				slug string
				id   int
			}{{"backend-developer", backend.ID}, {"frontend-developer", frontend.ID}} {
				live := c.Opening.Query().Where(opening.RoleID(r.id), opening.StatusEQ(opening.StatusLIVE)).CountX(ctx)
				remote := c.Opening.Query().Where(opening.RoleID(r.id), opening.StatusEQ(opening.StatusLIVE),
					opening.WorkModeEQ(opening.WorkModeREMOTE)).CountX(ctx)
				all := c.Opening.Query().Where(opening.RoleID(r.id)).CountX(ctx)
				env.Statements.Reset()
				var d struct {
					Role struct {
						Live, TotalOnly, None, Remote, All conn
					} `json:"role"`
				}
				testenv.Post(t, h, q, map[string]any{"slug": r.slug}).MustData(t, &d)
				assert.Equal(t, live, d.Role.Live.TotalCount, "%s: %s: live", step, r.slug)
				assert.Len(t, d.Role.Live.Edges, min(2, live), "%s: %s: the page", step, r.slug)
				assert.Equal(t, live, d.Role.TotalOnly.TotalCount, "%s: %s: totalCount alone", step, r.slug)
				assert.Equal(t, live, d.Role.None.TotalCount, "%s: %s: first: 0", step, r.slug)
				assert.Equal(t, remote, d.Role.Remote.TotalCount, "%s: %s: another filter", step, r.slug)
				assert.Equal(t, all, d.Role.All.TotalCount, "%s: %s: no filter", step, r.slug)
				// Counted in SQL: the remote connection (its count a sub-select of its page) and
				// the unfiltered one (no page: a count of its own); the three live ones are not.
				counts := 0
				for _, s := range env.Statements.List() {
					if strings.Contains(s, "COUNT(") && strings.Contains(s, "role_id") {
						counts++
					}
				}
				assert.Equal(t, 2, counts, "%s: statements counting openings:\n%s", step, env.Statements.Statements())
			}
		}
		check("seeded")
		require.Positive(t, c.Opening.Query().Where(opening.RoleID(backend.ID), opening.StatusEQ(opening.StatusLIVE)).CountX(ctx))

		// Closed.
		o := c.Opening.Query().Where(opening.RoleID(backend.ID), opening.StatusEQ(opening.StatusLIVE)).FirstX(ctx)
		c.Opening.UpdateOne(o).SetStatus(opening.StatusCLOSED).ExecX(ctx)
		check("closed")
		// Reopened under another role.
		c.Opening.UpdateOne(o).SetStatus(opening.StatusLIVE).SetRoleID(frontend.ID).ExecX(ctx)
		check("moved to another role")
		// Moved back while live.
		c.Opening.UpdateOne(o).SetRoleID(backend.ID).ExecX(ctx)
		check("moved back")
		// Deleted.
		del := c.Opening.Query().Where(opening.RoleID(frontend.ID), opening.StatusEQ(opening.StatusLIVE)).FirstX(ctx)
		c.Opening.DeleteOne(del).ExecX(ctx)
		check("deleted")
		// Created: a copy of a live opening of the role.
		tmpl := c.Opening.Query().Where(opening.RoleID(backend.ID), opening.StatusEQ(opening.StatusLIVE)).FirstX(ctx)
		c.Opening.Create().SetTitle(tmpl.Title).SetDescription(tmpl.Description).SetRoleID(backend.ID).
			SetCompanyID(tmpl.CompanyID).SetPostedAt(time.Now()).SetExternalID("livecount-new").SetWorkMode(tmpl.WorkMode).
			SetSource("test").ExecX(ctx)
		check("created")
		// Expired: every opening past its validity, by the expiry sweep.
		n, err := expiry.Sweep(ctx, c, time.Now().AddDate(5, 0, 0), 24*time.Hour)
		require.NoError(t, err)
		require.Positive(t, n, "the sweep expired openings")
		check("expired")
	})
}
