package importer_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/company"
	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/importer"
	"github.com/careergraph/careergraph/internal/testenv"
)

var now = time.Date(2026, time.November, 25, 12, 0, 0, 0, time.UTC)

func run(t *testing.T, c *ent.Client, opts importer.Options, args ...string) *importer.Report {
	t.Helper()
	opts.Now = func() time.Time { return now }
	if opts.Source == "" {
		opts.Source = "test-feed"
	}
	im, err := importer.New(context.Background(), c, opts)
	require.NoError(t, err)
	rep, err := importer.Run(context.Background(), im, args, importer.FetchOptions{}, nil)
	require.NoError(t, err)
	return rep
}

func byExt(t *testing.T, c *ent.Client, ext string) *ent.Opening {
	t.Helper()
	o, err := c.Opening.Query().Where(opening.Source("import:test-feed"), opening.ExternalID(ext)).
		WithRole().WithCompany().WithLocation().WithSkills().Only(context.Background())
	require.NoError(t, err, ext)
	return o
}

func slugs(ss []*ent.Skill) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Slug)
	}
	return out
}

// TestImportSingleObject maps one posting written to the search engines' guidelines, field by
// field.
func TestImportSingleObject(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		c := testenv.Seeded(t, b).DB.Client
		companies := c.Company.Query().CountX(ctx)
		rep := run(t, c, importer.Options{}, "testdata/single.jsonld")
		assert.Equal(t, 1, rep.Created)
		assert.Zero(t, rep.Rejected, rep.Rejects)

		o := byExt(t, c, "PL-2026-0142")
		assert.Equal(t, "Sr. Backend Engineer (Java)", o.Title)
		require.NotNil(t, o.Edges.Role)
		assert.Equal(t, "backend-developer", o.Edges.Role.Slug)
		assert.Equal(t, "paylinza", o.Edges.Company.Slug, `"Paylinza Pvt. Ltd." is the seed's Paylinza`)
		assert.Equal(t, companies, c.Company.Query().CountX(ctx), "no company created")
		require.NotNil(t, o.Edges.Location)
		assert.Equal(t, "bengaluru", o.Edges.Location.Slug, "Bangalore is Bengaluru")
		assert.Equal(t, opening.WorkModeONSITE, o.WorkMode)
		assert.Equal(t, opening.EmploymentTypeFULL_TIME, o.EmploymentType)
		assert.Equal(t, 5, o.ExperienceMinYears, "60 months")
		assert.Nil(t, o.ExperienceMaxYears)
		require.NotNil(t, o.SalaryMin)
		assert.Equal(t, int64(250000), *o.SalaryMin)
		assert.Equal(t, int64(350000), *o.SalaryMax)
		assert.Equal(t, opening.SalaryPeriodMONTH, *o.SalaryPeriod)
		assert.Equal(t, "INR", *o.SalaryCurrency)
		assert.True(t, o.PostedAt.Equal(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)))
		require.NotNil(t, o.ValidThrough)
		assert.True(t, o.ValidThrough.Equal(time.Date(2027, 1, 31, 23, 59, 0, 0, time.UTC)))
		assert.Equal(t, opening.StatusLIVE, o.Status)
		assert.Equal(t, "https://example.com/paylinza/careers/PL-2026-0142", o.URL)
		assert.NotContains(t, o.DescriptionHTML, "<script")
		assert.NotContains(t, o.DescriptionHTML, "onclick")
		assert.Contains(t, o.DescriptionHTML, "<li>Build REST APIs in Java and Spring Boot</li>")
		assert.NotContains(t, o.Description, "<")
		assert.Contains(t, o.Description, "- Run services on Kubernetes (k8s)")
		assert.ElementsMatch(t, []string{"java", "spring-boot", "microservices", "rest", "kubernetes", "postgresql", "kafka"}, slugs(o.Edges.Skills))
		assert.Equal(t, 7, o.SkillCount)
		assert.Contains(t, o.SearchText, "paylinza")
		assert.Contains(t, o.SearchText, "bengaluru")
		assert.Contains(t, o.SearchText, "k8s", "skills' synonyms are searchable")
		assert.NotEmpty(t, o.ContentHash)
	})
}

