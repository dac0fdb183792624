package graph_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/testenv"
)

// rolePage is the cluster-page contract from the issue, verbatim.
const rolePage = `query RolePage($slug: String!) {
  role(slug: $slug) {
    id slug title aliases summary experienceMinYears experienceMaxYears
    coreSkills { name members { name } }
    responsibilities { text }
    requirements { text }
    faqs { question answer }
    salary(country: "IN") { currency period min max bands { level min max } }
    openings(first: 20, where: {status: LIVE}, orderBy: {field: POSTED_AT, direction: DESC}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id title postedAt company { name } location { city } skills { name } } }
    }
    interviewQuestions(first: 5) { totalCount edges { node { question kind } } }
    careerRoutes { kind from { title } to { title } }
  }
}`

type named struct {
	Name string `json:"name"`
}

type pageData struct {
	Role *struct {
		ID                 string   `json:"id"`
		Slug               string   `json:"slug"`
		Title              string   `json:"title"`
		Aliases            []string `json:"aliases"`
		Summary            string   `json:"summary"`
		ExperienceMinYears int      `json:"experienceMinYears"`
		ExperienceMaxYears int      `json:"experienceMaxYears"`
		CoreSkills         []struct {
			Name    string  `json:"name"`
			Members []named `json:"members"`
		} `json:"coreSkills"`
		Responsibilities []struct{ Text string } `json:"responsibilities"`
		Requirements     []struct{ Text string } `json:"requirements"`
		FAQs             []struct {
			Question string `json:"question"`
			Answer   string `json:"answer"`
		} `json:"faqs"`
		Salary *struct {
			Currency string `json:"currency"`
			Period   string `json:"period"`
			Min      int    `json:"min"`
			Max      *int   `json:"max"`
			Bands    []struct {
				Level string `json:"level"`
				Min   int    `json:"min"`
				Max   *int   `json:"max"`
			} `json:"bands"`
		} `json:"salary"`
		Openings struct {
			TotalCount int `json:"totalCount"`
			PageInfo   struct {
				HasNextPage bool   `json:"hasNextPage"`
				EndCursor   string `json:"endCursor"`
			} `json:"pageInfo"`
			Edges []struct {
				Cursor string `json:"cursor"`
				Node   struct {
					ID       string `json:"id"`
					Title    string `json:"title"`
					PostedAt string `json:"postedAt"`
					Company  named  `json:"company"`
					Location *struct{ City string }
					Skills   []named `json:"skills"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"openings"`
		InterviewQuestions struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node struct {
					Question string `json:"question"`
					Kind     string `json:"kind"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"interviewQuestions"`
		CareerRoutes []struct {
			Kind string                 `json:"kind"`
			From struct{ Title string } `json:"from"`
			To   struct{ Title string } `json:"to"`
		} `json:"careerRoutes"`
	} `json:"role"`
}

// page reads the seed page from testdata (a verbatim copy of shared/seed, see
// testdata/README.md); the test compares against its text, not against copies of its values.
func page(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "backend-developer-page.txt"))
	if err != nil {
		t.Fatalf("reading the seed page: %v", err)
	}
	return string(b)
}

// bullets returns the "  • " lines of the page section that starts with heading.
func bullets(pageText, heading string) []string {
	sec := pageText[strings.Index(pageText, heading):]
	var out []string
	started := false
	for _, line := range strings.Split(sec, "\n") {
		if strings.HasPrefix(line, "  • ") {
			out = append(out, strings.TrimPrefix(line, "  • "))
			started = true
		} else if started && strings.TrimSpace(line) != "" {
			break
		}
	}
	return out
}

func TestRolePageReproducesTheSeedPage(t *testing.T) {
	text := page(t)
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		var d pageData
		testenv.Post(t, env.Handler(t), rolePage, map[string]any{"slug": "backend-developer"}).MustData(t, &d)
		r := d.Role
		require.NotNil(t, r)

		assert.Equal(t, "Backend Developer", r.Title)
		assert.Contains(t, text, "\n"+r.Title+" job description\n")
		assert.Equal(t, []string{"Back-end Engineer", "Server-side Developer", "API Developer"}, r.Aliases)
		assert.Contains(t, text, "Also known as: "+strings.Join(r.Aliases, ", ")+".")
		assert.Contains(t, text, "Role overview\n\n"+r.Summary+"\n")
		assert.True(t, strings.HasPrefix(r.Summary, "A backend developer builds the server-side logic"), r.Summary)
		assert.Equal(t, 0, r.ExperienceMinYears)
		assert.Equal(t, 8, r.ExperienceMaxYears)
		assert.Contains(t, text, "Experience 0–8 yrs")

		// Core skills: the nine on the page, in its order, groups with their members.
		var names []string
		for _, s := range r.CoreSkills {
			names = append(names, s.Name)
		}
		assert.Equal(t, []string{"Node.js / Java / Python", "SQL & NoSQL databases", "REST & GraphQL APIs",
			"System design", "Authentication & security", "Caching (Redis)", "Docker", "Message queues", "Git"}, names)
		assert.Contains(t, text, strings.Join(names, "")+"\n", "the page runs its skills together on one line")
		assert.Contains(t, text, " 9 core skills")
		assert.Equal(t, []named{{"Node.js"}, {"Java"}, {"Python"}}, r.CoreSkills[0].Members)
		assert.Equal(t, []named{{"SQL"}, {"NoSQL"}}, r.CoreSkills[1].Members)
		assert.Equal(t, []named{{"REST"}, {"GraphQL"}}, r.CoreSkills[2].Members)
		assert.Empty(t, r.CoreSkills[3].Members, "System design is a plain skill")
		assert.Empty(t, r.CoreSkills[8].Members, "Git is a plain skill")

		var resp, reqs []string
		for _, x := range r.Responsibilities {
			resp = append(resp, x.Text)
		}
		for _, x := range r.Requirements {
			reqs = append(reqs, x.Text)
		}
		assert.Len(t, resp, 8)
		assert.Equal(t, bullets(text, "Key responsibilities"), resp)
		assert.Len(t, reqs, 5)
		assert.Equal(t, bullets(text, "Requirements & qualifications"), reqs)

		require.Len(t, r.FAQs, 4)
		for _, f := range r.FAQs {
			assert.Contains(t, text, "\n"+f.Question+"\n\n"+f.Answer+"\n", "FAQ %q", f.Question)
		}
		assert.Equal(t, "What does a backend developer do?", r.FAQs[0].Question)
		assert.Equal(t, "How much do backend developers earn in India?", r.FAQs[3].Question)

		s := r.Salary
		require.NotNil(t, s)
		assert.Equal(t, "INR", s.Currency)
		assert.Equal(t, "YEAR", s.Period)
		assert.Equal(t, 400000, s.Min, "₹4L")
		require.NotNil(t, s.Max)
		assert.Equal(t, 2400000, *s.Max, "₹24L")
		assert.Contains(t, text, "typically ₹4L–₹24L/yr")
		require.Len(t, s.Bands, 3)
		assert.Equal(t, "FRESHER", s.Bands[0].Level)
		assert.Equal(t, 400000, s.Bands[0].Min)
		assert.Equal(t, 800000, *s.Bands[0].Max)
		assert.Equal(t, "MID", s.Bands[1].Level)
		assert.Equal(t, 1000000, s.Bands[1].Min)
		assert.Equal(t, 1800000, *s.Bands[1].Max)
		assert.Equal(t, "SENIOR", s.Bands[2].Level)
		assert.Equal(t, 2000000, s.Bands[2].Min)
		assert.Nil(t, s.Bands[2].Max, "₹20L+ is open-ended")
		assert.Contains(t, text, "Freshers typically earn ₹4L–₹8L per year, mid-level backend developers ₹10L–₹18L, and senior backend engineers ₹20L+")

		// The sample parts of the page are there and well-formed.
		o := r.Openings
		assert.Len(t, o.Edges, 20)
		assert.Greater(t, o.TotalCount, 20)
		assert.True(t, o.PageInfo.HasNextPage)
		assert.Equal(t, o.Edges[19].Cursor, o.PageInfo.EndCursor)
		for i, e := range o.Edges {
			assert.NotEmpty(t, e.Node.Company.Name)
			assert.NotEmpty(t, e.Node.Skills)
			if i > 0 {
				assert.GreaterOrEqual(t, o.Edges[i-1].Node.PostedAt, e.Node.PostedAt, "POSTED_AT DESC")
			}
		}
		assert.Len(t, r.InterviewQuestions.Edges, 5)
		assert.GreaterOrEqual(t, r.InterviewQuestions.TotalCount, 5)
		require.NotEmpty(t, r.CareerRoutes)
		assert.Equal(t, "ENTRY", r.CareerRoutes[0].Kind, "entry routes come first")
		for _, cr := range r.CareerRoutes {
			assert.True(t, cr.From.Title == "Backend Developer" || cr.To.Title == "Backend Developer", "%+v", cr)
		}
	})
}

