package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/salaryrecord"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/search"
	"github.com/careergraph/careergraph/internal/testenv"
)

// market is a small, fully known job market: the rankings below are worked out by hand from
// the scoring rules in internal/matching.
type market struct {
	h   http.Handler
	env *testenv.Env
	ids map[string]string // opening letter -> GraphQL ID
	ref map[string]string // skill, company, location and role slugs -> GraphQL ID
}

func newMarket(t *testing.T, b testenv.Backend) *market {
	t.Helper()
	env := testenv.New(t, b)
	ctx := context.Background()
	c := env.DB.Client
	blr := c.Location.Create().SetSlug("bengaluru").SetCity("Bengaluru").SetCountryCode("IN").SetSource("test").SaveX(ctx)
	pune := c.Location.Create().SetSlug("pune").SetCity("Pune").SetCountryCode("IN").SetSource("test").SaveX(ctx)
	acme := c.Company.Create().SetSlug("acme").SetName("Acme Cloud").SetSource("test").SaveX(ctx)
	beta := c.Company.Create().SetSlug("beta").SetName("Beta Retail").SetSource("test").SaveX(ctx)
	sk := map[string]*ent.Skill{}
	mk := func(slug, name string, cat skill.Category, syn ...string) {
		sk[slug] = c.Skill.Create().SetSlug(slug).SetName(name).SetCategory(cat).SetSynonyms(append([]string{}, syn...)).SetSource("test").SaveX(ctx)
	}
	mk("go", "Go", skill.CategoryLANGUAGE, "golang")
	mk("kubernetes", "Kubernetes", skill.CategoryTOOL, "k8s")
	mk("postgresql", "PostgreSQL", skill.CategoryDATABASE, "Postgres")
	mk("docker", "Docker", skill.CategoryTOOL)
	mk("redis", "Redis", skill.CategoryDATABASE)
	mk("kafka", "Kafka", skill.CategoryTOOL)
	mk("rest", "REST", skill.CategoryAPI)
	mk("java", "Java", skill.CategoryLANGUAGE)
	mk("nodejs", "Node.js", skill.CategoryLANGUAGE, "NodeJS")
	sk["nodejs-java"] = c.Skill.Create().SetSlug("nodejs-java").SetName("Node.js / Java").SetCategory(skill.CategoryLANGUAGE).
		SetGroupMode(skill.GroupModeANY_OF).AddMembers(sk["nodejs"], sk["java"]).SetSource("test").SaveX(ctx)

	backend := c.Role.Create().SetSlug("backend").SetTitle("Backend").SetSummary("s").SetFamily("Engineering").
		SetExperienceMinYears(0).SetExperienceMaxYears(8).SetSource("test").SaveX(ctx)
	other := c.Role.Create().SetSlug("other").SetTitle("Other").SetSummary("s").SetFamily("Engineering").
		SetExperienceMinYears(0).SetExperienceMaxYears(8).SetSource("test").SaveX(ctx)
	for i, s := range []string{"nodejs-java", "postgresql", "docker", "kubernetes"} {
		c.RoleSkill.Create().SetRoleID(backend.ID).SetSkillID(sk[s].ID).SetRank(i + 1).SetSource("test").ExecX(ctx)
	}
	c.SalaryRecord.Create().SetRoleID(backend.ID).SetCountryCode("IN").SetCurrency("INR").
		SetMinAmount(1000000).SetMaxAmount(3000000).SetSource("test").ExecX(ctx)
	c.SalaryRecord.Create().SetRoleID(backend.ID).SetCountryCode("IN").SetCurrency("INR").SetLevel(salaryrecord.LevelMID).
		SetMinAmount(1200000).SetMaxAmount(2000000).SetSource("test").ExecX(ctx)

	posted := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	m := &market{env: env, ids: map[string]string{}}
	var all []int
	add := func(letter, title string, co *ent.Company, loc *ent.Location, mode opening.WorkMode, role *ent.Role,
		expMin, expMax int, lo, hi int64, status opening.Status, skills ...string) {
		b := c.Opening.Create().SetExternalID(letter).SetSource("test").SetTitle(title).SetCompany(co).SetRole(role).
			SetWorkMode(mode).SetExperienceMinYears(expMin).SetExperienceMaxYears(expMax).SetStatus(status).
			SetPostedAt(posted.Add(time.Duration(len(all)) * time.Hour))
		if loc != nil {
			b.SetLocation(loc)
		}
		if lo > 0 {
			b.SetSalaryMin(lo).SetSalaryMax(hi).SetSalaryCurrency("INR").SetSalaryPeriod(opening.SalaryPeriodYEAR)
		}
		for _, s := range skills {
			b.AddSkills(sk[s])
		}
		o := b.SaveX(ctx)
		all = append(all, o.ID)
		m.ids[letter] = fmt.Sprint(o.ID)
	}
	live, closed := opening.StatusLIVE, opening.StatusCLOSED
	add("A", "Senior Golang Engineer", acme, blr, opening.WorkModeONSITE, backend, 3, 6, 2000000, 3000000, live, "go", "kubernetes", "postgresql", "docker")
	add("B", "Go Developer", beta, pune, opening.WorkModeONSITE, backend, 2, 5, 0, 0, live, "go", "docker", "redis", "kafka")
	add("C", "Platform Engineer (Kubernetes)", acme, blr, opening.WorkModeHYBRID, backend, 5, 9, 3000000, 4500000, live, "kubernetes", "docker", "go")
	add("D", "Java Developer", beta, blr, opening.WorkModeONSITE, other, 0, 2, 500000, 800000, live, "java", "rest")
	add("E", "Closed Go role", acme, blr, opening.WorkModeONSITE, backend, 1, 3, 0, 0, closed, "go", "kubernetes")
	add("F", "Remote Node.js Engineer", beta, nil, opening.WorkModeREMOTE, backend, 1, 4, 1200000, 1800000, live, "nodejs", "rest", "docker")
	add("H", "Backend Engineer (Node or Java)", beta, pune, opening.WorkModeONSITE, backend, 0, 3, 0, 0, live, "nodejs-java", "rest")
	require.NoError(t, search.Reindex(ctx, c, all...))
	m.ref = map[string]string{"acme": fmt.Sprint(acme.ID), "blr": fmt.Sprint(blr.ID), "backend": fmt.Sprint(backend.ID)}
	for slug, s := range sk {
		m.ref[slug] = fmt.Sprint(s.ID)
	}
	m.h = env.Handler(t)
	return m
}

