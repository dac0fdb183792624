package extract_test

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/extract"
	"github.com/careergraph/careergraph/internal/seed"
)

// seedSkills builds the seed vocabulary as the database would hold it (ids, group modes,
// members), without a database.
func seedSkills(t testing.TB) []*ent.Skill {
	t.Helper()
	d, err := seed.Parse()
	require.NoError(t, err)
	ids := map[string]int{}
	for i, s := range d.Skills {
		ids[s.Slug] = i + 1
	}
	var out []*ent.Skill
	for _, s := range d.Skills {
		x := &ent.Skill{ID: ids[s.Slug], Slug: s.Slug, Name: s.Name, Synonyms: s.Synonyms, Category: skill.Category(s.Category)}
		if s.GroupMode != "" {
			m := skill.GroupMode(s.GroupMode)
			x.GroupMode = &m
			for _, slug := range s.Members {
				x.Edges.Members = append(x.Edges.Members, &ent.Skill{ID: ids[slug]})
			}
		}
		out = append(out, x)
	}
	return out
}

type posting struct {
	Text   string   `json:"text"`
	Skills []string `json:"skills"`
}

func corpus(t testing.TB) []posting {
	f, err := os.Open("testdata/postings.jsonl")
	require.NoError(t, err)
	defer f.Close()
	var out []posting
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var p posting
		require.NoError(t, json.Unmarshal(sc.Bytes(), &p), "line %d", len(out)+1)
		out = append(out, p)
	}
	require.NoError(t, sc.Err())
	return out
}

// TestCorpusPrecisionRecall measures the extractor on the labelled postings (each labelled
// with the vocabulary's plain skills the text names, not ones it merely implies): micro-averaged
// precision and recall over (posting, skill) pairs must both reach 0.9.
func TestCorpusPrecisionRecall(t *testing.T) {
	all := seedSkills(t)
	known := map[string]bool{}
	for _, s := range all {
		known[s.Slug] = s.GroupMode == nil
	}
	x := extract.New(all)
	ps := corpus(t)
	require.GreaterOrEqual(t, len(ps), 100)
	var tp, fp, fn int
	for i, p := range ps {
		for _, s := range p.Skills {
			require.True(t, known[s], "line %d labels %q, which is not a plain skill of the vocabulary", i+1, s)
		}
		got := x.Slugs(p.Text)
		for _, s := range got {
			if slices.Contains(p.Skills, s) {
				tp++
			} else {
				fp++
				t.Logf("line %d: extra %s", i+1, s)
			}
		}
		for _, s := range p.Skills {
			if !slices.Contains(got, s) {
				fn++
				t.Logf("line %d: missed %s", i+1, s)
			}
		}
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	t.Logf("%d postings, %d labelled skills: precision %.3f (%d/%d), recall %.3f (%d/%d)",
		len(ps), tp+fn, precision, tp, tp+fp, recall, tp, tp+fn)
	assert.GreaterOrEqual(t, precision, 0.9)
	assert.GreaterOrEqual(t, recall, 0.9)
}

// TestHardCases pins the rules the corpus exercises, one by one.
func TestHardCases(t *testing.T) {
	x := extract.New(seedSkills(t))
	for text, want := range map[string][]string{
		"Backend in Go and Python.":               {"go", "python"},
		"We go live weekly.":                      {},
		"Go live weekly with us.":                 {},
		"Go, Python and Rust.":                    {"go", "python"},
		"Java and JavaScript":                     {"java", "javascript"},
		"JavaScript only":                         {"javascript"},
		"C, C++, C# and .NET":                     {"cpp"},
		"Node, Node.js, NodeJS and node pools":    {"nodejs"},
		"Postgres or PostgreSQL":                  {"postgresql"},
		"k8s":                                     {"kubernetes"},
		"REST-ful APIs; the rest of us":           {"rest"},
		"| Skill |\n| Kafka |\n| Redis |":         {"kafka", "redis"},
		"- Jest for unit tests\n- Hilt for DI":    {"jest", "unit-testing", "dagger-hilt"},
		"R and SQL; R&D":                          {"r", "sql"},
		"React Native, not React":                 {"react-native"},
		"CI/CD and A/B testing":                   {"ci-cd", "a-b-testing"},
		"data structures and algorithms, DBMS":    {"data-structures-algorithms", "dbms"},
		"Node.js / Java / Python (group spelled)": {"nodejs", "java", "python"},
	} {
		got := x.Slugs(text)
		if len(want) == 0 {
			assert.Empty(t, got, text)
			continue
		}
		assert.Equal(t, want, got, text)
	}
}

// TestPreferredCorpus checks the essential/preferred classification on labelled descriptions
// (testdata/requirements.jsonl: each lists the skills the text asks for as essential and as
// preferred); every case must come out exactly.
func TestPreferredCorpus(t *testing.T) {
	all := seedSkills(t)
	x := extract.New(all)
	slugOf := map[int]string{}
	for _, s := range all {
		slugOf[s.ID] = s.Slug
	}
	f, err := os.Open("testdata/requirements.jsonl")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		var c struct {
			Text      string   `json:"text"`
			Essential []string `json:"essential"`
			Preferred []string `json:"preferred"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &c), "line %d", n)
		pref := x.Preferred(c.Text)
		var gotE, gotP []string
		for _, s := range x.Skills(c.Text) {
			if pref[s.ID] {
				gotP = append(gotP, s.Slug)
			} else {
				gotE = append(gotE, s.Slug)
			}
		}
		for id := range pref {
			assert.Contains(t, x.Slugs(c.Text), slugOf[id], "line %d: a preferred skill the text names", n)
		}
		slices.Sort(gotE)
		slices.Sort(gotP)
		slices.Sort(c.Essential)
		slices.Sort(c.Preferred)
		assert.Equal(t, c.Essential, nonNil(gotE), "line %d essential: %q", n, c.Text)
		assert.Equal(t, c.Preferred, nonNil(gotP), "line %d preferred: %q", n, c.Text)
	}
	require.NoError(t, sc.Err())
	require.GreaterOrEqual(t, n, 20)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// BenchmarkSkillsAndPreferred: extraction over the labelled corpus (127 postings a run), the
// importer's largest CPU cost per posting. go test -bench SkillsAndPreferred ./internal/extract
func BenchmarkSkillsAndPreferred(b *testing.B) {
	x := extract.New(seedSkills(b))
	ps := corpus(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range ps {
			x.SkillsAndPreferred(p.Text)
		}
	}
}