func TestRolePageUnknownSlugIsNull(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		res := testenv.Post(t, env.Handler(t), rolePage, map[string]any{"slug": "astronaut"})
		var d pageData
		res.MustData(t, &d)
		assert.Nil(t, d.Role)
	})
}

var firstArg = regexp.MustCompile(`(openings|interviewQuestions)\(first: \d+`)

// TestRolePageStatementCount pins the number of SQL statements the page costs: at most 12,
// and the same whatever the page sizes and whichever role.
func TestRolePageStatementCount(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		count := func(query, slug string) int {
			t.Helper()
			env.Statements.Reset()
			var d pageData
			testenv.Post(t, h, query, map[string]any{"slug": slug}).MustData(t, &d)
			require.NotNil(t, d.Role)
			return env.Statements.Count()
		}
		count(rolePage, "backend-developer") // builds the match index, which later reads only catch up
		base := count(rolePage, "backend-developer")
		t.Logf("%s: the page query ran %d statements", b, base)
		// Twelve, counting the match index's catch-up: the openings' totalCount is the index's
		// count of the role's live openings (ent.Role.OpeningsConnection), caught up in one
		// statement, not a count of them in SQL (18 ms at a million openings).
		assert.LessOrEqual(t, base, 12, env.Statements.Statements())
		catchUps := 0
		for _, st := range env.Statements.List() {
			if strings.Contains(st, "FROM openings WHERE (updated_at, id) >") {
				catchUps++
			}
			assert.False(t, strings.Contains(st, "COUNT(") && strings.Contains(st, "openings"), "no count of openings in SQL: %s", st)
		}
		assert.Equal(t, 1, catchUps, "one catch-up statement:\n%s", env.Statements.Statements())
		// A role's openings and questions are one-step edge queries that cannot repeat a row:
		// no DISTINCT, which would make PostgreSQL sort every match before the LIMIT.
		assert.NotContains(t, env.Statements.Statements(), "DISTINCT")
		for _, n := range []string{"1", "3", "100"} {
			q := firstArg.ReplaceAllString(rolePage, "${1}(first: "+n)
			assert.Equal(t, base, count(q, "backend-developer"), "first: %s", n)
		}
		assert.Equal(t, base, count(rolePage, "frontend-developer"), "another role")
	})
}

