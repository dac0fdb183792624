package titles_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/seed"
	"github.com/careergraph/careergraph/internal/titles"
)

func seedNormaliser(t *testing.T) *titles.Normaliser {
	t.Helper()
	d, err := seed.Parse()
	require.NoError(t, err)
	var rs []titles.Role
	for _, r := range d.Roles {
		rs = append(rs, titles.Role{Slug: r.Slug, Title: r.Title, Aliases: r.Aliases})
	}
	return titles.New(rs)
}

// TestClassify runs titles as career sites and job boards write them against the seed roles.
func TestClassify(t *testing.T) {
	n := seedNormaliser(t)
	cases := []struct{ title, want string }{
		// backend-developer
		{"Sr. Backend Engineer (Java)", "backend-developer"},
		{"SDE II – Backend", "backend-developer"},
		{"Server-side Developer", "backend-developer"},
		{"Back End Developer - Node.js", "backend-developer"},
		{"Senior Software Engineer, Backend (Go)", "backend-developer"},
		{"Golang Developer", "backend-developer"},
		{"Java Backend Developer - Immediate Joiners", "backend-developer"},
		{"Backend Engineer III", "backend-developer"},
		{"SDE-2 (Backend)", "backend-developer"},
		{"Lead API Developer", "backend-developer"},
		{"Python Developer (Django)", "backend-developer"},
		// frontend-developer
		{"Front-End Engineer (React)", "frontend-developer"},
		{"Senior UI Developer", "frontend-developer"},
		{"React.js Developer", "frontend-developer"},
		{"Software Engineer - Frontend", "frontend-developer"},
		{"Angular Developer – 3+ yrs", "frontend-developer"},
		// full-stack-developer
		{"Full Stack Developer (MERN)", "full-stack-developer"},
		{"Fullstack Engineer", "full-stack-developer"},
		{"Sr. Full-Stack Software Engineer", "full-stack-developer"},
		{"MEAN Stack Developer", "full-stack-developer"},
		// mobile
		{"Android Developer - Kotlin", "android-developer"},
		{"Senior Android Engineer (Jetpack Compose)", "android-developer"},
		{"Mobile Developer - Android", "android-developer"},
		{"iOS Engineer II", "ios-developer"},
		{"Swift Developer (iOS)", "ios-developer"},
		// data and ML
		{"Data Engineer - Spark/Scala", "data-engineer"},
		{"Senior Big Data Engineer", "data-engineer"},
		{"Data Platform Engineer", "data-engineer"},
		{"ETL Developer (Informatica)", "data-engineer"},
		{"Data Scientist - Machine Learning", "data-scientist"},
		{"Lead Data Scientist", "data-scientist"},
		{"Applied Scientist II", "data-scientist"},
		{"Machine Learning Engineer", "machine-learning-engineer"},
		{"Sr. ML Engineer (NLP)", "machine-learning-engineer"},
		{"AI/ML Engineer", "machine-learning-engineer"},
		{"MLOps Engineer", "machine-learning-engineer"},
		// ops
		{"DevOps Engineer - AWS", "devops-engineer"},
		{"Dev Ops Consultant", "devops-engineer"},
		{"Build & Release Engineer", "devops-engineer"},
		{"Site Reliability Engineer (SRE)", "site-reliability-engineer"},
		{"SRE II", "site-reliability-engineer"},
		{"Production Engineer", "site-reliability-engineer"},
		{"Cloud Engineer - Azure", "cloud-engineer"},
		{"AWS Cloud Engineer", "cloud-engineer"},
		{"Cloud Infrastructure Engineer (GCP)", "cloud-engineer"},
		// QA
		{"SDET II", "qa-automation-engineer"},
		{"Software Development Engineer in Test", "qa-automation-engineer"},
		{"QA Automation Engineer (Selenium)", "qa-automation-engineer"},
		{"Automation Tester", "qa-automation-engineer"},
		{"Test Automation Engineer - Playwright", "qa-automation-engineer"},
		// entry level
		{"Software Engineering Intern (Summer 2027)", "software-engineering-intern"},
		{"SDE Intern", "software-engineering-intern"},
		{"Backend Intern", "software-engineering-intern"},
		{"Graduate Engineer Trainee - IT", "graduate-engineer-trainee"},
		{"Trainee Software Engineer", "graduate-engineer-trainee"},
		// no role
		{"Software Engineer", titles.Unclassified},
		{"Sales Manager", titles.Unclassified},
		{"Chartered Accountant", titles.Unclassified},
		{"Product Designer", titles.Unclassified},
		{"HR Business Partner", titles.Unclassified},
		{"Senior Developer", titles.Unclassified},
		{"", titles.Unclassified},
	}
	require.GreaterOrEqual(t, len(cases), 40)
	for _, c := range cases {
		assert.Equal(t, c.want, n.Classify(c.title), "%q (tokens %q)", c.title, titles.Tokens(c.title))
	}
}

func TestTokens(t *testing.T) {
	assert.Equal(t, []string{"backend", "developer", "java"}, titles.Tokens("Sr. Backend Engineer (Java)"))
	assert.Equal(t, []string{"software", "developer", "backend"}, titles.Tokens("SDE II – Backend"))
	assert.Equal(t, []string{"backend", "developer"}, titles.Tokens("Server-side Developer"))
	assert.Equal(t, []string{"sdet"}, titles.Tokens("Software Development Engineer in Test"))
}

// TestTokensSearchWords are the role search's words (they were rolesearch.Normalize's cases
// before the two normalisers became one): the importer's rules read them too.
func TestTokensSearchWords(t *testing.T) {
	for in, want := range map[string][]string{
		"Backend Developer":          {"backend", "developer"},
		"back-end dev":               {"backend", "developer"},
		"Back End Engineer":          {"backend", "developer"},
		"Server-side Developer":      {"backend", "developer"},
		"Sr. SDE":                    {"software", "developer"},
		"ML Engineer":                {"ml", "developer"},
		"Build and Release Engineer": {"build", "release", "developer"},
		"iOS/Android developer":      {"ios", "android", "developer"},
		"  ":                         {},
	} {
		assert.Equal(t, want, titles.Tokens(in), in)
	}
}

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"backend", "backend", 0}, {"backnd", "backend", 1}, {"bakcend", "backend", 1}, {"devloper", "developer", 1},
		{"kitten", "sitting", 3}, {"ab", "abcdef", 3}} {
		assert.Equal(t, c.d, titles.Distance(c.a, c.b), "%s %s", c.a, c.b)
	}
}

func TestSpellings(t *testing.T) {
	sp := titles.Spellings("developer")
	assert.Equal(t, "developer", sp[0])
	assert.Contains(t, sp, "engineer")
	assert.Contains(t, sp, "programmer")
	assert.NotContains(t, sp, "sde", "sde means two words, software developer")
	assert.Equal(t, []string{"kafka"}, titles.Spellings("kafka"))
}
