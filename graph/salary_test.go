package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/company"
	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/salaryrecord"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/testenv"
)

// salaryMarket is newMarket plus four more paying Backend openings and salary records narrowed
// by city, company and skill, so that every figure below is worked out by hand.
//
// Paying Backend openings in India (annualised midpoints):
//
//	A  2.5M   Bengaluru  Acme  3-6 yrs  go kubernetes postgresql docker
//	C  3.75M  Bengaluru  Acme  5-9 yrs  kubernetes docker go
//	N1 1.5M   Bengaluru  Acme  2-5 yrs  go docker
//	N2 1.0M   Pune       Beta  0-3 yrs  java docker
//	N3 1.4M   Pune       Beta  1-4 yrs  java
//	N4 2.5M   Pune       Beta  4-8 yrs  go docker
//
// (F pays but is remote with no city; D pays but is another role.)
func salaryMarket(t *testing.T, b testenv.Backend) *market {
	t.Helper()
	m := newMarket(t, b)
	ctx := context.Background()
	c := m.env.DB.Client
	backend := c.Role.Query().Where(role.Slug("backend")).OnlyX(ctx)
	acme := c.Company.Query().Where(company.Slug("acme")).OnlyX(ctx)
	beta := c.Company.Query().Where(company.Slug("beta")).OnlyX(ctx)
	blr := c.Location.Query().Where(location.Slug("bengaluru")).OnlyX(ctx)
	pune := c.Location.Query().Where(location.Slug("pune")).OnlyX(ctx)
	sk := func(slug string) *ent.Skill { return c.Skill.Query().Where(skill.Slug(slug)).OnlyX(ctx) }
	add := func(ext string, co *ent.Company, loc *ent.Location, expMin, expMax int, lo, hi int64, skills ...string) {
		b := c.Opening.Create().SetExternalID(ext).SetSource("test").SetTitle("Backend " + ext).SetCompany(co).
			SetRole(backend).SetLocation(loc).SetWorkMode(opening.WorkModeONSITE).SetExperienceMinYears(expMin).
			SetExperienceMaxYears(expMax).SetPostedAt(time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)).
			SetSalaryMin(lo).SetSalaryMax(hi).SetSalaryCurrency("INR").SetSalaryPeriod(opening.SalaryPeriodYEAR)
		for _, s := range skills {
			b.AddSkills(sk(s))
		}
		b.ExecX(ctx)
	}
	add("N1", acme, blr, 2, 5, 1000000, 2000000, "go", "docker")
	add("N2", beta, pune, 0, 3, 800000, 1200000, "java", "docker")
	add("N3", beta, pune, 1, 4, 1200000, 1600000, "java")
	add("N4", beta, pune, 4, 8, 2000000, 3000000, "go", "docker")

	senior := salaryrecord.LevelSENIOR
	rec := func(lo int64, hi *int64, loc *ent.Location, co *ent.Company, s *ent.Skill) {
		b := c.SalaryRecord.Create().SetRole(backend).SetCountryCode("IN").SetCurrency("INR").SetLevel(senior).
			SetMinAmount(lo).SetNillableMaxAmount(hi).SetSource("test")
		if loc != nil {
			b.SetLocation(loc)
		}
		if co != nil {
			b.SetCompany(co)
		}
		if s != nil {
			b.SetSkill(s)
		}
		b.ExecX(ctx)
	}
	p := func(v int64) *int64 { return &v }
	rec(2000000, nil, nil, nil, nil)                // country-wide SENIOR, ₹20L+: point 2.0M
	rec(3200000, p(4000000), blr, nil, nil)         // Bengaluru: 3.6M
	rec(2600000, p(3000000), pune, nil, nil)        // Pune: 2.8M
	rec(4000000, p(5000000), nil, acme, nil)        // Acme: 4.5M
	rec(6000000, p(7000000), blr, acme, nil)        // Acme in Bengaluru: 6.5M
	rec(3000000, p(3400000), nil, nil, sk("kafka")) // Kafka: 3.2M
	return m
}

type salaryGroup struct {
	City    *struct{ City string } `json:"city"`
	Company *struct{ Name string } `json:"company"`
	Skill   *struct{ Name string } `json:"skill"`
	Stats   struct {
		Count  int `json:"count"`
		Median int `json:"median"`
	} `json:"stats"`
}

type salaryAnswer struct {
	S *struct {
		Basis     string        `json:"basis"`
		Count     int           `json:"count"`
		Min       int           `json:"min"`
		P25       int           `json:"p25"`
		Median    int           `json:"median"`
		P75       int           `json:"p75"`
		Max       int           `json:"max"`
		ByCity    []salaryGroup `json:"byCity"`
		ByCompany []salaryGroup `json:"byCompany"`
		BySkill   []salaryGroup `json:"bySkill"`
		Records   *struct {
			Count  int `json:"count"`
			Median int `json:"median"`
		} `json:"fromSalaryRecords"`
	} `json:"salaryInsights"`
}

