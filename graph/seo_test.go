package graph_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/company"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/internal/testenv"
)

// schema.org properties of the types the JSON-LD uses (https://schema.org/<Type>, the type's
// own properties and those it inherits: Thing's name, description, alternateName, identifier,
// sameAs). A key outside these is a typo search engines would ignore.
var schemaOrg = map[string][]string{
	"Occupation": {"name", "description", "alternateName", "estimatedSalary", "occupationLocation", "occupationalCategory",
		"experienceRequirements", "skills", "responsibilities", "qualifications", "educationRequirements", "sampleSize"},
	"MonetaryAmountDistribution": {"name", "currency", "duration", "median", "percentile10", "percentile25", "percentile75", "percentile90"},
	"JobPosting": {"title", "description", "datePosted", "validThrough", "employmentType", "hiringOrganization", "jobLocation",
		"jobLocationType", "applicantLocationRequirements", "baseSalary", "identifier", "skills", "experienceRequirements"},
	"Organization":                       {"name", "sameAs"},
	"Place":                              {"address"},
	"PostalAddress":                      {"addressLocality", "addressRegion", "addressCountry"},
	"MonetaryAmount":                     {"currency", "value"},
	"QuantitativeValue":                  {"unitText", "minValue", "maxValue", "value"},
	"PropertyValue":                      {"name", "value"},
	"OccupationalExperienceRequirements": {"monthsOfExperience"},
	"Country":                            {"name"},
	"AdministrativeArea":                 {"name", "containedInPlace"},
	"City":                               {"name", "containedInPlace"},
	"DefinedTerm":                        {"name", "termCode", "alternateName", "inDefinedTermSet"},
	"DefinedTermSet":                     {"name"},
	"CategoryCode":                       {"codeValue", "inCodeSet", "name"},
}

// sampleSize is Google's extension on Occupation (estimated-salary documentation); the rest
// are schema.org's.

// checkTypes walks a JSON-LD value and checks that every object has a known @type and only
// that type's properties.
func checkTypes(t *testing.T, v any, path string) {
	t.Helper()
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			checkTypes(t, e, path+"[]")
		}
	case map[string]any:
		typ, _ := x["@type"].(string)
		allowed, ok := schemaOrg[typ]
		if !assert.True(t, ok, "%s: unknown @type %q", path, typ) {
			return
		}
		for k, e := range x {
			if k == "@type" || k == "@context" {
				continue
			}
			assert.Contains(t, allowed, k, "%s: %s is not a property of %s", path, k, typ)
			checkTypes(t, e, path+"."+k)
		}
	}
}

type seoHead struct {
	CanonicalPath   string         `json:"canonicalPath"`
	MetaTitle       string         `json:"metaTitle"`
	MetaDescription string         `json:"metaDescription"`
	JSONLD          map[string]any `json:"jsonLd"`
}

const seoSel = `seo { canonicalPath metaTitle metaDescription jsonLd }`

func checkHead(t *testing.T, h seoHead, path string) {
	t.Helper()
	assert.Equal(t, path, h.CanonicalPath)
	assert.LessOrEqual(t, utf8.RuneCountInString(h.MetaTitle), 60, h.MetaTitle)
	assert.NotEmpty(t, h.MetaTitle)
	assert.LessOrEqual(t, utf8.RuneCountInString(h.MetaDescription), 160, h.MetaDescription)
	assert.NotEmpty(t, h.MetaDescription)
	assert.Equal(t, "https://schema.org", h.JSONLD["@context"])
	checkTypes(t, h.JSONLD, "")
}

func num(v any) float64 { f, _ := v.(float64); return f }