// TestRoleListStatementCount: a list of cluster cards costs the same number of statements for
// two roles as for all fourteen (no N+1), on every list-valued field but interviewQuestions,
// which is read per role (see README).
func TestRoleListStatementCount(t *testing.T) {
	const list = `query($n: Int) { roles(first: $n, orderBy: {field: TITLE}) { totalCount edges { node {
		title coreSkills { name members { name } } responsibilities { text } faqs { question }
		salary(country: "IN") { min max bands { level min } }
		careerRoutes { kind from { title } to { title } }
		openings(first: 3, where: {status: LIVE}, orderBy: {field: POSTED_AT, direction: DESC}) {
			totalCount edges { node { title company { name } location { city } skills { name } } } }
	} } } }`
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		count := func(n int) int {
			env.Statements.Reset()
			var d struct {
				Roles struct {
					Edges []struct {
						Node struct {
							Title      string  `json:"title"`
							CoreSkills []named `json:"coreSkills"`
							Openings   struct {
								TotalCount int        `json:"totalCount"`
								Edges      []struct{} `json:"edges"`
							} `json:"openings"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"roles"`
			}
			testenv.Post(t, h, list, map[string]any{"n": n}).MustData(t, &d)
			require.Len(t, d.Roles.Edges, n)
			for _, e := range d.Roles.Edges {
				assert.NotEmpty(t, e.Node.CoreSkills, e.Node.Title)
				assert.LessOrEqual(t, len(e.Node.Openings.Edges), 3)
			}
			return env.Statements.Count()
		}
		two, all := count(2), count(14)
		t.Logf("%s: 2 roles %d statements, 14 roles %d", b, two, all)
		assert.Equal(t, two, all, env.Statements.Statements())
	})
}

// clusterExtras are the fields issue 12 added to a role, asked together with the cluster page.
const clusterExtras = `
    liveOpenings { count display }
    clusterUpdatedAt
    salary2: salary(country: "IN") { display displayWithPeriod bands { display displayWithPeriod } }
    salaryRecords(first: 20, orderBy: {field: MIN_AMOUNT}) { totalCount edges { node { display level location { city } company { name } skill { name } } } }
    relatedRoles(first: 5) { score role { title } sharedSkills { name } route { kind } }
    seo(country: "IN") { canonicalPath metaTitle metaDescription jsonLd }
`

var extrasFirst = regexp.MustCompile(`(openings|interviewQuestions|salaryRecords|relatedRoles)\(first: \d+`)

// TestRolePageWithExtrasStatementCount: the cluster page with everything issue 12 added to a
// role still costs a fixed number of statements, whatever its page sizes and whichever role.
func TestRolePageWithExtrasStatementCount(t *testing.T) {
	q := strings.Replace(rolePage, "careerRoutes { kind from { title } to { title } }",
		"careerRoutes { kind from { title } to { title } }"+clusterExtras, 1)
	require.NotEqual(t, rolePage, q)
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		// The match index's catch-up statements (matching.Index: openings updated in the last
		// few seconds, tombstones, and the changed openings' skills) depend on how recently the
		// seed wrote, not on the page: they are counted apart, with a bound of their own.
		catchUp := regexp.MustCompile(`FROM openings WHERE \(updated_at, id\) >|FROM opening_tombstones WHERE|^SELECT opening_id, CASE WHEN essential THEN skill_id ELSE -skill_id END FROM opening_skills WHERE opening_id IN`)
		count := func(query, slug string) []string {
			t.Helper()
			env.Statements.Reset()
			var d pageData
			testenv.Post(t, h, query, map[string]any{"slug": slug}).MustData(t, &d)
			require.NotNil(t, d.Role)
			var page []string
			index := 0
			for _, st := range env.Statements.List() {
				if catchUp.MatchString(st) {
					index++
				} else {
					page = append(page, st)
				}
			}
			// One catch-up per query (matching.OneLook), of at most 3 statements.
			assert.LessOrEqual(t, index, 3, "match index catch-up statements")
			return page
		}
		count(q, "backend-developer") // builds the match index, which later reads only catch up
		base := count(q, "backend-developer")
		t.Logf("%s: the page with the extras ran %d statements besides the index's catch-up", b, len(base))
		assert.LessOrEqual(t, len(base), 28, strings.Join(base, "\n"))
		same := func(got []string, what string) {
			t.Helper()
			assert.Equal(t, len(base), len(got), "%s; the first page's statements:\n%s\n\nthis one's:\n%s",
				what, strings.Join(base, "\n"), strings.Join(got, "\n"))
		}
		for _, n := range []string{"1", "3", "50"} { // relatedRoles takes at most 50
			same(count(extrasFirst.ReplaceAllString(q, "${1}(first: "+n), "backend-developer"), "first: "+n)
		}
		same(count(q, "frontend-developer"), "another role")
	})
}