// letters maps opening IDs back to their letters, in order.
func (m *market) letters(ids []string) []string {
	back := map[string]string{}
	for l, id := range m.ids {
		back[id] = l
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = back[id]
	}
	return out
}

func (m *market) searchIDs(t *testing.T, args string) ([]string, int) {
	t.Helper()
	var d struct {
		Openings struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node struct{ ID string } `json:"node"`
			} `json:"edges"`
		} `json:"openings"`
	}
	testenv.Post(t, m.h, `{ openings(`+args+`) { totalCount edges { node { id } } } }`, nil).MustData(t, &d)
	var ids []string
	for _, e := range d.Openings.Edges {
		ids = append(ids, e.Node.ID)
	}
	return m.letters(ids), d.Openings.TotalCount
}

func TestSearchFindsAndFilters(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := newMarket(t, b)
		for _, tc := range []struct {
			args string
			want []string
		}{
			{`search: "golang kubernetes", first: 20, where: {status: LIVE}`, []string{"A", "C"}},
			{`search: "golang kubernetes", first: 20`, []string{"A", "C", "E"}},
			{`search: "kube", first: 20, where: {status: LIVE}`, []string{"A", "C"}}, // prefix
			{`search: "K8S", first: 20, where: {status: LIVE}`, []string{"A", "C"}},  // synonym, any case
			{`search: "acme", first: 20, where: {status: LIVE}`, []string{"A", "C"}}, // company
			{`search: "pune", first: 20`, []string{"B", "H"}},                        // city
			{`search: "nodejs", first: 20`, []string{"F", "H"}},                      // "Node.js" as one word; a group's member name
			{`search: "kafka", first: 20`, []string{"B"}},
			{`search: "go", first: 20, where: {status: LIVE}`, []string{"A", "B", "C"}}, // whole word: not "google"
			{`search: "golang kubernetes", first: 20, where: {status: LIVE, hasLocationWith: {city: "Bengaluru"}, skillsAllOf: ["Postgres"]}`, []string{"A"}},
			{`first: 20, where: {status: LIVE, experienceYears: 7}`, []string{"C"}},
			{`first: 20, where: {status: LIVE, minSalary: {amount: 2500000, currency: "INR"}}`, []string{"A", "C"}},
			{`first: 20, where: {status: LIVE, minSalary: {amount: 250000, currency: "INR", period: MONTH}}`, []string{"A", "C"}},
			{`first: 20, where: {skillsAnyOf: ["kafka", "JAVA"]}`, []string{"B", "D", "H"}},  // Java also via the group H asks for
			{`first: 20, where: {skillsAllOf: ["Node.js / Java"]}`, []string{"D", "F", "H"}}, // a group matches its members
			// Searches with skill filters: the filter's skills also narrow the search's words
			// (internal/search, narrow.go), never to fewer openings than the filter keeps.
			{`search: "engineer", first: 20, where: {skillsAllOf: ["Node.js / Java"]}`, []string{"F", "H"}}, // F asks for a member only
			{`search: "engineer", first: 20, where: {skillsAnyOf: ["java"]}`, []string{"H"}},                // through the group H asks for
			{`search: "developer", first: 20, where: {skillsAnyOf: ["java", "kafka"]}`, []string{"B", "D"}},
			{`search: "engineer", first: 20, where: {skillsAllOf: ["docker", "go"], status: LIVE}`, []string{"A", "C"}},
			{`search: "engineer", first: 20, where: {not: {skillsAnyOf: ["docker"]}}`, []string{"H"}},
			{`search: "engineer", first: 20, where: {or: [{skillsAnyOf: ["java"]}, {skillsAnyOf: ["kubernetes"]}]}`, []string{"A", "C", "H"}},
			{`search: "cobol", first: 20`, nil},
			{`search: "golang", first: 20, where: {status: CLOSED}`, []string{"E"}},
			{`search: "golang", first: 20, where: {hasLocationWith: {city: "Atlantis"}}`, nil},
			{`search: "golang", first: 20, where: {hasLocationWith: {cityEqualFold: "PUNE"}}`, []string{"B"}},
			{`search: "golang", first: 20, where: {hasLocationWith: {city: "Pune", countryCode: "IN"}}`, []string{"B"}},
			{`search: "golang", first: 20, where: {or: [{status: CLOSED}, {workMode: HYBRID}]}`, []string{"C", "E"}},
			{`search: "golang", first: 20, where: {minSalary: {amount: 2500000, currency: "INR"}, experienceYears: 5}`, []string{"A", "C"}},
		} {
			got, total := m.searchIDs(t, tc.args)
			assert.ElementsMatch(t, tc.want, got, tc.args)
			assert.Equal(t, len(tc.want), total, tc.args)
		}
	})
}