// TestImportArrayGraphAndHTML: an array, an @graph (other node types passed over), and a
// careers page with several scripts (a breadcrumb, two postings, one broken, one that is not
// JSON-LD).
func TestImportArrayGraphAndHTML(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		c := testenv.Seeded(t, b).DB.Client
		rep := run(t, c, importer.Options{}, "testdata/array.json", "testdata/graph.jsonld", "testdata/careers.html")
		assert.Equal(t, 7, rep.Created)
		assert.Equal(t, 8, rep.Read)
		assert.Equal(t, 1, rep.Rejected)
		require.Len(t, rep.Rejects, 1)
		assert.Equal(t, "testdata/careers.html", rep.Rejects[0].Document)
		assert.Equal(t, "script 3", rep.Rejects[0].Position)
		assert.Contains(t, rep.Rejects[0].Reason, "malformed JSON")
		assert.Equal(t, 1, rep.Unclassified)

		fe := byExt(t, c, "FE-77")
		assert.Equal(t, "frontend-developer", fe.Edges.Role.Slug)
		assert.Equal(t, "gurugram", fe.Edges.Location.Slug, "Gurgaon is Gurugram")
		assert.Equal(t, 2, fe.ExperienceMinYears)
		require.NotNil(t, fe.ExperienceMaxYears)
		assert.Equal(t, 5, *fe.ExperienceMaxYears, `"2–5 years"`)
		assert.Equal(t, opening.EmploymentTypeFULL_TIME, fe.EmploymentType, "the first type that maps")
		assert.Equal(t, "northwind-fintech", fe.Edges.Company.Slug)
		assert.Equal(t, "import:test-feed", fe.Edges.Company.Source)
		assert.Equal(t, "https://www.northwind.example/", fe.Edges.Company.Website)

		sre := byExt(t, c, "9912")
		assert.Equal(t, "site-reliability-engineer", sre.Edges.Role.Slug)
		assert.Equal(t, fe.Edges.Company.ID, sre.Edges.Company.ID, "same company by its site, whatever its name says")
		assert.Equal(t, opening.WorkModeREMOTE, sre.WorkMode, "TELECOMMUTE")
		assert.Nil(t, sre.Edges.Location)
		assert.Equal(t, []string{"India"}, sre.ApplicantLocationRequirements)
		assert.Equal(t, int64(3200000), *sre.SalaryMax)

		qa := byExt(t, c, "https://northwind.example/jobs/qa-automation-contract")
		assert.Equal(t, "qa-automation-engineer", qa.Edges.Role.Slug)
		assert.Equal(t, fe.Edges.Company.ID, qa.Edges.Company.ID, "same company by name")
		assert.Equal(t, opening.EmploymentTypeCONTRACT, qa.EmploymentType)
		assert.Equal(t, int64(41600), *qa.SalaryMin, "20 USD an hour × 2,080 hours")
		assert.Equal(t, int64(62400), *qa.SalaryMax)
		assert.Equal(t, opening.SalaryPeriodYEAR, *qa.SalaryPeriod)
		assert.Equal(t, 1, c.Company.Query().Where(company.Slug("northwind-fintech")).CountX(ctx))

		de := byExt(t, c, "TX-DE-4")
		assert.Equal(t, "data-engineer", de.Edges.Role.Slug)
		assert.Equal(t, "tenantrix-hr-cloud", de.Edges.Company.Slug, "by sameAs, the seed company's website")
		assert.Equal(t, "mumbai", de.Edges.Location.Slug, "Bombay is Mumbai")
		assert.Equal(t, 3, de.ExperienceMinYears, `"3+ years"`)
		assert.Subset(t, slugs(de.Edges.Skills), []string{"etl", "apache-spark", "airflow", "snowflake", "sql", "scala"})

		ca := byExt(t, c, "TX-FIN-1")
		assert.Nil(t, ca.Edges.Role, "a title that names no role is unclassified")
		assert.Nil(t, ca.RoleID)

		and := byExt(t, c, "VN-AND-12")
		assert.Equal(t, "android-developer", and.Edges.Role.Slug)
		assert.Equal(t, "vaidyanet-health", and.Edges.Company.Slug)
		assert.Contains(t, and.DescriptionHTML, "<table>", "escaped HTML is unescaped, then sanitised")
		assert.Contains(t, and.Description, "Kotlin | 3")
		assert.Subset(t, slugs(and.Edges.Skills), []string{"kotlin", "jetpack-compose", "kotlin-coroutines", "dagger-hilt", "firebase", "android-sdk"})

		ios := byExt(t, c, "VN-IOS-3")
		assert.Equal(t, "ios-developer", ios.Edges.Role.Slug)
		assert.Equal(t, 2, c.Opening.Query().Where(opening.Source("import:test-feed"), opening.HasCompanyWith(company.Slug("vaidyanet-health"))).CountX(ctx))
		assert.Equal(t, 1, c.Location.Query().Where(location.Slug("hyderabad")).CountX(ctx))
	})
}