func groupKeys(gs []salaryGroup) []string {
	out := []string{}
	for _, g := range gs {
		switch {
		case g.City != nil:
			out = append(out, g.City.City)
		case g.Company != nil:
			out = append(out, g.Company.Name)
		case g.Skill != nil:
			out = append(out, g.Skill.Name)
		}
	}
	return out
}

func groupMedians(gs []salaryGroup) []int {
	out := []int{}
	for _, g := range gs {
		out = append(out, g.Stats.Median)
	}
	return out
}

const salaryFields = `basis count min p25 median p75 max fromSalaryRecords { count median }
	byCity { city { city } stats { count median } } byCompany { company { name } stats { count median } }
	bySkill(first: 3) { skill { name } stats { count median } }`

// TestSalaryInsightsByEveryDimension asks salaryInsights by combinations of role, city,
// company, skill, level and experienceYears, and checks the "varies by city, company and
// skills" groupings on both bases.
func TestSalaryInsightsByEveryDimension(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := salaryMarket(t, b)
		ask := func(args string) salaryAnswer {
			t.Helper()
			var d salaryAnswer
			testenv.Post(t, m.h, `{ salaryInsights(`+args+`) { `+salaryFields+` } }`, nil).MustData(t, &d)
			return d
		}

		// Six paying openings: the openings answer. Sorted 1.0 1.4 1.5 2.5 2.5 3.75 (M).
		d := ask(`role: "backend", country: "IN"`)
		require.NotNil(t, d.S)
		assert.Equal(t, "OPENINGS", d.S.Basis)
		assert.Equal(t, []int{6, 1000000, 1400000, 1500000, 2500000, 3750000},
			[]int{d.S.Count, d.S.Min, d.S.P25, d.S.Median, d.S.P75, d.S.Max})
		// The caveat, answered: Bengaluru {1.5, 2.5, 3.75} pays more than Pune {1.0, 1.4, 2.5}.
		assert.Equal(t, []string{"Bengaluru", "Pune"}, groupKeys(d.S.ByCity))
		assert.Equal(t, []int{2500000, 1400000}, groupMedians(d.S.ByCity))
		assert.Equal(t, []string{"Acme Cloud", "Beta Retail"}, groupKeys(d.S.ByCompany))
		// Docker (5 openings) and Go (4) share the 2.5M median: more data first; Kubernetes,
		// PostgreSQL and Java have fewer than 3 openings and are not reported.
		assert.Equal(t, []string{"Docker", "Go"}, groupKeys(d.S.BySkill))
		assert.Equal(t, []int{2500000, 2500000}, groupMedians(d.S.BySkill))
		assert.Equal(t, 5, d.S.BySkill[0].Stats.Count)

		// Every dimension narrows; openings match them all.
		d = ask(`role: "backend", country: "IN", city: "Pune", skill: "go"`)
		require.NotNil(t, d.S)
		assert.Equal(t, []int{1, 2500000}, []int{d.S.Count, d.S.Median}, "N4 only")
		d = ask(`role: "backend", country: "IN", company: "acme", experienceYears: 4`)
		require.NotNil(t, d.S)
		assert.Equal(t, "OPENINGS", d.S.Basis, "no record is narrowed to Acme at 4 years: openings")
		assert.Equal(t, []int{2, 1500000, 2500000}, []int{d.S.Count, d.S.Min, d.S.Max}, "A (3-6) and N1 (2-5); C starts at 5")
		d = ask(`country: "IN", skill: "java"`)
		require.NotNil(t, d.S)
		assert.Equal(t, []int{3, 650000, 1000000, 1400000}, []int{d.S.Count, d.S.Min, d.S.Median, d.S.Max}, "every role: D, N2, N3")
		d = ask(`country: "IN", skill: "nodejs-java", role: "backend"`)
		require.NotNil(t, d.S)
		assert.Equal(t, 2, d.S.Count, "a group stands for its members: N2 and N3 ask for Java")

		// Records: a SENIOR question has no openings (none asks 7+ years), so the records
		// answer; only the country-wide SENIOR record is the answer itself, the city and
		// company records each say how their city or company differs, and the Acme-in-
		// Bengaluru record (narrowed by two open dimensions) says neither.
		d = ask(`role: "backend", country: "IN", level: SENIOR`)
		require.NotNil(t, d.S)
		assert.Equal(t, "SALARY_RECORDS", d.S.Basis)
		assert.Equal(t, []int{1, 2000000}, []int{d.S.Count, d.S.Median})
		assert.Equal(t, []string{"Bengaluru", "Pune"}, groupKeys(d.S.ByCity))
		assert.Equal(t, []int{3600000, 2800000}, groupMedians(d.S.ByCity))
		assert.Equal(t, []string{"Acme Cloud"}, groupKeys(d.S.ByCompany))
		assert.Equal(t, []int{4500000}, groupMedians(d.S.ByCompany))
		assert.Equal(t, []string{"Kafka"}, groupKeys(d.S.BySkill))
		d = ask(`role: "backend", country: "IN", level: SENIOR, city: "bengaluru"`)
		require.NotNil(t, d.S)
		assert.Equal(t, []int{1, 3600000}, []int{d.S.Count, d.S.Median}, "the Bengaluru record")
		assert.Equal(t, []int{6500000}, groupMedians(d.S.ByCompany), "Acme in Bengaluru differs from the question by the company only")
		d = ask(`role: "backend", country: "IN", level: SENIOR, company: "acme", city: "Bengaluru"`)
		require.NotNil(t, d.S)
		assert.Equal(t, []int{1, 6500000}, []int{d.S.Count, d.S.Median})
		// experienceYears picks levelled records whose range holds it: 8 years is SENIOR (7+).
		d = ask(`role: "backend", country: "IN", experienceYears: 8`)
		require.NotNil(t, d.S)
		require.NotNil(t, d.S.Records)
		assert.Equal(t, []int{1, 2000000}, []int{d.S.Records.Count, d.S.Records.Median})

		// Errors name the argument.
		for arg, q := range map[string]string{
			"company": `country: "IN", company: "nope"`, "skill": `country: "IN", skill: "cobol"`,
			"city": `country: "IN", city: "Atlantis"`, "experienceYears": `country: "IN", experienceYears: -1`,
			"first": `country: "IN") { byCity(first: 51) { stats { count } } } }#`,
		} {
			var res *testenv.Response
			if arg == "first" {
				res = testenv.Post(t, m.h, `{ salaryInsights(`+q, nil)
			} else {
				res = testenv.Post(t, m.h, `{ salaryInsights(`+q+`) { count } }`, nil)
			}
			require.NotEmpty(t, res.Errors, arg)
			assert.Equal(t, "BAD_USER_INPUT", res.Code(), arg)
			assert.Contains(t, res.String(), `"`+arg+`"`, arg)
		}
	})
}

