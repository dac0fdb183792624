package graph_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/testenv"
)

type requirementJSON struct {
	Skill     named `json:"skill"`
	Essential bool  `json:"essential"`
}

// sortedReqs is reqs in name order.
func sortedReqs(rs []requirementJSON) string {
	f := strings.Fields(reqs(rs))
	slices.Sort(f)
	return strings.Join(f, " ")
}

func reqs(rs []requirementJSON) string {
	var b []string
	for _, r := range rs {
		flag := "P"
		if r.Essential {
			flag = "E"
		}
		b = append(b, r.Skill.Name+":"+flag)
	}
	return strings.Join(b, " ")
}

const updateOpeningReqs = `mutation($id: ID!, $in: UpdateOpeningInput!) { updateOpening(id: $id, input: $in) {
  skills { name } skillRequirements { skill { name } essential } } }`

// TestEssentialAndPreferredSkills: editors mark an opening's skills essential or preferred,
// the opening shows them, and matching weighs them, every figure worked out by hand (README,
// Matching: skills = 60 × (2 × essential satisfied + preferred satisfied) / (2 × essential +
// preferred)).
func TestEssentialAndPreferredSkills(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := newMarket(t, b)
		_, token := m.env.User(t, "editor@example.com", "EDITOR")
		update := func(letter string, in map[string]any) string {
			t.Helper()
			var d struct {
				UpdateOpening struct {
					Skills            []named           `json:"skills"`
					SkillRequirements []requirementJSON `json:"skillRequirements"`
				} `json:"updateOpening"`
			}
			testenv.PostAs(t, m.h, token, updateOpeningReqs, map[string]any{"id": m.ids[letter], "in": in}).MustData(t, &d)
			assert.Len(t, d.UpdateOpening.SkillRequirements, len(d.UpdateOpening.Skills), "the same skills")
			return reqs(d.UpdateOpening.SkillRequirements)
		}
		// B asks for Go, Docker, Redis and Kafka; Kafka and Redis become nice to have.
		assert.Equal(t, "Docker:E Go:E Kafka:P Redis:P",
			update("B", map[string]any{"addPreferredSkillIDs": []string{m.ref["kafka"], m.ref["redis"]}}),
			"essential first, then by name")
		// F asks for Node.js, REST and Docker; Docker becomes nice to have.
		assert.Equal(t, "Node.js:E REST:E Docker:P",
			update("F", map[string]any{"addPreferredSkillIDs": []string{m.ref["docker"]}}))

		profile := map[string]any{"skills": []string{"golang", "Postgres", "docker", "K8S"}, "experienceYears": 4, "city": "bengaluru"}
		const q = `query Match($p: ProfileInput!) { match(profile: $p, first: 10) { edges { node {
		  fitScore breakdown { skills } opening { id }
		  matchedSkills { name } missingSkills { name }
		  matchedRequirements { skill { name } essential } missingRequirements { skill { name } essential } } } } }`
		type matchNode struct {
			FitScore  int `json:"fitScore"`
			Breakdown struct {
				Skills float64 `json:"skills"`
			} `json:"breakdown"`
			Opening       struct{ ID string }
			MatchedSkills []named           `json:"matchedSkills"`
			MissingSkills []named           `json:"missingSkills"`
			Matched       []requirementJSON `json:"matchedRequirements"`
			Missing       []requirementJSON `json:"missingRequirements"`
		}
		run := func() (order []string, byLetter map[string]matchNode) {
			t.Helper()
			var d struct {
				Match struct {
					Edges []struct{ Node matchNode } `json:"edges"`
				} `json:"match"`
			}
			testenv.Post(t, m.h, q, map[string]any{"p": profile}).MustData(t, &d)
			byLetter = map[string]matchNode{}
			for _, e := range d.Match.Edges {
				l := m.letters([]string{e.Node.Opening.ID})[0]
				order = append(order, l)
				byLetter[l] = e.Node
			}
			return order, byLetter
		}
		order, got := run()
		// B: Go and Docker (essential) satisfied, Kafka and Redis (preferred) missing:
		// 60 × (2×2 + 0) / (2×2 + 2) = 40 (was 30 when all four were essential); 40+15+0+10.
		assert.Equal(t, 40.0, got["B"].Breakdown.Skills)
		assert.Equal(t, 65, got["B"].FitScore)
		assert.Equal(t, "Docker:E Go:E", sortedReqs(got["B"].Matched))
		assert.Equal(t, "Kafka:P Redis:P", sortedReqs(got["B"].Missing), "the gaps say they are only nice to have")
		assert.Equal(t, []string{"Kafka", "Redis"}, names(got["B"].MissingSkills))
		// F: Docker (preferred) satisfied, Node.js and REST (essential) missing:
		// 60 × (0 + 1) / (2×2 + 1) = 12 (was 20); 12+15+15+10.
		assert.Equal(t, 12.0, got["F"].Breakdown.Skills)
		assert.Equal(t, 52, got["F"].FitScore)
		assert.Equal(t, "Docker:P", sortedReqs(got["F"].Matched))
		assert.ElementsMatch(t, []string{"Node.js:E", "REST:E"}, strings.Fields(reqs(got["F"].Missing)))
		// A (all essential, all satisfied) is unchanged: 60 × 8/8.
		assert.Equal(t, 60.0, got["A"].Breakdown.Skills)
		assert.Equal(t, []string{"A", "C", "B", "F", "D", "H"}, order, "B (65) now above F (52)")

		// Kafka made essential again: 60 × (2×2 + 0) / (2×3 + 1) = 34.286; 34.286+15+0+10 = 59.
		assert.Equal(t, "Docker:E Go:E Kafka:E Redis:P", update("B", map[string]any{"addSkillIDs": []string{m.ref["kafka"]}}))
		_, got = run()
		assert.InDelta(t, 34.286, got["B"].Breakdown.Skills, 0.0005)
		assert.Equal(t, 59, got["B"].FitScore)
		assert.Equal(t, "Kafka:E Redis:P", sortedReqs(got["B"].Missing))
	})
}

