package graph_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/testenv"
)

// A CV as people paste it: a header, a summary, a skills table, jobs with date ranges.
const sampleCV = `Ananya Raghunathan
ananya.r@example.com | +91 98450 12345
Location: Bangalore, India

SUMMARY
Backend engineer with 6+ years of experience building payment systems in Go and Java.

SKILLS
Languages | Go (Golang), Java, Python
Data      | PostgreSQL, Redis, Kafka
Infra     | Docker, Kubernetes (k8s), AWS, Terraform
Practices | REST APIs, microservices, system design, CI/CD

EXPERIENCE
Senior Software Engineer, Paylinza (2021 – present)
- Built the settlements service in Go on Postgres; event streaming with Kafka.
Software Engineer, Ledgerwala Systems (2018 - 2021)
- Spring Boot services, MySQL, Jenkins pipelines.

EDUCATION
B.E. Computer Science, 2014 - 2018, Chennai`

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestProfileFromText reads the sample CV: skills in order of mention, the stated years, and
// the city of its Location line (Bangalore is Bengaluru), not the Chennai of its education.
func TestProfileFromText(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		var logs lockedBuffer
		h := env.HandlerWith(t, func(o *httpserver.Options) {
			o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		})
		var d struct {
			ProfileFromText struct {
				Skills          []struct{ Name string }
				ExperienceYears *int
				City            *struct{ City string }
			} `json:"profileFromText"`
		}
		testenv.Post(t, h, `query($cv: String!) { profileFromText(text: $cv) { skills { name } experienceYears city { city } } }`,
			map[string]any{"cv": sampleCV}).MustData(t, &d)
		var names []string
		for _, s := range d.ProfileFromText.Skills {
			names = append(names, s.Name)
		}
		assert.Equal(t, []string{"Go", "Java", "Python", "PostgreSQL", "Redis", "Kafka", "Docker", "Kubernetes", "AWS",
			"Terraform", "REST", "Microservices", "System design", "CI/CD", "Spring Boot", "MySQL", "Jenkins"}, names)
		require.NotNil(t, d.ProfileFromText.ExperienceYears)
		assert.Equal(t, 6, *d.ProfileFromText.ExperienceYears, `"6+ years of experience"`)
		require.NotNil(t, d.ProfileFromText.City)
		assert.Equal(t, "Bengaluru", d.ProfileFromText.City.City)

		big := testenv.Post(t, h, `query($cv: String!) { profileFromText(text: $cv) { experienceYears } }`,
			map[string]any{"cv": strings.Repeat("Go and Kafka. ", 5000)})
		assert.Equal(t, "BAD_USER_INPUT", big.Code())
		assert.Contains(t, big.String(), `"field":"text"`)
		assert.NotContains(t, big.String(), "Go and Kafka", "the text is not echoed")

		assert.NotEmpty(t, logs.String(), "requests are logged")
		for _, private := range []string{"Ananya", "98450", "settlements service", "Go and Kafka"} {
			assert.NotContains(t, logs.String(), private, "the CV is never logged")
		}
	})
}

// TestMatchWithCVText ranks openings for a pasted CV alone, and lets explicit fields override
// what the CV says.
func TestMatchWithCVText(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		q := `query($p: ProfileInput!) {
			match(profile: $p, first: 3) { totalCount edges { node { fitScore matchedSkills { name } breakdown { experience location }
				opening { title location { city } } } } }
			roleFit(slug: "backend-developer", profile: $p) { score matched { name } missing { name } } }`
		type result struct {
			Match struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						FitScore      float64
						MatchedSkills []struct{ Name string }
						Breakdown     struct{ Experience, Location float64 }
					}
				}
			}
			RoleFit struct {
				Score   float64
				Matched []struct{ Name string }
			} `json:"roleFit"`
		}
		var fromCV result
		testenv.Post(t, h, q, map[string]any{"p": map[string]any{"cvText": sampleCV}}).MustData(t, &fromCV)
		require.NotEmpty(t, fromCV.Match.Edges)
		assert.Positive(t, fromCV.Match.TotalCount)
		assert.NotEmpty(t, fromCV.Match.Edges[0].Node.MatchedSkills, "the CV's skills are matched")
		assert.NotEmpty(t, fromCV.RoleFit.Matched)

		run := func(p map[string]any) result {
			var r result
			testenv.Post(t, h, q, map[string]any{"p": p}).MustData(t, &r)
			return r
		}
		assert.Equal(t, fromCV, run(map[string]any{"cvText": sampleCV, "experienceYears": 6, "city": "Bengaluru"}),
			"the CV alone means 6 years in Bengaluru")
		assert.NotEqual(t, fromCV, run(map[string]any{"cvText": sampleCV, "experienceYears": 0}), "explicit years win")
		assert.Equal(t, fromCV.RoleFit, run(map[string]any{"cvText": sampleCV, "skills": []string{"Go"}}).RoleFit,
			"explicit skills come first; the CV adds the rest")

		missing := testenv.Post(t, h, q, map[string]any{"p": map[string]any{"cvText": "Go, Kafka and Redis."}})
		assert.Equal(t, "BAD_USER_INPUT", missing.Code())
		assert.Contains(t, missing.String(), "profile.experienceYears")
		big := testenv.Post(t, h, q, map[string]any{"p": map[string]any{"cvText": strings.Repeat("x", 70000), "experienceYears": 3}})
		assert.Equal(t, "BAD_USER_INPUT", big.Code())
		assert.Contains(t, big.String(), "profile.cvText")
	})
}
