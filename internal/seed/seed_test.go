package seed_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/seed"
	"github.com/careergraph/careergraph/internal/testenv"
)

func TestSeedIsIdempotent(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.New(t, b)
		ctx := context.Background()
		first, err := seed.Load(ctx, env.DB.Client)
		require.NoError(t, err)
		assert.True(t, first.Loaded)
		assert.GreaterOrEqual(t, first.Roles, 12, "backend-developer and at least 11 more roles")
		assert.GreaterOrEqual(t, first.Openings, 200, "a few hundred openings")

		counts := func() []int {
			c := env.DB.Client
			return []int{
				c.Role.Query().CountX(ctx), c.Skill.Query().CountX(ctx), c.Opening.Query().CountX(ctx),
				c.RoleItem.Query().CountX(ctx), c.SalaryRecord.Query().CountX(ctx), c.CareerRoute.Query().CountX(ctx),
				c.InterviewQuestion.Query().CountX(ctx), c.Company.Query().CountX(ctx), c.Location.Query().CountX(ctx),
			}
		}
		before := counts()
		second, err := seed.Load(ctx, env.DB.Client)
		require.NoError(t, err)
		assert.False(t, second.Loaded, "a seeded database is left alone")
		assert.Equal(t, before, counts(), "starting twice adds nothing")
	})
}

// TestEverythingIsLabelled: facts from the page say seed-page, everything else says sample.
func TestEverythingIsLabelled(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	ctx := context.Background()
	c := env.DB.Client
	for _, r := range c.Role.Query().AllX(ctx) {
		want := "sample"
		if r.Slug == "backend-developer" {
			want = "seed-page"
		}
		assert.Equal(t, want, r.Source, r.Slug)
	}
	n := c.Opening.Query().Where(opening.SourceNEQ("sample")).CountX(ctx)
	assert.Zero(t, n, "every opening is sample data")
	for _, o := range c.Opening.Query().Limit(20).AllX(ctx) {
		assert.True(t, strings.HasPrefix(o.Description, "Sample opening"), o.Description)
	}
	for _, q := range c.InterviewQuestion.Query().AllX(ctx) {
		assert.Equal(t, "sample", q.Source)
	}
	be := c.Role.Query().Where(role.Slug("backend-developer")).OnlyX(ctx)
	for _, it := range be.QueryItems().AllX(ctx) {
		assert.Equal(t, "seed-page", it.Source)
	}
	for _, s := range be.QuerySalaryRecords().AllX(ctx) {
		assert.Equal(t, "seed-page", s.Source)
	}
	statuses := map[opening.Status]int{}
	for _, o := range c.Opening.Query().AllX(ctx) {
		statuses[o.Status]++
	}
	assert.Positive(t, statuses[opening.StatusLIVE])
	assert.Positive(t, statuses[opening.StatusCLOSED], "some sample openings are closed")
	assert.Positive(t, statuses[opening.StatusEXPIRED], "and some expired")
}

func TestGenerateOpeningsIsDeterministic(t *testing.T) {
	d, err := seed.Parse()
	require.NoError(t, err)
	a, b := seed.GenerateOpenings(d), seed.GenerateOpenings(d)
	require.Equal(t, len(a), len(b))
	assert.Equal(t, a, b)
	cities := map[string]int{}
	for _, o := range a {
		if o.Location != "" {
			cities[o.Location]++
		}
		assert.NotEmpty(t, o.Skills, o.ExternalID)
		if o.SalaryMin != nil {
			assert.LessOrEqual(t, *o.SalaryMin, *o.SalaryMax, o.ExternalID)
		}
	}
	assert.Greater(t, cities["bengaluru"], cities["kochi"], "popular cities dominate")
}

