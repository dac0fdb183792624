package graph_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/careerroute"
	"github.com/careergraph/careergraph/ent/interviewquestion"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/salaryrecord"
	"github.com/careergraph/careergraph/internal/display"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestDisplayValuesReproduceTheSeedPage: the strings a page prints come from the API as the
// seed page prints them.
func TestDisplayValuesReproduceTheSeedPage(t *testing.T) {
	text := page(t)
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		var d struct {
			Role struct {
				Salary struct {
					Display           string `json:"display"`
					DisplayWithPeriod string `json:"displayWithPeriod"`
					Bands             []struct {
						Display string `json:"display"`
					} `json:"bands"`
				} `json:"salary"`
				LiveOpenings struct {
					Count   int    `json:"count"`
					Display string `json:"display"`
				} `json:"liveOpenings"`
				Openings      struct{ TotalCount int } `json:"openings"`
				SalaryRecords struct {
					Edges []struct {
						Node struct {
							Display string `json:"display"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"salaryRecords"`
			} `json:"role"`
		}
		testenv.Post(t, env.Handler(t), `{ role(slug: "backend-developer") {
			salary(country: "IN") { display displayWithPeriod bands { display } }
			liveOpenings { count display }
			openings(where: {status: LIVE}) { totalCount }
			salaryRecords(where: {levelIsNil: true}) { edges { node { display } } } } }`, nil).MustData(t, &d)
		r := d.Role
		assert.Equal(t, "₹4L–₹24L", r.Salary.Display)
		assert.Equal(t, "₹4L–₹24L/yr", r.Salary.DisplayWithPeriod)
		assert.Contains(t, text, "typically "+r.Salary.DisplayWithPeriod+"\n")
		require.Len(t, r.Salary.Bands, 3)
		assert.Contains(t, text, "Freshers typically earn "+r.Salary.Bands[0].Display+" per year, mid-level backend developers "+
			r.Salary.Bands[1].Display+", and senior backend engineers "+r.Salary.Bands[2].Display+" at product companies.")
		require.Len(t, r.SalaryRecords.Edges, 1)
		assert.Equal(t, "₹4L–₹24L", r.SalaryRecords.Edges[0].Node.Display)

		// The live count is the openings connection's and follows the documented rounding
		// (the seed has a few hundred openings, the page's figure is tested below).
		assert.Equal(t, r.Openings.TotalCount, r.LiveOpenings.Count)
		assert.Greater(t, r.LiveOpenings.Count, 0)
		want := display.Count(r.LiveOpenings.Count) + " live jobs"
		assert.Equal(t, want, r.LiveOpenings.Display)
		if r.LiveOpenings.Count >= 100 && r.LiveOpenings.Count%10 != 0 {
			assert.True(t, strings.HasSuffix(r.LiveOpenings.Display, "+ live jobs"), r.LiveOpenings.Display)
		}
	})
	// The page's "47,000+ live jobs" is what a count between 47,001 and 47,999 shows.
	for _, n := range []int{47001, 47312, 47999} {
		assert.Contains(t, text, "match against "+display.LiveJobs(n)+",")
	}
	assert.NotContains(t, text, display.LiveJobs(48000)+",")
}

// TestClusterUpdatedAtMoves: editing any part of a cluster moves its updatedAt; editing
// another cluster's part does not.
func TestClusterUpdatedAtMoves(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		_, token := env.User(t, "editor@example.com", "EDITOR")
		var ids struct {
			Role struct {
				FAQs       []struct{ ID string } `json:"faqs"`
				CoreSkills []struct{ ID string } `json:"coreSkills"`
			} `json:"role"`
			Other struct {
				FAQs []struct{ ID string } `json:"faqs"`
			} `json:"other"`
		}
		testenv.Post(t, h, `{ role(slug: "backend-developer") { faqs { id } coreSkills { id } }
			other: role(slug: "data-scientist") { faqs { id } } }`, nil).MustData(t, &ids)
		require.NotEmpty(t, ids.Role.FAQs)
		require.NotEmpty(t, ids.Other.FAQs)
		stamp := func() time.Time {
			t.Helper()
			var d struct {
				Role struct {
					ClusterUpdatedAt time.Time `json:"clusterUpdatedAt"`
				} `json:"role"`
			}
			testenv.Post(t, h, `{ role(slug: "backend-developer") { clusterUpdatedAt } }`, nil).MustData(t, &d)
			require.False(t, d.Role.ClusterUpdatedAt.IsZero())
			return d.Role.ClusterUpdatedAt
		}
		edit := func(q string, id string) {
			t.Helper()
			testenv.PostAs(t, h, token, q, map[string]any{"id": id}).MustData(t, &struct{}{})
		}
		t0 := stamp()
		assert.Equal(t, t0, stamp(), "stable while nothing changes")
		edit(`mutation($id: ID!) { updateRoleItem(id: $id, input: {answer: "Another data-scientist answer."}) { id } }`, ids.Other.FAQs[0].ID)
		assert.Equal(t, t0, stamp(), "another cluster's FAQ")
		edit(`mutation($id: ID!) { updateRoleItem(id: $id, input: {answer: "A new answer."}) { id } }`, ids.Role.FAQs[0].ID)
		t1 := stamp()
		assert.True(t, t1.After(t0), "an FAQ: %s then %s", t0, t1)
		// The last core skill is a plain skill of this role (Git); renaming it changes the page.
		edit(`mutation($id: ID!) { updateSkill(id: $id, input: {synonyms: ["git-scm"]}) { id } }`, ids.Role.CoreSkills[len(ids.Role.CoreSkills)-1].ID)
		t2 := stamp()
		assert.True(t, t2.After(t1), "a core skill: %s then %s", t1, t2)
		edit(`mutation($id: ID!) { deleteRoleItem(id: $id) }`, ids.Role.FAQs[1].ID)
		t3 := stamp()
		assert.True(t, t3.After(t2), "deleting an FAQ (the role's lock): %s then %s", t2, t3)
	})
}

