package graph_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/testenv"
)

// skillPage is what a skill page asks: the skill, its groups and members, the roles that rank
// it as a core skill (with the rank), its interview questions, the requirements that name it,
// its openings and salary records, each walked back to its role, company or city.
const skillPage = `query SkillPage($slug: String!) {
  skill(slug: $slug) {
    id slug name category synonyms groupMode
    seo { canonicalPath metaTitle metaDescription jsonLd }
    groups { name } members { name }
    coreOf(first: 20, orderBy: {field: RANK}) { totalCount edges { node { rank role { slug title } } } }
    interviewQuestions(first: 20) { totalCount edges { node { question kind role { title } } } }
    roleItems(first: 20, where: {kind: REQUIREMENT}) { totalCount edges { node { text role { title } } } }
    openings(first: 20, where: {status: LIVE}, orderBy: {field: POSTED_AT, direction: DESC}) {
      totalCount edges { node { title company { name } location { city } role { title } } } }
    salaryRecords(first: 20) { totalCount edges { node { minAmount role { title } location { city } } } }
  }
}`

type skillPageData struct {
	Skill *struct {
		Name   string  `json:"name"`
		Groups []named `json:"groups"`
		CoreOf struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node struct {
					Rank int `json:"rank"`
					Role struct {
						Slug  string `json:"slug"`
						Title string `json:"title"`
					} `json:"role"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"coreOf"`
		InterviewQuestions struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node struct {
					Question string                 `json:"question"`
					Role     struct{ Title string } `json:"role"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"interviewQuestions"`
		RoleItems struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node struct {
					Text string                 `json:"text"`
					Role struct{ Title string } `json:"role"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"roleItems"`
		Openings struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node struct {
					Title   string `json:"title"`
					Company named  `json:"company"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"openings"`
	} `json:"skill"`
}

// TestSkillLeadsBack: the seed's Docker skill leads back to the roles that rank it (Backend
// Developer at rank 7, as on the page), to interview questions and openings; the page's
// server-side-language group leads back to the requirement that names it.
func TestSkillLeadsBack(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		var d skillPageData
		testenv.Post(t, h, skillPage, map[string]any{"slug": "docker"}).MustData(t, &d)
		require.NotNil(t, d.Skill)
		ranks := map[string]int{}
		for i, e := range d.Skill.CoreOf.Edges {
			ranks[e.Node.Role.Slug] = e.Node.Rank
			if i > 0 {
				assert.LessOrEqual(t, d.Skill.CoreOf.Edges[i-1].Node.Rank, e.Node.Rank, "orderBy RANK")
			}
		}
		assert.Equal(t, 7, ranks["backend-developer"], "Docker is the page's seventh core skill")
		assert.Equal(t, len(d.Skill.CoreOf.Edges), d.Skill.CoreOf.TotalCount)
		assert.NotEmpty(t, d.Skill.Openings.Edges)
		assert.Greater(t, d.Skill.Openings.TotalCount, 0)

		// The requirement "a server-side language (...)" names the page's language group.
		var g skillPageData
		testenv.Post(t, h, skillPage, map[string]any{"slug": requirementSkill(t, h)}).MustData(t, &g)
		require.NotNil(t, g.Skill)
		require.NotEmpty(t, g.Skill.RoleItems.Edges)
		assert.Equal(t, "Backend Developer", g.Skill.RoleItems.Edges[0].Node.Role.Title)
	})
}

// requirementSkill is the slug of the skill the Backend Developer's requirements name.
func requirementSkill(t *testing.T, h interface {
	ServeHTTP(w http.ResponseWriter, r *http.Request)
}) string {
	t.Helper()
	var d struct {
		Role struct {
			Requirements []struct {
				Skill *struct{ Slug string } `json:"skill"`
			} `json:"requirements"`
		} `json:"role"`
	}
	testenv.Post(t, h, `{ role(slug: "backend-developer") { requirements { skill { slug } } } }`, nil).MustData(t, &d)
	for _, r := range d.Role.Requirements {
		if r.Skill != nil {
			return r.Skill.Slug
		}
	}
	t.Fatal("no Backend Developer requirement names a skill")
	return ""
}

var skillFirst = regexp.MustCompile(`\(first: \d+`)

// TestSkillPageStatementCount: a skill page asking for all of the above costs the same number
// of statements whatever its page sizes and whichever skill.
func TestSkillPageStatementCount(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		count := func(query, slug string) int {
			t.Helper()
			env.Statements.Reset()
			var d skillPageData
			testenv.Post(t, h, query, map[string]any{"slug": slug}).MustData(t, &d)
			require.NotNil(t, d.Skill, slug)
			return env.Statements.Count()
		}
		// One salary record for Docker, so that every list on the page has rows.
		ctx := context.Background()
		c := env.DB.Client
		docker := c.Skill.Query().Where(skill.Slug("docker")).OnlyX(ctx)
		be := c.Role.Query().Where(role.Slug("backend-developer")).OnlyX(ctx)
		blr := c.Location.Query().Where(location.Slug("bengaluru")).OnlyX(ctx)
		c.SalaryRecord.Create().SetRole(be).SetSkill(docker).SetLocation(blr).SetCountryCode("IN").SetCurrency("INR").
			SetMinAmount(900000).SetSource("test").ExecX(ctx)
		base := count(skillPage, "docker")
		t.Logf("%s: the skill page ran %d statements", b, base)
		for _, n := range []string{"1", "3", "100"} {
			assert.Equal(t, base, count(skillFirst.ReplaceAllString(skillPage, "(first: "+n), "docker"), "first: %s\n%s", n, env.Statements.Statements())
		}
		// 1 skill, 2 for groups and members, 5 connections and their 5 totals, and one
		// statement per kind of node they lead to (roles of 4 lists, companies, cities of 2).
		assert.Equal(t, 21, base, "every list has rows")
		// Other skills: an empty list skips the statements of the nodes it would lead to.
		assert.LessOrEqual(t, count(skillPage, "git"), base, "another skill")
		assert.LessOrEqual(t, count(skillPage, requirementSkill(t, h)), base, "a group")
	})
}

// TestLocationLookup: location(slug:) finds a city like the other lookups, leads to the
// companies headquartered there, and answers null for an unknown slug.
func TestLocationLookup(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		var d struct {
			Known *struct {
				City          string `json:"city"`
				Headquartered struct {
					TotalCount int `json:"totalCount"`
					Edges      []struct {
						Node struct {
							Headquarters struct{ City string } `json:"headquarters"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"headquartered"`
				Openings struct{ TotalCount int } `json:"openings"`
			} `json:"known"`
			Unknown *struct{ City string } `json:"unknown"`
		}
		res := testenv.Post(t, h, `{ known: location(slug: "bengaluru") { city
			headquartered(first: 3) { totalCount edges { node { headquarters { city } } } }
			openings(first: 1) { totalCount } }
			unknown: location(slug: "atlantis") { city } }`, nil)
		assert.Empty(t, res.Errors, "an unknown slug is null without an error")
		res.MustData(t, &d)
		require.NotNil(t, d.Known)
		assert.Equal(t, "Bengaluru", d.Known.City)
		assert.Greater(t, d.Known.Headquartered.TotalCount, 0)
		for _, e := range d.Known.Headquartered.Edges {
			assert.Equal(t, "Bengaluru", e.Node.Headquarters.City, "and back")
		}
		assert.Greater(t, d.Known.Openings.TotalCount, 0)
		assert.Nil(t, d.Unknown)
	})
}
