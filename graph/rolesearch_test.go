package graph_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/careerroute"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/testenv"
)

type roleSearchData struct {
	Roles struct {
		TotalCount int `json:"totalCount"`
		PageInfo   struct {
			HasNextPage bool   `json:"hasNextPage"`
			EndCursor   string `json:"endCursor"`
		} `json:"pageInfo"`
		Edges []struct {
			Node struct {
				Slug string `json:"slug"`
			} `json:"node"`
		} `json:"edges"`
	} `json:"roles"`
}

func (d roleSearchData) slugs() []string {
	out := []string{}
	for _, e := range d.Roles.Edges {
		out = append(out, e.Node.Slug)
	}
	return out
}

// TestRolesSearch finds the seed's roles by what people call them, pages through results
// with cursors, and refuses what it cannot answer.
func TestRolesSearch(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		search := func(args string, vars map[string]any) roleSearchData {
			t.Helper()
			var d roleSearchData
			testenv.Post(t, h, `query($s: String!, $after: Cursor) { roles(search: $s, after: $after, `+args+`) {
				totalCount pageInfo { hasNextPage endCursor } edges { node { slug } } } }`, vars).MustData(t, &d)
			return d
		}
		for _, q := range []string{"backend engineer", "back-end dev", "API developer", "Backend Developer", "server side dev", "backnd enginer"} {
			d := search("first: 3", map[string]any{"s": q})
			require.NotEmpty(t, d.Roles.Edges, q)
			assert.Equal(t, "backend-developer", d.slugs()[0], q)
		}
		d := search("first: 3", map[string]any{"s": "SRE"})
		require.NotEmpty(t, d.Roles.Edges)
		assert.Equal(t, "site-reliability-engineer", d.slugs()[0])

		// Paging: every role whose title says "developer" or "engineer", two at a time.
		all := search("first: 50", map[string]any{"s": "developer"})
		require.Greater(t, all.Roles.TotalCount, 4)
		assert.Len(t, all.Roles.Edges, all.Roles.TotalCount)
		var paged []string
		var after any
		for i := 0; i < 20; i++ {
			p := search("first: 2", map[string]any{"s": "developer", "after": after})
			assert.Equal(t, all.Roles.TotalCount, p.Roles.TotalCount)
			paged = append(paged, p.slugs()...)
			if !p.Roles.PageInfo.HasNextPage {
				break
			}
			after = p.Roles.PageInfo.EndCursor
		}
		assert.Equal(t, all.slugs(), paged, "pages in order, without gaps or repeats")

		// where narrows the candidates.
		var w roleSearchData
		testenv.Post(t, h, `{ roles(search: "engineer", where: {titleContainsFold: "data"}) { totalCount edges { node { slug } } } }`, nil).MustData(t, &w)
		assert.Equal(t, []string{"data-engineer"}, w.slugs())

		for arg, q := range map[string]string{
			"search":  `{ roles(search: "  ") { totalCount } }`,
			"orderBy": `{ roles(search: "backend", orderBy: {field: TITLE}) { totalCount } }`,
		} {
			res := testenv.Post(t, h, q, nil)
			assert.Equal(t, "BAD_USER_INPUT", res.Code(), arg)
			assert.Contains(t, res.String(), `"`+arg+`"`, arg)
		}
	})
}

// TestRelatedRoles checks the documented score on known data: Backend ranks Node.js / Java
// (a group of two), PostgreSQL, Docker and Kubernetes, five skills in all.
func TestRelatedRoles(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := newMarket(t, b)
		ctx := context.Background()
		c := m.env.DB.Client
		backend := c.Role.Query().Where(role.Slug("backend")).OnlyX(ctx)
		sk := func(slug string) int { return c.Skill.Query().Where(skill.Slug(slug)).OnlyIDX(ctx) }
		mk := func(slug, title string, skills ...string) int {
			r := c.Role.Create().SetSlug(slug).SetTitle(title).SetSummary("s").SetFamily("Engineering").
				SetExperienceMinYears(0).SetExperienceMaxYears(5).SetSource("test").SaveX(ctx)
			for i, s := range skills {
				c.RoleSkill.Create().SetRoleID(r.ID).SetSkillID(sk(s)).SetRank(i + 1).SetSource("test").ExecX(ctx)
			}
			return r.ID
		}
		mk("jvm", "JVM Developer", "java", "docker", "redis")     // 2 of 5 shared: 70 × 2/5 = 28
		platform := mk("platform", "Platform Engineer", "docker") // 1 of 5: 14, + a route: 44
		mk("gopher", "Go Developer", "go")                        // nothing shared: left out
		c.CareerRoute.Create().SetFromRoleID(backend.ID).SetToRoleID(platform).SetKind(careerroute.KindLATERAL).SetSource("test").ExecX(ctx)

		var d struct {
			Role struct {
				RelatedRoles []struct {
					Role         struct{ Slug string } `json:"role"`
					Score        int                   `json:"score"`
					SharedSkills []named               `json:"sharedSkills"`
					Route        *struct {
						Kind string                `json:"kind"`
						To   struct{ Slug string } `json:"to"`
					} `json:"route"`
				} `json:"relatedRoles"`
			} `json:"role"`
		}
		testenv.Post(t, m.h, `{ role(slug: "backend") { relatedRoles { role { slug } score sharedSkills { name } route { kind to { slug } } } } }`, nil).MustData(t, &d)
		rel := d.Role.RelatedRoles
		require.Len(t, rel, 2)
		assert.Equal(t, "platform", rel[0].Role.Slug)
		assert.Equal(t, 44, rel[0].Score)
		assert.Equal(t, []named{{"Docker"}}, rel[0].SharedSkills)
		require.NotNil(t, rel[0].Route)
		assert.Equal(t, "LATERAL", rel[0].Route.Kind)
		assert.Equal(t, "jvm", rel[1].Role.Slug)
		assert.Equal(t, 28, rel[1].Score)
		assert.Equal(t, []named{{"Node.js / Java"}, {"Docker"}}, rel[1].SharedSkills, "the group shares its member Java")
		assert.Nil(t, rel[1].Route)

		res := testenv.Post(t, m.h, `{ role(slug: "backend") { relatedRoles(first: 51) { score } } }`, nil)
		assert.Equal(t, "BAD_USER_INPUT", res.Code())
	})
}