// TestSkillFiltersNarrowTheSearch: on PostgreSQL a search's top-level skill filter also
// narrows its tsquery by the skills' name words (internal/search, narrow.go); one inside not
// does not. The answers are TestSearchFindsAndFilters'.
func TestSkillFiltersNarrowTheSearch(t *testing.T) {
	for _, b := range testenv.Backends(t) {
		if b != testenv.Postgres {
			continue // SQLite's FTS5 search has no filter tokens
		}
		t.Run(string(b), func(t *testing.T) {
			m := newMarket(t, b)
			tsqueries := func(args string) string {
				m.env.Statements.Reset()
				m.searchIDs(t, args)
				var out []string
				stmts, argss := m.env.Statements.List(), m.env.Statements.Args()
				for i, s := range stmts {
					if !strings.Contains(s, "COUNT(*) OVER ()") {
						continue
					}
					for _, a := range argss[i] {
						if s, ok := a.(string); ok && strings.Contains(s, "engineer") {
							out = append(out, s)
						}
					}
				}
				require.NotEmpty(t, out, "the ranked page's tsquery:\n%s", strings.Join(stmts, "\n"))
				return strings.Join(out, "\n")
			}
			assert.Contains(t, tsqueries(`search: "engineer", first: 20, where: {skillsAnyOf: ["docker"]}`), "(docker)")
			assert.Contains(t, tsqueries(`search: "engineer", first: 20, where: {skillsAllOf: ["java"]}`), "(java) | (node & js & java)")
			assert.NotContains(t, tsqueries(`search: "engineer", first: 20, where: {status: LIVE, not: {skillsAnyOf: ["docker"]}}`), "docker")
			// The plan that decides on a window is made without the narrowing (its estimate
			// would fall with every clause).
			m.env.Statements.Reset()
			m.searchIDs(t, `search: "platform", first: 20, where: {skillsAnyOf: ["redis"]}`)
			stmts, argss := m.env.Statements.List(), m.env.Statements.Args()
			planned := false
			for i, s := range stmts {
				if strings.HasPrefix(s, "EXPLAIN") {
					planned = true
					assert.NotContains(t, fmt.Sprint(argss[i]...), "redis", "the plan's arguments")
				}
				if strings.Contains(s, "COUNT(*) OVER ()") {
					assert.Contains(t, fmt.Sprint(argss[i]...), "(redis)", "the page's arguments")
				}
			}
			assert.True(t, planned, "the search was planned:\n%s", strings.Join(stmts, "\n"))
		})
	}
}

