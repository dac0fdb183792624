package graph_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/testenv"
)

// The four operations the search issue gives as the frontends' contract, verbatim.
const (
	contractSearch = `query Search { openings(search: "golang kubernetes", first: 20,
  where: {status: LIVE, hasLocationWith: {city: "Bengaluru"}}) {
  totalCount edges { cursor node { id title skills { name } } } pageInfo { hasNextPage endCursor } } }`
	contractMatch = `query Match($p: ProfileInput!) { match(profile: $p, first: 20) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { fitScore matchedSkills { name } missingSkills { name }
    breakdown { skills experience location salary } opening { id title } } } } }`
	contractFit = `query Fit($p: ProfileInput!) { roleFit(slug: "backend-developer", profile: $p) {
  score matched { name } missing { name } } }`
	contractMarket = `query Market { skillDemand(role: "backend-developer", first: 10) { skill { name } openings share }
  salaryInsights(role: "backend-developer", country: "IN") { currency min p25 median p75 max count } }`
)

var contractProfile = map[string]any{"p": map[string]any{
	"skills": []string{"Go", "PostgreSQL", "Docker", "Redis", "Kafka", "REST"}, "experienceYears": 3, "city": "Bengaluru"}}

func TestSearchContractQueriesOnTheSeed(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)

		var s struct {
			Openings struct {
				TotalCount int `json:"totalCount"`
				Edges      []struct {
					Node struct {
						Title  string  `json:"title"`
						Skills []named `json:"skills"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"openings"`
		}
		testenv.Post(t, h, contractSearch, nil).MustData(t, &s)
		require.NotEmpty(t, s.Openings.Edges, "the seed has Go and Kubernetes openings in Bengaluru")
		assert.Equal(t, len(s.Openings.Edges), s.Openings.TotalCount)
		for _, e := range s.Openings.Edges {
			n := names(e.Node.Skills)
			assert.Contains(t, n, "Kubernetes", e.Node.Title)
		}

		var m matchPage
		testenv.Post(t, h, contractMatch, contractProfile).MustData(t, &m)
		require.Len(t, m.Match.Edges, 20)
		assert.True(t, m.Match.PageInfo.HasNextPage)
		for i, e := range m.Match.Edges {
			n := e.Node
			sum := n.Breakdown.Skills + n.Breakdown.Experience + n.Breakdown.Location + n.Breakdown.Salary
			assert.InDelta(t, sum, float64(n.FitScore), 0.5, "fitScore is the rounded sum of its parts")
			assert.NotEmpty(t, n.MatchedSkills, "the best fits share skills with the profile")
			if i > 0 {
				assert.LessOrEqual(t, n.FitScore, m.Match.Edges[i-1].Node.FitScore, "best first")
			}
		}

		var f struct {
			RoleFit struct {
				Score   int     `json:"score"`
				Matched []named `json:"matched"`
				Missing []named `json:"missing"`
			} `json:"roleFit"`
		}
		testenv.Post(t, h, contractFit, contractProfile).MustData(t, &f)
		// Redis satisfies "Caching (Redis)", Kafka "Message queues", Docker itself; REST alone is
		// not "REST & GraphQL APIs" (ALL_OF), Go not "Node.js / Java / Python".
		assert.Equal(t, []named{{"Caching (Redis)"}, {"Docker"}, {"Message queues"}}, f.RoleFit.Matched)
		assert.Equal(t, 33, f.RoleFit.Score, "3 of the 9 core skills")
		assert.Len(t, f.RoleFit.Missing, 6)

		var mk struct {
			SkillDemand []struct {
				Skill    named   `json:"skill"`
				Openings int     `json:"openings"`
				Share    float64 `json:"share"`
			} `json:"skillDemand"`
			SalaryInsights *struct {
				Currency string `json:"currency"`
				Min      int    `json:"min"`
				P25      int    `json:"p25"`
				Median   int    `json:"median"`
				P75      int    `json:"p75"`
				Max      int    `json:"max"`
				Count    int    `json:"count"`
			} `json:"salaryInsights"`
		}
		testenv.Post(t, h, contractMarket, nil).MustData(t, &mk)
		require.Len(t, mk.SkillDemand, 10)
		for i, d := range mk.SkillDemand {
			assert.Greater(t, d.Share, 0.0)
			assert.LessOrEqual(t, d.Share, 1.0)
			if i > 0 {
				assert.LessOrEqual(t, d.Openings, mk.SkillDemand[i-1].Openings)
			}
		}
		si := mk.SalaryInsights
		require.NotNil(t, si)
		assert.Equal(t, "INR", si.Currency)
		assert.Positive(t, si.Count)
		assert.True(t, si.Min <= si.P25 && si.P25 <= si.Median && si.Median <= si.P75 && si.P75 <= si.Max, "%+v", si)
	})
}