// TestRejectsKeepTheRest: each bad record is rejected with its line and reason; the good ones
// are imported and nothing of the bad ones is written.
func TestRejectsKeepTheRest(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		c := testenv.Seeded(t, b).DB.Client
		before := c.Opening.Query().CountX(ctx)
		rep := run(t, c, importer.Options{}, "testdata/broken.jsonl")
		assert.Equal(t, 2, rep.Created)
		assert.Equal(t, 8, rep.Rejected)
		got := map[string]string{}
		for _, r := range rep.Rejects {
			got[r.Position] = r.Reason
		}
		want := map[string]string{
			"line 2":  "malformed JSON",
			"line 3":  "title: missing",
			"line 4":  "hiringOrganization: missing",
			"line 5":  "datePosted: missing",
			"line 6":  "impossible salary (minValue above maxValue)",
			"line 7":  "not an ISO 8601 date",
			"line 9":  "impossible salary (not positive)",
			"line 11": "already imported by record 1 of this run",
		}
		for pos, reason := range want {
			assert.Contains(t, got[pos], reason, pos)
		}
		assert.Equal(t, before+2, c.Opening.Query().CountX(ctx))
		ds := byExt(t, c, "BR-9")
		assert.Equal(t, "stackmanthan", ds.Edges.Company.Slug, `"STACKMANTHAN PRIVATE LIMITED"`)
		assert.Equal(t, "data-scientist", ds.Edges.Role.Slug)
		assert.Equal(t, "Golang Developer", byExt(t, c, "BR-1").Title, "the first of two with one identifier")
	})
}

// TestChunksPipelined: with chunks of two, each prepared while the one before is written, the
// records are taken in document order as with one chunk: the same creates and rejects, and a
// duplicate of a record rejected two chunks earlier names that record, not the one being read
// when it was taken.
func TestChunksPipelined(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		c := testenv.Seeded(t, b).DB.Client
		posting := func(id, title string) string {
			t := ""
			if title != "" {
				t = `"title":"` + title + `",`
			}
			return `{"@context":"https://schema.org/","@type":"JobPosting",` + t + `"description":"Go and PostgreSQL.","identifier":"` + id +
				`","datePosted":"2026-11-20","hiringOrganization":{"name":"Stackmanthan"},"jobLocation":{"address":{"addressLocality":"Pune","addressCountry":"IN"}}}`
		}
		lines := []string{posting("PL-1", ""), posting("PL-2", "Backend Developer"), posting("PL-3", "Golang Developer"),
			posting("PL-4", "Java Developer"), posting("PL-5", "Python Developer"), posting("PL-1", "Go Developer")}
		path := filepath.Join(t.TempDir(), "feed.jsonl")
		require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
		rep := run(t, c, importer.Options{BatchSize: 2}, path)
		assert.Equal(t, []int{6, 4, 2}, []int{rep.Read, rep.Created, rep.Rejected}, rep.Rejects)
		got := map[string]string{}
		for _, r := range rep.Rejects {
			got[r.Position] = r.Reason
		}
		assert.Contains(t, got["line 1"], "title: missing")
		assert.Contains(t, got["line 6"], "already imported by record 1 of this run")
		assert.Equal(t, 4, c.Opening.Query().Where(opening.Source("import:test-feed")).CountX(ctx))
	})
}