func TestParseRejectsDanglingReferences(t *testing.T) {
	_, err := seed.ParseFS(fstest.MapFS{
		"data/locations.json": {Data: []byte(`[]`)},
		"data/companies.json": {Data: []byte(`[]`)},
		"data/skills.json":    {Data: []byte(`[]`)},
		"data/roles/x.json": {Data: []byte(`{"slug":"x","title":"X","family":"F","source":"sample","summary":"s",
			"experienceMinYears":0,"experienceMaxYears":1,"coreSkills":["nope"]}`)},
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown skill "nope"`)

	_, err = seed.ParseFS(fstest.MapFS{
		"data/locations.json": {Data: []byte(`[]`)},
		"data/companies.json": {Data: []byte(`[]`)},
		"data/skills.json":    {Data: []byte(`[{"slug":"a","name":"A","category":"TOOL","colour":"red"}]`)},
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "colour", "unknown fields are rejected")
}

// TestSeedCodeFiles: every ESCO URI in data/skill-codes.json has the URI form and names a plain
// seed skill, NCO-2015 codes are families equal to the ISCO-08 unit group, the seed writes the
// URIs, and malformed code files are refused.
func TestSeedCodeFiles(t *testing.T) {
	d, err := seed.Parse()
	require.NoError(t, err)
	uris := d.EscoURIs()
	assert.Len(t, uris, 36, "the exact ESCO matches (skill-codes.json)")
	form := regexp.MustCompile(seed.EscoURIPattern)
	for slug, u := range uris {
		assert.Regexp(t, form, u, slug)
	}
	assert.Equal(t, "http://data.europa.eu/esco/skill/19a8293b-8e95-4de3-983f-77484079c389", uris["java"])
	for _, closest := range []string{"html", "git", "linux", "react", "aws", "go", "docker", "kubernetes"} {
		assert.NotContains(t, uris, closest)
	}

	env := testenv.Seeded(t, testenv.SQLite)
	ctx := context.Background()
	got := map[string]string{}
	for _, s := range env.DB.Client.Skill.Query().Where(skill.EscoURINotNil()).AllX(ctx) {
		got[s.Slug] = *s.EscoURI
	}
	assert.Equal(t, uris, got)
	for _, r := range env.DB.Client.Role.Query().AllX(ctx) {
		if r.Isco08Code == nil {
			assert.Nil(t, r.Nco2015Code, r.Slug)
			continue
		}
		require.NotNil(t, r.Nco2015Code, r.Slug)
		assert.Equal(t, *r.Isco08Code, *r.Nco2015Code, "%s: the NCO-2015 family is the ISCO-08 unit group", r.Slug)
	}

	base := func(files map[string]string) fstest.MapFS {
		fsys := fstest.MapFS{
			"data/locations.json": {Data: []byte(`[]`)},
			"data/companies.json": {Data: []byte(`[]`)},
			"data/skills.json": {Data: []byte(`[{"slug":"a","name":"A","category":"TOOL","source":"sample"},
				{"slug":"g","name":"G","category":"TOOL","groupMode":"ANY_OF","members":["a"],"source":"sample"}]`)},
			"data/roles/x.json": {Data: []byte(`{"slug":"x","title":"X","family":"F","source":"sample","summary":"s",
				"experienceMinYears":0,"experienceMaxYears":1,"coreSkills":["a"]}`)},
		}
		for k, v := range files {
			fsys[k] = &fstest.MapFile{Data: []byte(v)}
		}
		return fsys
	}
	const occ = `{"sources": {"isco08": "s", "onetSoc": "s", "nco2015": "s"}, "roles": {"x": %s}}`
	const esco = `{"sources": {"esco": "s"}, "skills": {%q: {"escoURI": %q, "escoLabel": "l", "escoVersion": "v1.1.1"}}}`
	const uri = "http://data.europa.eu/esco/skill/19a8293b-8e95-4de3-983f-77484079c389"
	for _, c := range []struct {
		name, file, body, err string
	}{
		{"family", "data/occupation-codes.json", fmt.Sprintf(occ, `{"isco08": "2512", "nco2015": "2512"}`), ""},
		{"occupation", "data/occupation-codes.json", fmt.Sprintf(occ, `{"isco08": "2512", "nco2015": "2512.0100"}`), ""},
		{"three digits", "data/occupation-codes.json", fmt.Sprintf(occ, `{"nco2015": "251"}`), `nco2015 code "251"`},
		{"six digits", "data/occupation-codes.json", fmt.Sprintf(occ, `{"nco2015": "2512.01"}`), `nco2015 code "2512.01"`},
		{"other family", "data/occupation-codes.json", fmt.Sprintf(occ, `{"isco08": "2512", "nco2015": "2513"}`), "not in ISCO-08 unit group"},
		{"uri", "data/skill-codes.json", fmt.Sprintf(esco, "a", uri), ""},
		{"not an ESCO URI", "data/skill-codes.json", fmt.Sprintf(esco, "a", "https://esco.ec.europa.eu/x"), "is not of the form"},
		{"unknown skill", "data/skill-codes.json", fmt.Sprintf(esco, "nope", uri), `unknown skill "nope"`},
		{"group", "data/skill-codes.json", fmt.Sprintf(esco, "g", uri), "a group is not an ESCO concept"},
		{"no source", "data/skill-codes.json", `{"sources": {}, "skills": {}}`, "sources.esco"},
	} {
		_, err := seed.ParseFS(base(map[string]string{c.file: c.body}))
		if c.err == "" {
			assert.NoError(t, err, c.name)
		} else if assert.Error(t, err, c.name) {
			assert.Contains(t, err.Error(), c.err, c.name)
		}
	}
}
