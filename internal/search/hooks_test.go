package search_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/company"
	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/search"
	"github.com/careergraph/careergraph/internal/skills"
	"github.com/careergraph/careergraph/internal/testenv"
)

// derived checks that search, matching and skill demand agree with the database: every
// opening's stored document and skill count are what its rows make now, the match index holds
// exactly the live openings, and its skill demand (overall and per city) is what the database
// counts.
type derived struct {
	t       *testing.T
	c       *ent.Client
	h       http.Handler
	matcher *matching.Matcher
}

func (d derived) agree(step string) {
	t, c, ctx := d.t, d.c, context.Background()
	t.Helper()
	os := c.Opening.Query().WithCompany().WithLocation().
		WithSkills(func(q *ent.SkillQuery) { q.WithMembers() }).AllX(ctx)
	want := map[int]int{}
	live := 0
	for _, o := range os {
		var names [][]string
		for _, s := range o.Edges.Skills {
			n := append([]string{s.Name}, s.Synonyms...)
			for _, m := range s.Edges.Members {
				n = append(append(n, m.Name), m.Synonyms...)
			}
			names = append(names, n)
		}
		co, city := "", ""
		if o.Edges.Company != nil {
			co = o.Edges.Company.Name
		}
		if o.Edges.Location != nil {
			city = o.Edges.Location.City
		}
		// The same words; the skills' order is the order the writer read them in.
		require.ElementsMatch(t, strings.Fields(search.Document(o.Title, co, city, o.Description, names)),
			strings.Fields(o.SearchText), "%s: opening %d's document", step, o.ID)
		require.Equal(t, len(o.Edges.Skills), o.SkillCount, "%s: opening %d's skill count", step, o.ID)
		if o.Status == opening.StatusLIVE {
			live++
			for _, s := range o.Edges.Skills {
				want[s.ID]++
			}
		}
	}
	got, total, err := d.matcher.Demand(ctx, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, live, total, "%s: live openings in the match index", step)
	assert.Equal(t, want, got, "%s: skill demand", step)
	v, err := skills.Load(ctx, c)
	require.NoError(t, err)
	page, err := d.matcher.Match(ctx, v, matching.Profile{Skills: []string{"Go"}}, 1, nil)
	require.NoError(t, err)
	assert.Equal(t, live, page.TotalCount, "%s: match counts the live openings", step)
}

// found is the number of openings a search for q finds through the API.
func (d derived) found(q string) int {
	d.t.Helper()
	var r struct {
		Openings struct{ TotalCount int } `json:"openings"`
	}
	testenv.Post(d.t, d.h, `query($q: String!) { openings(search: $q, first: 1) { totalCount } }`, map[string]any{"q": q}).MustData(d.t, &r)
	return r.Openings.TotalCount
}

// demandAt is the skill demand the index reports for one city.
func (d derived) demandAt(loc int) int {
	d.t.Helper()
	_, total, err := d.matcher.Demand(context.Background(), nil, []int{loc})
	require.NoError(d.t, err)
	return total
}