func TestSearchRanksByRelevance(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := newMarket(t, b)
		// A says "golang" twice (title and skill synonym), B once (skill synonym only).
		got, _ := m.searchIDs(t, `search: "golang", first: 20, where: {status: LIVE}`)
		require.Len(t, got, 3)
		assert.Equal(t, "A", got[0])
		// An explicit order wins over relevance.
		got, _ = m.searchIDs(t, `search: "golang", first: 20, where: {status: LIVE}, orderBy: {field: TITLE}`)
		assert.Equal(t, []string{"B", "C", "A"}, got, "Go Developer, Platform Engineer, Senior Golang Engineer")
	})
}

func TestSearchPagesByKeyset(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := newMarket(t, b)
		full, total := m.searchIDs(t, `search: "docker", first: 20`)
		require.Equal(t, 4, total)
		var paged []string
		var after *string
		for i := 0; i < 10; i++ {
			args := `search: "docker", first: 1`
			if after != nil {
				args += fmt.Sprintf(`, after: %q`, *after)
			}
			var d struct {
				Openings struct {
					TotalCount int `json:"totalCount"`
					PageInfo   struct {
						HasNextPage bool   `json:"hasNextPage"`
						EndCursor   string `json:"endCursor"`
					} `json:"pageInfo"`
					Edges []struct {
						Node struct{ ID string } `json:"node"`
					} `json:"edges"`
				} `json:"openings"`
			}
			testenv.Post(t, m.h, `{ openings(`+args+`) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`, nil).MustData(t, &d)
			assert.Equal(t, 4, d.Openings.TotalCount)
			require.Len(t, d.Openings.Edges, 1)
			paged = append(paged, m.letters([]string{d.Openings.Edges[0].Node.ID})...)
			if !d.Openings.PageInfo.HasNextPage {
				break
			}
			after = &d.Openings.PageInfo.EndCursor
		}
		assert.Equal(t, full, paged, "one at a time, the same openings in the same order")
		// Backwards from the end gives the last two.
		var d struct {
			Openings struct {
				Edges []struct {
					Node struct{ ID string } `json:"node"`
				} `json:"edges"`
			} `json:"openings"`
		}
		testenv.Post(t, m.h, `{ openings(search: "docker", last: 2) { edges { node { id } } } }`, nil).MustData(t, &d)
		require.Len(t, d.Openings.Edges, 2)
		assert.Equal(t, full[2:], m.letters([]string{d.Openings.Edges[0].Node.ID, d.Openings.Edges[1].Node.ID}))
	})
}