// TestSync: importing again changes nothing; a changed posting is updated in place; a full
// import closes what the feed stopped listing, and reopens it when it comes back.
func TestSync(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		c := testenv.Seeded(t, b).DB.Client
		dir := t.TempDir()
		feed, err := os.ReadFile("testdata/array.json")
		require.NoError(t, err)
		write := func(s string) string {
			p := filepath.Join(dir, "feed.json")
			require.NoError(t, os.WriteFile(p, []byte(s), 0o600))
			return p
		}
		p := write(string(feed))
		first := run(t, c, importer.Options{Full: true}, p)
		assert.Equal(t, 3, first.Created)
		n := c.Opening.Query().CountX(ctx)
		fe := byExt(t, c, "FE-77")

		again := run(t, c, importer.Options{Full: true}, p)
		assert.Equal(t, []int{0, 0, 3, 0}, []int{again.Created, again.Updated, again.Unchanged, again.Closed})
		assert.Equal(t, n, c.Opening.Query().CountX(ctx))
		assert.True(t, byExt(t, c, "FE-77").UpdatedAt.Equal(fe.UpdatedAt), "an unchanged posting is not written")

		changed := strings.Replace(string(feed), "Jest and Cypress", "Jest, Cypress and Playwright", 1)
		up := run(t, c, importer.Options{Full: true}, write(changed))
		assert.Equal(t, []int{0, 1, 2, 0}, []int{up.Created, up.Updated, up.Unchanged, up.Closed})
		fe2 := byExt(t, c, "FE-77")
		assert.Equal(t, fe.ID, fe2.ID)
		assert.Contains(t, slugs(fe2.Edges.Skills), "playwright")
		assert.Equal(t, len(fe2.Edges.Skills), fe2.SkillCount)

		// The feed drops the SRE posting (the second of three).
		i := strings.Index(changed, "  {\n    \"@context\": \"https://schema.org/\",\n    \"@type\": [\"JobPosting\"]")
		j := strings.Index(changed, "  {\n    \"@context\": \"https://schema.org/\",\n    \"@type\": \"JobPosting\",\n    \"title\": \"QA")
		require.True(t, i > 0 && j > i)
		dropped := changed[:i] + changed[j:]
		partial := run(t, c, importer.Options{}, write(dropped))
		assert.Zero(t, partial.Closed, "a partial import closes nothing")
		assert.Equal(t, opening.StatusLIVE, byExt(t, c, "9912").Status)
		full := run(t, c, importer.Options{Full: true}, write(dropped))
		assert.Equal(t, 1, full.Closed)
		assert.Equal(t, opening.StatusCLOSED, byExt(t, c, "9912").Status)
		assert.Equal(t, opening.StatusLIVE, c.Opening.Query().Where(opening.Source("sample")).FirstX(ctx).Status,
			"other sources are never closed")

		back := run(t, c, importer.Options{Full: true}, write(changed))
		assert.Equal(t, 1, back.Updated)
		assert.Equal(t, opening.StatusLIVE, byExt(t, c, "9912").Status, "reopened")
		assert.Equal(t, n, c.Opening.Query().CountX(ctx), "never a duplicate")
	})
}

// TestEditorsClassificationSurvivesReimport: an editor classifies an unclassified opening; a
// later import of a changed posting keeps the role.
func TestEditorsClassificationSurvivesReimport(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		c := testenv.Seeded(t, b).DB.Client
		run(t, c, importer.Options{}, "testdata/graph.jsonld")
		ca := byExt(t, c, "TX-FIN-1")
		de := c.Role.Query().Where(role.Slug("data-engineer")).OnlyX(ctx)
		c.Opening.UpdateOneID(ca.ID).SetRoleID(de.ID).ExecX(ctx)
		dir := t.TempDir()
		raw, err := os.ReadFile("testdata/graph.jsonld")
		require.NoError(t, err)
		p := filepath.Join(dir, "g.jsonld")
		require.NoError(t, os.WriteFile(p, []byte(strings.Replace(string(raw), "GST filings", "GST and TDS filings", 1)), 0o600))
		rep := run(t, c, importer.Options{}, p)
		assert.Equal(t, 1, rep.Updated)
		assert.Equal(t, de.ID, *byExt(t, c, "TX-FIN-1").RoleID)
	})
}

