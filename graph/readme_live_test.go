package graph_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/testenv"
)

// TestLiveOpeningsExamplesRun: the README's examples for imports and CVs are in the README as
// written, and run without errors for an editor.
func TestLiveOpeningsExamplesRun(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	space := regexp.MustCompile(`\s+`)
	norm := func(s string) string { return space.ReplaceAllString(strings.TrimSpace(s), " ") }
	examples := []string{
		`mutation { importOpenings(url: "https://careers.acme.example/jobs", source: "acme", full: true) { id status } }`,
		`query { importRuns(first: 10) { edges { node { source status read created updated unchanged closed
  rejected unclassified attempts error rejects { document position reason } createdAt startedAt finishedAt } } } }`,
		`query($cv: String!) { profileFromText(text: $cv) { skills { name } experienceYears city { city } } }`,
		`query($cv: String!) { match(profile: {cvText: $cv}, first: 20) { edges { node { fitScore matchedSkills { name } missingSkills { name } opening { title } } } } }`,
	}
	for _, e := range examples {
		assert.Contains(t, norm(string(readme)), norm(e))
	}
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		_, token := env.User(t, "editor@example.com", "EDITOR")
		for _, e := range examples {
			res := testenv.PostAs(t, h, token, e, map[string]any{"cv": sampleCV})
			assert.Empty(t, res.Errors, "%s: %s", e, res.String())
		}
	})
}
