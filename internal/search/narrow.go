package search

import (
	"context"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/careergraph/careergraph/internal/skills"
)

// A skill filter (skillsAllOf, skillsAnyOf) is a semi-join on opening_skills, checked opening
// by opening for every match of the search's words: for "golang kubernetes" in Bengaluru with
// Docker, at a million openings, 6,504 matches and as many probes. The search's tsquery can
// narrow those matches first, from the words the filter's skills leave in every document they
// are in: an opening asking for a skill has the words of that skill's name in its document
// (Document writes each linked skill's name and synonyms, and a group's members'), so an
// opening the filter keeps matches the clause "every word of the name" of one of the skills
// the filter accepts (the skill, its groups and its members: skills.Vocabulary.Related).
// Documents that name a skill without asking for it match too; the semi-join, which stays,
// leaves them out. The narrowing is a superset of what the filter keeps, so answers do not
// change (TestSearchFindsAndFilters), only the rows the semi-join checks: that search's
// statement took 74–79 ms narrowed against 127–137 ms not (pgbench), the request 69.5–79.9 ms
// against 105.8–129.2 ms (three alternating runs; docs/performance.md, section 9).
//
// Only the where argument's own skillsAllOf and skillsAnyOf narrow (its fields are and-ed);
// those inside and, or and not do not.

// skillClauses are the tsquery clauses the top-level skill filters of the search's where
// argument (as the client sent it: the field context's arguments) imply; nil outside GraphQL.
func skillClauses(ctx context.Context, v *skills.Vocabulary) []string {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || v == nil || !graphql.HasOperationContext(ctx) {
		return nil
	}
	where, _ := fc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)["where"].(map[string]any)
	return narrowing(v, where)
}

// narrowing is skillClauses of a where argument's value.
func narrowing(v *skills.Vocabulary, where map[string]any) []string {
	var out []string
	for _, name := range names(where["skillsAllOf"]) {
		if c := anyOf(v, []string{name}); c != "" {
			out = append(out, c)
		}
	}
	if c := anyOf(v, names(where["skillsAnyOf"])); c != "" {
		out = append(out, c)
	}
	return out
}

func names(x any) []string {
	list, _ := x.([]any)
	var out []string
	for _, n := range list {
		if s, ok := n.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// anyOf is the clause every opening asking for one of the named skills (or a skill related to
// one) matches: "(a & b) | c …", a conjunction of each related skill's name words; "" when
// nothing narrows (no name, an unknown one, which the filter itself refuses, a related skill
// whose name has no word, or more than maxAlternatives skills).
func anyOf(v *skills.Vocabulary, names []string) string {
	var alts []string
	seen := map[int]bool{}
	for _, n := range names {
		s := v.Find(n)
		if s == nil {
			return ""
		}
		for _, id := range v.Related(s.ID) {
			r := v.ByID(id)
			if r == nil || seen[id] {
				continue
			}
			seen[id] = true
			words := slices.Collect(keys(r.Name))
			if len(words) == 0 {
				return ""
			}
			alts = append(alts, "("+strings.Join(words, " & ")+")")
		}
	}
	if len(alts) == 0 || len(alts) > maxAlternatives {
		return ""
	}
	return "(" + strings.Join(alts, " | ") + ")"
}

// maxAlternatives bounds a clause: a filter that accepts more skills than this narrows little,
// and each alternative is more posting lists for the GIN index to read (a filter may name up
// to MaxFilterSkills).
const maxAlternatives = 16