func TestSearchBadInput(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := newMarket(t, b)
		for q, want := range map[string]string{
			`{ openings(search: "   ", first: 5) { totalCount } }`:                                        "search is blank",
			`{ openings(search: "!!! ???", first: 5) { totalCount } }`:                                    "search is blank",
			`{ openings(search: "a b c d e f g h i", first: 5) { totalCount } }`:                          "at most 8",
			`{ openings(first: 5, where: {skillsAllOf: ["Haskell"]}) { totalCount } }`:                    `unknown skill "Haskell"`,
			`{ openings(first: 5, where: {experienceYears: -1}) { totalCount } }`:                         "from 0 to 60",
			`{ openings(first: 5, where: {minSalary: {amount: 10, currency: "RUPEES"}}) { totalCount } }`: "ISO 4217",
			`{ openings(search: "go", first: 101) { totalCount } }`:                                       "first: 101",
			`{ openings(search: "x') OR 1=1 --", first: 5) { totalCount } }`:                              "",
			`{ openings(search: "\"golang\" OR *", first: 5) { totalCount } }`:                            "",
		} {
			res := testenv.Post(t, m.h, q, nil)
			if want == "" {
				// Injection attempts are only words to search for: no error, no leak.
				assert.Empty(t, res.Errors, "%s: %s", q, res)
				continue
			}
			require.NotEmpty(t, res.Errors, q)
			assert.Equal(t, "BAD_USER_INPUT", res.Code(), q)
			assert.Contains(t, res.Errors[0].Message, want, q)
		}
	})
}

type matchPage struct {
	Match struct {
		TotalCount int `json:"totalCount"`
		PageInfo   struct {
			HasNextPage bool   `json:"hasNextPage"`
			EndCursor   string `json:"endCursor"`
		} `json:"pageInfo"`
		Edges []struct {
			Node struct {
				FitScore      int     `json:"fitScore"`
				MatchedSkills []named `json:"matchedSkills"`
				MissingSkills []named `json:"missingSkills"`
				Breakdown     struct {
					Skills, Experience, Location, Salary float64
				} `json:"breakdown"`
				Opening struct{ ID string } `json:"opening"`
			} `json:"node"`
		} `json:"edges"`
	} `json:"match"`
}

const matchQuery = `query Match($p: ProfileInput!, $first: Int, $after: Cursor) { match(profile: $p, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { fitScore matchedSkills { name } missingSkills { name }
    breakdown { skills experience location salary } opening { id title } } } } }`

func (m *market) match(t *testing.T, p map[string]any, first int, after *string) matchPage {
	t.Helper()
	vars := map[string]any{"p": p, "first": first}
	if after != nil {
		vars["after"] = *after
	}
	var d matchPage
	testenv.Post(t, m.h, matchQuery, vars).MustData(t, &d)
	return d
}

func names(ns []named) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, n.Name)
	}
	sort.Strings(out)
	return out
}

func TestMatchRanksEveryLiveOpening(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := newMarket(t, b)
		profile := map[string]any{"skills": []string{"golang", "Postgres", "docker", "K8S"}, "experienceYears": 4, "city": "bengaluru"}
		d := m.match(t, profile, 20, nil)
		assert.Equal(t, 6, d.Match.TotalCount, "the six live openings; the closed one is not ranked")
		var order []string
		var scores []int
		for _, e := range d.Match.Edges {
			order = append(order, m.letters([]string{e.Node.Opening.ID})[0])
			scores = append(scores, e.Node.FitScore)
		}
		// A 60+15+15+10; C 60+10+15+10; F 20+15+15+10; B 30+15+0+10; D 0+12+15+10; H 0+13.5+0+10.
		assert.Equal(t, []string{"A", "C", "F", "B", "D", "H"}, order)
		assert.Equal(t, []int{100, 95, 60, 55, 37, 24}, scores)
		c := d.Match.Edges[1].Node
		assert.Equal(t, 60.0, c.Breakdown.Skills)
		assert.Equal(t, 10.0, c.Breakdown.Experience, "one year short of five: 15 × (1 − 1/3)")
		assert.Equal(t, 15.0, c.Breakdown.Location)
		assert.Equal(t, 10.0, c.Breakdown.Salary)
		bn := d.Match.Edges[3].Node
		assert.Equal(t, []string{"Docker", "Go"}, names(bn.MatchedSkills))
		assert.Equal(t, []string{"Kafka", "Redis"}, names(bn.MissingSkills), "the exact gaps")
		assert.Equal(t, 0.0, bn.Breakdown.Location, "onsite in Pune for a Bengaluru profile")

		// Paging by cursor walks the same ranking.
		var paged []string
		var after *string
		for i := 0; i < 5; i++ {
			p := m.match(t, profile, 4, after)
			for _, e := range p.Match.Edges {
				paged = append(paged, m.letters([]string{e.Node.Opening.ID})[0])
			}
			if !p.Match.PageInfo.HasNextPage {
				break
			}
			after = &p.Match.PageInfo.EndCursor
		}
		assert.Equal(t, order, paged)

		// An expectation of ₹35L: A's ₹30L top earns 10 × 30/35, openings without pay earn 5.
		profile["expectedSalary"] = map[string]any{"amount": 3500000, "currency": "INR"}
		d = m.match(t, profile, 2, nil)
		assert.Equal(t, 99, d.Match.Edges[0].Node.FitScore)
		assert.InDelta(t, 8.571, d.Match.Edges[0].Node.Breakdown.Salary, 0.001)

		// Groups: Java satisfies "Node.js / Java", so H is a full skills match for this profile.
		d = m.match(t, map[string]any{"skills": []string{"java", "REST"}, "experienceYears": 1, "city": "Pune"}, 2, nil)
		assert.Equal(t, "H", m.letters([]string{d.Match.Edges[0].Node.Opening.ID})[0])
		assert.Equal(t, 100, d.Match.Edges[0].Node.FitScore)
		assert.Equal(t, []string{"Node.js / Java", "REST"}, names(d.Match.Edges[0].Node.MatchedSkills))
		assert.Equal(t, "D", m.letters([]string{d.Match.Edges[1].Node.Opening.ID})[0])
		assert.Equal(t, 85, d.Match.Edges[1].Node.FitScore)

		// Work modes: only remote openings keep location points.
		d = m.match(t, map[string]any{"skills": []string{"docker"}, "experienceYears": 2, "workModes": []string{"REMOTE"}}, 1, nil)
		assert.Equal(t, "F", m.letters([]string{d.Match.Edges[0].Node.Opening.ID})[0])
	})
}