// TestClusterUpdatedAtMovesOnDeletes: deleting an opening, a salary record, an interview
// question or a career route moves the role's clusterUpdatedAt (the delete touches the role
// row: editing.TouchRoles), without bumping the role's version; a route moves both its roles.
func TestClusterUpdatedAtMovesOnDeletes(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := t.Context()
		c := env.DB.Client
		_, token := env.User(t, "editor@example.com", "EDITOR")
		backend := c.Role.Query().Where(role.Slug("backend-developer")).OnlyX(ctx)
		stamp := func(slug string) (time.Time, int) {
			t.Helper()
			var d struct {
				Role struct {
					ClusterUpdatedAt time.Time `json:"clusterUpdatedAt"`
					Version          int       `json:"version"`
				} `json:"role"`
			}
			testenv.Post(t, h, `query($s: String!) { role(slug: $s) { clusterUpdatedAt version } }`, map[string]any{"s": slug}).MustData(t, &d)
			return d.Role.ClusterUpdatedAt, d.Role.Version
		}
		del := func(field string, id int) {
			t.Helper()
			testenv.PostAs(t, h, token, `mutation($id: ID!) { `+field+`(id: $id) }`, map[string]any{"id": fmt.Sprint(id)}).MustData(t, &struct{}{})
		}
		o := c.Opening.Query().Where(opening.RoleID(backend.ID)).FirstX(ctx)
		s := c.SalaryRecord.Query().Where(salaryrecord.RoleID(backend.ID)).FirstX(ctx)
		q := c.InterviewQuestion.Query().Where(interviewquestion.RoleID(backend.ID)).FirstX(ctx)
		rt := c.CareerRoute.Query().Where(careerroute.FromRoleID(backend.ID)).WithTo().FirstX(ctx)
		prev, version := stamp("backend-developer")
		for _, step := range []struct {
			field string
			id    int
		}{{"deleteOpening", o.ID}, {"deleteSalaryRecord", s.ID}, {"deleteInterviewQuestion", q.ID}} {
			del(step.field, step.id)
			now, v := stamp("backend-developer")
			assert.True(t, now.After(prev), "%s: %s then %s", step.field, prev, now)
			assert.Equal(t, version, v, "%s does not bump the role's version", step.field)
			prev = now
		}
		otherBefore, _ := stamp(rt.Edges.To.Slug)
		del("deleteCareerRoute", rt.ID)
		now, _ := stamp("backend-developer")
		assert.True(t, now.After(prev), "deleteCareerRoute: %s then %s", prev, now)
		otherAfter, _ := stamp(rt.Edges.To.Slug)
		assert.True(t, otherAfter.After(otherBefore), "the route's other role: %s then %s", otherBefore, otherAfter)
	})
}
