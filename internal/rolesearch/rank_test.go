package rolesearch

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// seedRoles are the seed's titles and aliases (internal/seed/data/roles).
var seedRoles = []Candidate{
	{1, "Backend Developer", []string{"Back-end Engineer", "Server-side Developer", "API Developer"}},
	{2, "Frontend Developer", []string{"Front-end Engineer", "UI Developer", "React Developer"}},
	{3, "Full Stack Developer", []string{"Full-stack Engineer", "MERN Stack Developer", "Web Developer"}},
	{4, "DevOps Engineer", []string{"DevOps Specialist", "Build and Release Engineer", "Platform Engineer"}},
	{5, "Site Reliability Engineer", []string{"SRE", "Reliability Engineer", "Production Engineer"}},
	{6, "Data Engineer", []string{"Big Data Engineer", "ETL Developer", "Data Platform Engineer"}},
	{7, "Data Scientist", []string{"ML Scientist", "Applied Scientist", "Decision Scientist"}},
	{8, "Machine Learning Engineer", []string{"ML Engineer", "AI Engineer", "MLOps Engineer"}},
	{9, "Android Developer", []string{"Android Engineer", "Kotlin Developer", "Mobile App Developer (Android)"}},
}

func TestRank(t *testing.T) {
	top := func(q string) []int {
		var ids []int
		for _, h := range Rank(q, seedRoles) {
			ids = append(ids, h.ID)
		}
		return ids
	}
	// The three ways of saying Backend Developer find it first.
	for _, q := range []string{"backend engineer", "back-end dev", "API developer", "Backend Developer",
		"backnd engineer", "backend enginer", "server side developer"} {
		ids := top(q)
		if assert.NotEmpty(t, ids, q) {
			assert.Equal(t, 1, ids[0], q)
		}
	}
	assert.Equal(t, []int{1}, top("backend engineer"), "other developer roles share one word of two: below MinScore")
	assert.Equal(t, 5, top("SRE")[0], "an abbreviation finds the alias and the title")
	assert.Equal(t, 5, top("site reliabilty engineer")[0], "a typo of one letter")
	assert.Equal(t, 8, top("ml engineer")[0])
	assert.Equal(t, []int{6, 7}, top("data")[:2], "a shared word: the shorter title first on a tie")
	assert.Empty(t, top("astronaut"))
	assert.Empty(t, top("go"), "no typo allowance below four letters")
	assert.Empty(t, top("   "))

	// Scores follow the documented formula.
	h := Rank("backend", seedRoles)
	assert.Equal(t, 75, h[0].Score, "every query word exact, half the title covered")
	h = Rank("API developer", seedRoles)
	assert.Equal(t, 95, h[0].Score, "an alias scores at most 95")
	assert.Equal(t, "API Developer", h[0].Name)
	h = Rank("backnd developer", seedRoles)
	assert.Equal(t, 85, h[0].Score, "(70 + 100) / 2 words, the whole title covered")
}