// TestRoleSEO: the role's head and its Occupation, which carries Google's required properties
// for an estimated salary (name, occupationLocation, estimatedSalary with currency, duration
// and percentiles).
func TestRoleSEO(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		var d struct {
			Role struct {
				Title      string  `json:"title"`
				CoreSkills []named `json:"coreSkills"`
				SEO        seoHead `json:"seo"`
			} `json:"role"`
		}
		testenv.Post(t, h, `{ role(slug: "backend-developer") { title coreSkills { name } `+seoSel+` } }`, nil).MustData(t, &d)
		s := d.Role.SEO
		checkHead(t, s, "/roles/backend-developer")
		assert.Equal(t, "Backend Developer: Job Description & Salary | careergraph", s.MetaTitle)
		assert.Contains(t, s.MetaDescription, "typically ₹4L–₹24L/yr in India", "the page's own figure")
		ld := s.JSONLD
		assert.Equal(t, "Occupation", ld["@type"])
		assert.Equal(t, "Backend Developer", ld["name"])
		assert.Equal(t, []any{"Back-end Engineer", "Server-side Developer", "API Developer"}, ld["alternateName"])
		assert.Equal(t, []any{map[string]any{"@type": "Country", "name": "India"}}, ld["occupationLocation"])
		var skills []any
		for _, s := range d.Role.CoreSkills {
			skills = append(skills, s.Name)
		}
		assert.Equal(t, skills, ld["skills"])
		assert.Equal(t, map[string]any{"@type": "OccupationalExperienceRequirements", "monthsOfExperience": float64(0)}, ld["experienceRequirements"])
		est, ok := ld["estimatedSalary"].([]any)
		require.True(t, ok, "estimatedSalary: %v", ld["estimatedSalary"])
		require.Len(t, est, 1)
		m := est[0].(map[string]any)
		assert.Equal(t, "MonetaryAmountDistribution", m["@type"])
		assert.Equal(t, "INR", m["currency"])
		assert.Equal(t, "P1Y", m["duration"])
		ps := []float64{num(m["percentile10"]), num(m["percentile25"]), num(m["median"]), num(m["percentile75"]), num(m["percentile90"])}
		assert.Greater(t, ps[0], 0.0)
		for i := 1; i < len(ps); i++ {
			assert.LessOrEqual(t, ps[i-1], ps[i], "percentiles in order: %v", ps)
		}
		// The same figures salaryInsights answers.
		var si struct {
			S struct{ Median float64 } `json:"salaryInsights"`
		}
		testenv.Post(t, h, `{ salaryInsights(role: "backend-developer", country: "IN") { median } }`, nil).MustData(t, &si)
		assert.Equal(t, si.S.Median, ps[2])

		// Editable: an editor's title wins; clearing it brings the generated one back.
		_, token := env.User(t, "editor@example.com", "EDITOR")
		id := env.DB.Client.Role.Query().Where(role.Slug("backend-developer")).OnlyIDX(context.Background())
		var u struct {
			UpdateRole struct{ SEO seoHead } `json:"updateRole"`
		}
		testenv.PostAs(t, h, token, `mutation($id: ID!) { updateRole(id: $id, input: {metaTitle: "Backend developer jobs & pay", metaDescription: "Hand-written."}) { `+seoSel+` } }`,
			map[string]any{"id": id}).MustData(t, &u)
		assert.Equal(t, "Backend developer jobs & pay", u.UpdateRole.SEO.MetaTitle)
		assert.Equal(t, "Hand-written.", u.UpdateRole.SEO.MetaDescription)
		testenv.PostAs(t, h, token, `mutation($id: ID!) { updateRole(id: $id, input: {clearMetaTitle: true}) { `+seoSel+` } }`,
			map[string]any{"id": id}).MustData(t, &u)
		assert.Equal(t, s.MetaTitle, u.UpdateRole.SEO.MetaTitle)
		res := testenv.PostAs(t, h, token, `mutation($id: ID!) { updateRole(id: $id, input: {metaTitle: "`+strings.Repeat("x", 71)+`"}) { id } }`,
			map[string]any{"id": id})
		assert.Equal(t, "BAD_USER_INPUT", res.Code(), "over 70 characters")
	})
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// checkJobPosting checks Google's required JobPosting properties (title, description,
// datePosted, hiringOrganization, jobLocation or a remote job's jobLocationType TELECOMMUTE
// with applicantLocationRequirements) and the shape of the recommended ones present.
func checkJobPosting(t *testing.T, ld map[string]any) {
	t.Helper()
	assert.Equal(t, "JobPosting", ld["@type"])
	for _, k := range []string{"title", "description", "datePosted"} {
		s, _ := ld[k].(string)
		assert.NotEmpty(t, s, k)
	}
	assert.Regexp(t, isoDate, ld["datePosted"])
	org, _ := ld["hiringOrganization"].(map[string]any)
	require.NotNil(t, org, "hiringOrganization")
	assert.Equal(t, "Organization", org["@type"])
	assert.NotEmpty(t, org["name"])
	if loc, ok := ld["jobLocation"].(map[string]any); ok {
		addr := loc["address"].(map[string]any)
		assert.Equal(t, "PostalAddress", addr["@type"])
		assert.NotEmpty(t, addr["addressLocality"])
		assert.Regexp(t, `^[A-Z]{2}$`, addr["addressCountry"])
	} else {
		assert.Equal(t, "TELECOMMUTE", ld["jobLocationType"], "no jobLocation: a remote job")
		req, _ := ld["applicantLocationRequirements"].(map[string]any)
		require.NotNil(t, req, "applicantLocationRequirements")
		assert.NotEmpty(t, req["name"])
	}
	assert.Contains(t, []any{"FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER"}, ld["employmentType"])
	id, _ := ld["identifier"].(map[string]any)
	require.NotNil(t, id, "identifier")
	assert.NotEmpty(t, id["value"])
	if v, ok := ld["validThrough"].(string); ok {
		_, err := time.Parse(time.RFC3339, v)
		assert.NoError(t, err, "validThrough is ISO 8601")
	}
	if bs, ok := ld["baseSalary"].(map[string]any); ok {
		assert.Regexp(t, `^[A-Z]{3}$`, bs["currency"])
		v := bs["value"].(map[string]any)
		assert.Contains(t, []any{"HOUR", "DAY", "WEEK", "MONTH", "YEAR"}, v["unitText"])
		if mx, ok := v["maxValue"]; ok {
			assert.LessOrEqual(t, num(v["minValue"]), num(mx))
		}
	}
	checkTypes(t, ld, "")
}