// TestSalaryRecordConnections walks salary records from a role, company, city and skill with
// where and orderBy.
func TestSalaryRecordConnections(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := salaryMarket(t, b)
		type conn struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node struct {
					MinAmount int                    `json:"minAmount"`
					Location  *struct{ City string } `json:"location"`
					Company   *struct{ Name string } `json:"company"`
					Role      struct{ Title string } `json:"role"`
				} `json:"node"`
			} `json:"edges"`
		}
		var d struct {
			Role     struct{ SalaryRecords conn }  `json:"role"`
			Company  struct{ SalaryRecords conn }  `json:"company"`
			Location *struct{ SalaryRecords conn } `json:"location"`
			Skill    struct{ SalaryRecords conn }  `json:"skill"`
		}
		const sel = `totalCount edges { node { minAmount location { city } company { name } role { title } } }`
		testenv.Post(t, m.h, `{
			role(slug: "backend") { salaryRecords(where: {level: SENIOR}, orderBy: {field: MIN_AMOUNT, direction: DESC}, first: 3) { `+sel+` } }
			company(slug: "acme") { salaryRecords(orderBy: {field: MIN_AMOUNT}) { `+sel+` } }
			location(slug: "bengaluru") { salaryRecords(where: {hasCompany: false}) { `+sel+` } }
			skill(slug: "kafka") { salaryRecords { `+sel+` } }
		}`, nil).MustData(t, &d)
		mins := func(c conn) []int {
			out := []int{}
			for _, e := range c.Edges {
				out = append(out, e.Node.MinAmount)
			}
			return out
		}
		assert.Equal(t, 6, d.Role.SalaryRecords.TotalCount, "six SENIOR records")
		assert.Equal(t, []int{6000000, 4000000, 3200000}, mins(d.Role.SalaryRecords))
		assert.Equal(t, []int{4000000, 6000000}, mins(d.Company.SalaryRecords))
		require.NotNil(t, d.Location)
		assert.Equal(t, []int{3200000}, mins(d.Location.SalaryRecords))
		assert.Equal(t, "Bengaluru", d.Location.SalaryRecords.Edges[0].Node.Location.City)
		assert.Equal(t, []int{3000000}, mins(d.Skill.SalaryRecords))
		assert.Equal(t, "Backend", d.Skill.SalaryRecords.Edges[0].Node.Role.Title, "and back to the role")
	})
}