func TestMatchBadInput(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := newMarket(t, b)
		many := make([]string, 51)
		for i := range many {
			many[i] = fmt.Sprint("skill", i)
		}
		for _, tc := range []struct {
			p     map[string]any
			field string
		}{
			{map[string]any{"skills": []string{}, "experienceYears": 1}, "profile.skills"},
			{map[string]any{"skills": many, "experienceYears": 1}, "profile.skills"},
			{map[string]any{"skills": []string{"Go"}, "experienceYears": -2}, "profile.experienceYears"},
			{map[string]any{"skills": []string{"Go"}, "experienceYears": 2, "city": "Atlantis"}, "profile.city"},
		} {
			res := testenv.Post(t, m.h, matchQuery, map[string]any{"p": tc.p, "first": 5})
			require.NotEmpty(t, res.Errors, "%v", tc.p)
			assert.Equal(t, "BAD_USER_INPUT", res.Code())
			assert.Equal(t, tc.field, res.Errors[0].Extensions["field"])
		}
		// Unknown skills are ignored, not an error: a CV may list skills the graph lacks.
		d := m.match(t, map[string]any{"skills": []string{"Haskell", "Go"}, "experienceYears": 3}, 1, nil)
		assert.Equal(t, 6, d.Match.TotalCount)
		res := testenv.Post(t, m.h, matchQuery, map[string]any{"p": map[string]any{"skills": []string{"Go"}, "experienceYears": 1}, "first": 500})
		assert.Equal(t, "BAD_USER_INPUT", res.Code(), "first is capped at 100")
	})
}

func TestRoleFitListsTheGapsInRankOrder(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := newMarket(t, b)
		var d struct {
			RoleFit *struct {
				Score   int     `json:"score"`
				Matched []named `json:"matched"`
				Missing []named `json:"missing"`
			} `json:"roleFit"`
		}
		q := `query($p: ProfileInput!, $slug: String!) { roleFit(slug: $slug, profile: $p) { score matched { name } missing { name } } }`
		testenv.Post(t, m.h, q, map[string]any{"slug": "backend", "p": map[string]any{"skills": []string{"Java", "postgres", "Docker"}, "experienceYears": 2}}).MustData(t, &d)
		require.NotNil(t, d.RoleFit)
		assert.Equal(t, 75, d.RoleFit.Score)
		assert.Equal(t, []named{{"Node.js / Java"}, {"PostgreSQL"}, {"Docker"}}, d.RoleFit.Matched, "rank order; Java satisfies the group")
		assert.Equal(t, []named{{"Kubernetes"}}, d.RoleFit.Missing)
		testenv.Post(t, m.h, q, map[string]any{"slug": "nope", "p": map[string]any{"skills": []string{"Java"}, "experienceYears": 2}}).MustData(t, &d)
		assert.Nil(t, d.RoleFit, "unknown slug: null")
	})
}