// TestDerivedDataFollowsEveryWrite: each way of changing what an opening's document, skill
// count or scoring data derive from (an edit, a rename, a group member change, deletes that the
// database cascades, a bulk update, deleting openings) leaves search, match and skill demand in
// agreement with the database, with no reindexing by the caller. The match index is built
// before the changes, so it must catch up with each.
func TestDerivedDataFollowsEveryWrite(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		c := env.DB.Client
		d := derived{t: t, c: c, h: env.Handler(t), matcher: matching.New(c, env.DB.SQL, env.DB.Dialect)}
		d.agree("seed")

		// An opening edit: title, skills, city, company, status.
		o := c.Opening.Query().Where(opening.StatusEQ(opening.StatusLIVE), opening.LocationIDNotNil()).
			Order(ent.Asc(opening.FieldID)).FirstX(ctx)
		other := c.Location.Query().Where(location.IDNEQ(*o.LocationID)).Order(ent.Asc(location.FieldID)).FirstX(ctx)
		co := c.Company.Query().Where(company.IDNEQ(o.CompanyID)).Order(ent.Asc(company.FieldID)).FirstX(ctx)
		rust := c.Skill.Create().SetSlug("zedlang").SetName("Zedlang").SetCategory(skill.CategoryLANGUAGE).SaveX(ctx)
		c.Opening.UpdateOne(o).SetTitle("Quixotic platform engineer").ClearSkills().AddSkills(rust).
			SetLocationID(other.ID).SetCompanyID(co.ID).ExecX(ctx)
		d.agree("opening edit")
		assert.Equal(t, 1, d.found("quixotic zedlang"))
		c.Opening.UpdateOneID(o.ID).SetStatus(opening.StatusCLOSED).ExecX(ctx)
		d.agree("opening closed")

		// Renames: a company, a city, a skill.
		busy := c.Company.Query().Where(company.HasOpenings()).Order(ent.Asc(company.FieldID)).FirstX(ctx)
		n := busy.QueryOpenings().CountX(ctx)
		c.Company.UpdateOne(busy).SetName("Xanaduworks").ExecX(ctx)
		d.agree("company rename")
		assert.Equal(t, n, d.found("xanaduworks"))

		city := c.Location.Query().Where(location.HasOpenings()).Order(ent.Asc(location.FieldID)).FirstX(ctx)
		n = city.QueryOpenings().CountX(ctx)
		c.Location.UpdateOne(city).SetCity("Yoknapatawpha").ExecX(ctx)
		d.agree("city rename")
		assert.Equal(t, n, d.found("yoknapatawpha"))

		kafka := c.Skill.Query().Where(skill.Name("Kafka")).OnlyX(ctx)
		n = c.Opening.Query().Where(opening.HasSkillsWith(skill.Or(skill.ID(kafka.ID), skill.HasMembersWith(skill.ID(kafka.ID))))).CountX(ctx)
		require.Positive(t, n)
		c.Skill.UpdateOne(kafka).SetName("Kafkaesque").AppendSynonyms([]string{"streamz"}).ExecX(ctx)
		d.agree("skill rename")
		assert.Equal(t, n, d.found("kafkaesque"))
		assert.Equal(t, n, d.found("streamz"))

		// A group member change: openings that need the group are found by the new member.
		group := c.Skill.Query().Where(skill.GroupModeNotNil()).Order(ent.Asc(skill.FieldID)).FirstX(ctx)
		c.Opening.Update().Where(opening.RoleID(*o.RoleID)).AddSkills(group).ExecX(ctx) // the seed's openings name plain skills
		d.agree("group added to openings")
		n = group.QueryOpenings().CountX(ctx)
		require.Positive(t, n)
		zig := c.Skill.Create().SetSlug("ziglet").SetName("Ziglet").SetCategory(skill.CategoryLANGUAGE).SaveX(ctx)
		c.Skill.UpdateOne(group).AddMembers(zig).ExecX(ctx)
		d.agree("member added")
		assert.Equal(t, n, d.found("ziglet"))
		c.Skill.UpdateOne(group).RemoveMembers(zig).ExecX(ctx)
		d.agree("member removed")
		assert.Zero(t, d.found("ziglet"))

		// Deleting a skill: the database drops the openings' links to it.
		plain := c.Skill.Query().Where(skill.HasOpenings(), skill.Not(skill.HasCoreOf()), skill.Not(skill.HasGroups()),
			skill.GroupModeIsNil()).Order(ent.Asc(skill.FieldID)).FirstX(ctx)
		c.Skill.DeleteOne(plain).ExecX(ctx)
		d.agree("skill deleted")
		assert.Zero(t, d.found(plain.Name+" "+plain.Name))

		// Deleting a city: the database clears the openings' location.
		n = city.QueryOpenings().CountX(ctx)
		require.Positive(t, n)
		c.Location.DeleteOneID(city.ID).ExecX(ctx)
		d.agree("city deleted")
		assert.Zero(t, d.found("yoknapatawpha"))
		assert.Zero(t, d.demandAt(city.ID))

		// A bulk update over many rows.
		n = c.Opening.Query().Where(opening.CompanyID(busy.ID)).CountX(ctx)
		c.Opening.Update().Where(opening.CompanyID(busy.ID)).SetTitle("Wuthering backend role").SetStatus(opening.StatusEXPIRED).ExecX(ctx)
		d.agree("bulk update")
		assert.Equal(t, n, d.found("wuthering"))

		// Deleting openings (many at once), then their company.
		c.Opening.Delete().Where(opening.CompanyID(busy.ID)).ExecX(ctx)
		c.Company.DeleteOneID(busy.ID).ExecX(ctx)
		d.agree("openings and company deleted")
		assert.Zero(t, d.found("wuthering"))
		live := c.Opening.Query().Where(opening.StatusEQ(opening.StatusLIVE)).FirstX(ctx)
		c.Opening.DeleteOne(live).ExecX(ctx)
		d.agree("a live opening deleted")
	})
}