// TestURLImport fetches a careers page from an httptest server; without AllowPrivate the same
// URL is refused (it is on loopback).
func TestURLImport(t *testing.T) {
	page, err := os.ReadFile("testdata/careers.html")
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/careers":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(page)
		case "/big.jsonl":
			w.Header().Set("Content-Type", "application/x-ndjson")
			_, _ = w.Write([]byte(strings.Repeat(" ", 4096)))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		c := testenv.Seeded(t, b).DB.Client
		im, err := importer.New(ctx, c, importer.Options{Source: "vaidyanet", Now: func() time.Time { return now }})
		require.NoError(t, err)
		_, err = importer.Run(ctx, im, []string{srv.URL + "/careers"}, importer.FetchOptions{}, nil)
		require.ErrorIs(t, err, importer.ErrForbiddenAddress)

		im, err = importer.New(ctx, c, importer.Options{Source: "vaidyanet", Full: true, Now: func() time.Time { return now }})
		require.NoError(t, err)
		rep, err := importer.Run(ctx, im, []string{srv.URL + "/careers"}, importer.FetchOptions{AllowPrivate: true}, nil)
		require.NoError(t, err)
		assert.Equal(t, 2, rep.Created)
		assert.Equal(t, 1, rep.Rejected)
		assert.Equal(t, 2, c.Opening.Query().Where(opening.Source("import:vaidyanet")).CountX(ctx))

		im, err = importer.New(ctx, c, importer.Options{Source: "vaidyanet", Full: true, Now: func() time.Time { return now }})
		require.NoError(t, err)
		rep, err = importer.Run(ctx, im, []string{srv.URL + "/big.jsonl", srv.URL + "/missing"},
			importer.FetchOptions{AllowPrivate: true, MaxBytes: 1024}, nil)
		require.ErrorIs(t, err, importer.ErrTooLarge)
		assert.ErrorContains(t, err, "HTTP 404")
		assert.True(t, rep.Incomplete)
		assert.Zero(t, rep.Closed, "an incomplete full import closes nothing")
		assert.Equal(t, 2, c.Opening.Query().Where(opening.Source("import:vaidyanet"), opening.StatusEQ(opening.StatusLIVE)).CountX(ctx))
	})
}

// TestSkillsFromPropertyAndText: names in the skills property that the vocabulary knows, and
// skills the text names.
func TestSkillsFromPropertyAndText(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		c := testenv.Seeded(t, b).DB.Client
		p := filepath.Join(t.TempDir(), "one.jsonl")
		require.NoError(t, os.WriteFile(p, []byte(`{"@type":"JobPosting","title":"Golang Developer","description":"Let's go live weekly.","skills":["Golang, gRPC","DefinedTerm"],"identifier":"S-1","datePosted":"2026-11-20","hiringOrganization":"Stackmanthan","jobLocation":{"address":{"addressLocality":"Pune"}}}`+"\n"), 0o600))
		rep := run(t, c, importer.Options{}, p)
		require.Equal(t, 1, rep.Created, rep.Rejects)
		o := byExt(t, c, "S-1")
		assert.Equal(t, []string{"go"}, slugs(o.Edges.Skills))
		assert.Equal(t, "IN", o.Edges.Location.CountryCode, "the default country")
		assert.Zero(t, c.Skill.Query().Where(skill.Name("gRPC")).CountX(ctx), "unknown skills are not invented")
	})
}

// TestRefusedPostingDoesNotTakeItsBatchDown: the database refuses one posting (a trigger
// here); its batch is retried posting by posting, so only that one is rejected, and nothing of
// it is written.
func TestRefusedPostingDoesNotTakeItsBatchDown(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		env := testenv.Seeded(t, b)
		stmts := []string{`CREATE TRIGGER refuse BEFORE INSERT ON openings WHEN NEW.title = 'Refuse Me Developer'
			BEGIN SELECT RAISE(ABORT, 'refused by test'); END`}
		if b == testenv.Postgres {
			stmts = []string{
				`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
					IF NEW.title = 'Refuse Me Developer' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$`,
				`CREATE TRIGGER refuse BEFORE INSERT ON openings FOR EACH ROW EXECUTE FUNCTION refuse()`,
			}
		}
		for _, s := range stmts {
			_, err := env.DB.SQL.ExecContext(ctx, s)
			require.NoError(t, err)
		}
		var lines []string
		for i, title := range []string{"Backend Developer", "Refuse Me Developer", "Frontend Developer"} {
			lines = append(lines, `{"@type":"JobPosting","title":"`+title+`","identifier":"R-`+string(rune('1'+i))+
				`","datePosted":"2026-11-20","hiringOrganization":"Stackmanthan","jobLocation":{"address":{"addressLocality":"Pune"}}}`)
		}
		p := filepath.Join(t.TempDir(), "r.jsonl")
		require.NoError(t, os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
		rep := run(t, env.DB.Client, importer.Options{}, p)
		assert.Equal(t, 2, rep.Created)
		assert.Equal(t, 1, rep.Rejected)
		require.Len(t, rep.Rejects, 1)
		assert.Equal(t, "line 2", rep.Rejects[0].Position)
		assert.Equal(t, "could not be stored (see the server log)", rep.Rejects[0].Reason, "no database text")
		assert.Zero(t, env.DB.Client.Opening.Query().Where(opening.ExternalID("R-2")).CountX(ctx))
	})
}