func TestSkillDemand(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := newMarket(t, b)
		type demand struct {
			Skill    named   `json:"skill"`
			Openings int     `json:"openings"`
			Share    float64 `json:"share"`
		}
		var d struct {
			SkillDemand []demand `json:"skillDemand"`
		}
		testenv.Post(t, m.h, `{ skillDemand(role: "backend", first: 3) { skill { name } openings share } }`, nil).MustData(t, &d)
		// Live backend openings: A B C F H. Docker is in A B C F; Go in A B C; then a tie of two.
		require.Len(t, d.SkillDemand, 3)
		assert.Equal(t, demand{named{"Docker"}, 4, 0.8}, d.SkillDemand[0])
		assert.Equal(t, demand{named{"Go"}, 3, 0.6}, d.SkillDemand[1])
		assert.Equal(t, 2, d.SkillDemand[2].Openings)

		testenv.Post(t, m.h, `{ skillDemand(role: "backend", city: "bengaluru", first: 10) { skill { name } openings share } }`, nil).MustData(t, &d)
		// A and C: Docker, Go, Kubernetes in both; PostgreSQL in A.
		require.Len(t, d.SkillDemand, 4)
		for _, x := range d.SkillDemand[:3] {
			assert.Equal(t, 1.0, x.Share, x.Skill.Name)
		}
		assert.Equal(t, demand{named{"PostgreSQL"}, 1, 0.5}, d.SkillDemand[3])

		testenv.Post(t, m.h, `{ skillDemand(first: 1) { skill { name } openings share } }`, nil).MustData(t, &d)
		assert.Equal(t, demand{named{"Docker"}, 4, 4.0 / 6}, d.SkillDemand[0], "all six live openings")

		for q, want := range map[string]string{
			`{ skillDemand(role: "astronaut") { openings } }`: `unknown role "astronaut"`,
			`{ skillDemand(city: "Atlantis") { openings } }`:  `unknown city "Atlantis"`,
			`{ skillDemand(first: 500) { openings } }`:        "first: 500",
		} {
			res := testenv.Post(t, m.h, q, nil)
			require.NotEmpty(t, res.Errors, q)
			assert.Equal(t, "BAD_USER_INPUT", res.Code(), q)
			assert.Contains(t, res.Errors[0].Message, want)
		}
	})
}

func TestSalaryInsights(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := newMarket(t, b)
		var d struct {
			S *struct {
				Basis    string          `json:"basis"`
				Currency string          `json:"currency"`
				Count    int             `json:"count"`
				Min      int             `json:"min"`
				Median   int             `json:"median"`
				Max      int             `json:"max"`
				Openings json.RawMessage `json:"fromOpenings"`
				Records  json.RawMessage `json:"fromSalaryRecords"`
			} `json:"salaryInsights"`
		}
		testenv.Post(t, m.h, `{ salaryInsights(role: "backend", country: "IN") { basis currency count min p25 median p75 max
			fromOpenings { basis count min p25 median p75 max } fromSalaryRecords { basis count min p25 median p75 max } } }`, nil).MustData(t, &d)
		require.NotNil(t, d.S)
		// Two openings in India advertise pay (A: midpoint ₹25L, C: ₹37.5L; F is remote with no
		// city); fewer than five, so the records answer: typical ₹10L–₹30L (₹20L) and MID ₹12L–₹20L (₹16L).
		assert.Equal(t, "SALARY_RECORDS", d.S.Basis)
		assert.Equal(t, "INR", d.S.Currency)
		assert.Equal(t, 2, d.S.Count)
		assert.Equal(t, 1600000, d.S.Min)
		assert.Equal(t, 1600000, d.S.Median, "nearest rank")
		assert.Equal(t, 2000000, d.S.Max)
		assert.JSONEq(t, `{"basis":"OPENINGS","count":2,"min":2500000,"p25":2500000,"median":2500000,"p75":3750000,"max":3750000}`, string(d.S.Openings))
		assert.JSONEq(t, `{"basis":"SALARY_RECORDS","count":2,"min":1600000,"p25":1600000,"median":1600000,"p75":2000000,"max":2000000}`, string(d.S.Records))

		testenv.Post(t, m.h, `{ salaryInsights(role: "backend", country: "IN", level: MID) { basis count median } }`, nil).MustData(t, &d)
		require.NotNil(t, d.S)
		assert.Equal(t, 1, d.S.Count)
		assert.Equal(t, 1600000, d.S.Median)

		testenv.Post(t, m.h, `{ salaryInsights(role: "backend", country: "US") { count } }`, nil).MustData(t, &d)
		assert.Nil(t, d.S, "no data for the country: null")

		res := testenv.Post(t, m.h, `{ salaryInsights(role: "backend", country: "India") { count } }`, nil)
		assert.Equal(t, "BAD_USER_INPUT", res.Code())
	})
}