// TestOpeningSEO: an onsite opening with advertised pay and a fully remote one without a
// city both make valid JobPostings.
func TestOpeningSEO(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := context.Background()
		c := env.DB.Client
		onsite := c.Opening.Query().Where(opening.LocationIDNotNil(), opening.SalaryMinNotNil(), opening.SalaryMaxNotNil(),
			opening.ValidThroughNotNil()).FirstX(ctx)
		co := c.Company.Query().Where(company.HeadquartersIDNotNil()).FirstX(ctx)
		remote := c.Opening.Create().SetExternalID("remote-1").SetSource("test").SetTitle("Remote Go Engineer (Platform)").
			SetNillableRoleID(onsite.RoleID).SetCompany(co).SetWorkMode(opening.WorkModeREMOTE).
			SetPostedAt(time.Date(2026, 10, 30, 9, 0, 0, 0, time.UTC)).SaveX(ctx)

		type node struct {
			Title string  `json:"title"`
			SEO   seoHead `json:"seo"`
		}
		var d struct {
			A node `json:"a"`
			B node `json:"b"`
		}
		testenv.Post(t, h, `query($a: ID!, $b: ID!) { a: node(id: $a) { ... on Opening { title `+seoSel+` } }
			b: node(id: $b) { ... on Opening { title `+seoSel+` } } }`, map[string]any{"a": onsite.ID, "b": remote.ID}).MustData(t, &d)

		a := d.A.SEO
		assert.Regexp(t, `^/jobs/[a-z0-9-]+-`+regexp.QuoteMeta(jsonID(onsite.ID))+`$`, a.CanonicalPath)
		checkJobPosting(t, a.JSONLD)
		assert.Equal(t, onsite.Title, a.JSONLD["title"])
		assert.Contains(t, a.JSONLD, "jobLocation")
		assert.Contains(t, a.JSONLD, "baseSalary")
		assert.Contains(t, a.JSONLD, "validThrough")
		assert.Equal(t, onsite.PostedAt.UTC().Format("2006-01-02"), a.JSONLD["datePosted"])

		r := d.B.SEO
		assert.Equal(t, "/jobs/remote-go-engineer-platform-"+jsonID(remote.ID), r.CanonicalPath)
		checkJobPosting(t, r.JSONLD)
		assert.NotContains(t, r.JSONLD, "jobLocation")
		assert.NotContains(t, r.JSONLD, "baseSalary", "no advertised pay: none claimed")
		assert.NotEmpty(t, r.JSONLD["description"], "generated when the opening has none")
		assert.Contains(t, r.MetaTitle, "Remote Go Engineer (Platform)")
	})
}

func jsonID(id int) string { b, _ := json.Marshal(id); return string(b) }

// TestSkillAndLocationSEO: heads of a skill page and a city page.
func TestSkillAndLocationSEO(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		var d struct {
			Skill    struct{ SEO seoHead } `json:"skill"`
			Location struct{ SEO seoHead } `json:"location"`
		}
		testenv.Post(t, env.Handler(t), `{ skill(slug: "docker") { `+seoSel+` } location(slug: "bengaluru") { `+seoSel+` } }`, nil).MustData(t, &d)
		checkHead(t, d.Skill.SEO, "/skills/docker")
		assert.Equal(t, "DefinedTerm", d.Skill.SEO.JSONLD["@type"])
		assert.Equal(t, "Docker", d.Skill.SEO.JSONLD["name"])
		checkHead(t, d.Location.SEO, "/locations/bengaluru")
		assert.Equal(t, "City", d.Location.SEO.JSONLD["@type"])
		assert.Equal(t, "Jobs in Bengaluru, Karnataka | careergraph", d.Location.SEO.MetaTitle)
	})
}