// TestCreateOpeningWithPreferredSkills: createOpening takes preferred skills beside the
// essential ones, and refuses what an attacker or a careless client sends.
func TestCreateOpeningWithPreferredSkills(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := newMarket(t, b)
		_, token := m.env.User(t, "editor@example.com", "EDITOR")
		const create = `mutation($in: CreateOpeningInput!) { createOpening(input: $in) { skillRequirements { skill { name } essential } } }`
		in := func(essential, preferred []string) map[string]any {
			return map[string]any{"in": map[string]any{
				"externalID": fmt.Sprintf("x-%d-%d", len(essential), len(preferred)), "title": "Go Developer", "workMode": "REMOTE",
				"postedAt": "2026-11-01T00:00:00Z", "companyID": m.ref["acme"], "roleID": m.ref["backend"],
				"skillIDs": essential, "preferredSkillIDs": preferred,
			}}
		}
		var d struct {
			CreateOpening struct {
				SkillRequirements []requirementJSON `json:"skillRequirements"`
			} `json:"createOpening"`
		}
		testenv.PostAs(t, m.h, token, create, in([]string{m.ref["go"]}, []string{m.ref["kafka"], m.ref["redis"]})).MustData(t, &d)
		assert.Equal(t, "Go:E Kafka:P Redis:P", reqs(d.CreateOpening.SkillRequirements))

		for name, c := range map[string]struct {
			vars map[string]any
			want string
		}{
			"in both lists":   {in([]string{m.ref["go"]}, []string{m.ref["go"]}), "either essential or preferred"},
			"not a skill":     {in(nil, []string{m.ref["acme"]}), "not a Skill"},
			"too many":        {in(nil, idList(m.ref["go"], 31)), "at most 30"},
			"many ids at all": {in(nil, idList("999999999", 5000)), "at most 30"},
		} {
			res := testenv.PostAs(t, m.h, token, create, c.vars)
			require.NotEmpty(t, res.Errors, name)
			assert.Equal(t, "BAD_USER_INPUT", res.Code(), name)
			assert.Contains(t, res.Errors[0].Message, c.want, name)
			assert.Contains(t, res.String(), "preferredSkillIDs", name)
		}
	})
}

func idList(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// TestSkillRequirementsListStatementCount: a list of openings with their skill requirements
// costs two statements more than without, however many openings it lists.
func TestSkillRequirementsListStatementCount(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		count := func(q string, n int) int {
			t.Helper()
			env.Statements.Reset()
			var d struct {
				Openings struct {
					Edges []struct {
						Node struct {
							SkillRequirements []requirementJSON `json:"skillRequirements"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"openings"`
			}
			testenv.Post(t, h, q, map[string]any{"n": n}).MustData(t, &d)
			require.Len(t, d.Openings.Edges, n)
			if strings.Contains(q, "skillRequirements") {
				for _, e := range d.Openings.Edges {
					require.NotEmpty(t, e.Node.SkillRequirements)
				}
			}
			return env.Statements.Count()
		}
		const with = `query($n: Int) { openings(first: $n) { edges { node { title skillRequirements { skill { name } essential } } } } }`
		const without = `query($n: Int) { openings(first: $n) { edges { node { title } } } }`
		base := count(without, 2)
		for _, n := range []int{1, 2, 20, 100} {
			assert.Equal(t, count(without, n), base, "without, %d openings", n)
			assert.Equal(t, base+2, count(with, n), "with, %d openings: %s", n, env.Statements.Statements())
		}
		// In the matches too.
		const match = `query($n: Int) { match(profile: {skills: ["Go", "Docker"], experienceYears: 3}, first: $n) { edges { node { opening { skillRequirements { essential } } } } } }`
		c := func(n int) int {
			env.Statements.Reset()
			testenv.Post(t, h, match, map[string]any{"n": n}).MustData(t, &struct{}{})
			return env.Statements.Count()
		}
		c(1) // the match index's first build
		assert.Equal(t, c(2), c(50), "match: %s", env.Statements.Statements())
	})
}