// TestEditsReachSearchAndMatch: openings created or changed through the editing API are found
// by search and ranked by match at once, and renaming a skill reindexes its openings.
func TestEditsReachSearchAndMatch(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := newMarket(t, b)
		_, token := m.env.User(t, "editor@example.com", "EDITOR")
		profile := map[string]any{"skills": []string{"kafka", "go"}, "experienceYears": 3}
		before := m.match(t, profile, 1, nil).Match.TotalCount

		var created struct {
			CreateOpening struct{ ID string } `json:"createOpening"`
		}
		testenv.PostAs(t, m.h, token, `mutation($in: CreateOpeningInput!) { createOpening(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"externalID": "new-1", "title": "Staff Streaming Engineer", "workMode": "ONSITE", "postedAt": "2026-11-20T00:00:00Z",
			"experienceMinYears": 2, "experienceMaxYears": 6, "roleID": m.ref["backend"], "companyID": m.ref["acme"],
			"locationID": m.ref["blr"], "skillIDs": []string{m.ref["go"], m.ref["kafka"]},
		}}).MustData(t, &created)
		id := created.CreateOpening.ID
		m.ids["N"] = id

		got, _ := m.searchIDs(t, `search: "streaming golang", first: 5`)
		assert.Equal(t, []string{"N"}, got, "found by its title and its skill's synonym")
		d := m.match(t, profile, 1, nil)
		assert.Equal(t, before+1, d.Match.TotalCount)
		require.Len(t, d.Match.Edges, 1)
		assert.Equal(t, id, d.Match.Edges[0].Node.Opening.ID, "a full skills match ranks first")
		assert.Equal(t, 100, d.Match.Edges[0].Node.FitScore)

		testenv.PostAs(t, m.h, token, `mutation($id: ID!) { updateOpening(id: $id, input: {status: CLOSED}) { id } }`,
			map[string]any{"id": id}).MustData(t, &struct{}{})
		d = m.match(t, profile, 1, nil)
		assert.Equal(t, before, d.Match.TotalCount, "a closed opening is no longer ranked")
		assert.NotEqual(t, id, d.Match.Edges[0].Node.Opening.ID)

		var upd struct {
			UpdateSkill struct{ Synonyms []string } `json:"updateSkill"`
		}
		testenv.PostAs(t, m.h, token, `mutation($id: ID!) { updateSkill(id: $id, input: {appendSynonyms: ["event streaming"]}) { synonyms } }`,
			map[string]any{"id": m.ref["kafka"]}).MustData(t, &upd)
		assert.Equal(t, []string{"event streaming"}, upd.UpdateSkill.Synonyms, "appendSynonyms appends")
		var role struct {
			UpdateRole struct{ Aliases []string } `json:"updateRole"`
		}
		testenv.PostAs(t, m.h, token, `mutation($id: ID!) { updateRole(id: $id, input: {appendAliases: ["Server Engineer"]}) { aliases } }`,
			map[string]any{"id": m.ref["backend"]}).MustData(t, &role)
		assert.Equal(t, []string{"Server Engineer"}, role.UpdateRole.Aliases, "appendAliases appends")
		got, _ = m.searchIDs(t, `search: "event", first: 5`)
		assert.ElementsMatch(t, []string{"B", "N"}, got, "the Kafka openings are found by the new synonym")
	})
}
