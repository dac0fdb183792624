package search_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/internal/search"
	"github.com/careergraph/careergraph/internal/skills"
)

// TestNarrowing: each skill of a filter becomes the alternatives "every word of the name" of
// it and of the skills related to it (its groups, or a group's members), the words written as
// documents write them; only the where argument's own skillsAllOf and skillsAnyOf narrow, and
// an unknown name narrows nothing.
func TestNarrowing(t *testing.T) {
	node := &ent.Skill{ID: 1, Name: "Node.js", Synonyms: []string{"NodeJS"}}
	java := &ent.Skill{ID: 2, Name: "Java"}
	group := &ent.Skill{ID: 3, Name: "Node.js / Java"}
	group.Edges.Members = []*ent.Skill{{ID: 1}, {ID: 2}}
	cpp := &ent.Skill{ID: 4, Name: "C++"}
	all := []*ent.Skill{node, java, group, cpp}
	var many []any // more skills than a clause takes
	for i := range 17 {
		s := &ent.Skill{ID: 100 + i, Name: fmt.Sprintf("Tool%d", i)}
		all = append(all, s)
		many = append(many, s.Name)
	}
	v := skills.New(all)
	list := func(s ...string) []any {
		out := make([]any, len(s))
		for i, x := range s {
			out[i] = x
		}
		return out
	}
	for _, tc := range []struct {
		where map[string]any
		want  []string
	}{
		{map[string]any{"skillsAnyOf": list("java")}, []string{"((java) | (node & js & java))"}},
		{map[string]any{"skillsAllOf": list("Node.js / Java")}, []string{"((node & js) | (java) | (node & js & java))"}},
		{map[string]any{"skillsAllOf": list("nodejs", "c++")}, []string{"((node & js) | (node & js & java))", "((cplusplus))"}},
		{map[string]any{"skillsAnyOf": list("c++", "java"), "skillsAllOf": list("java")},
			[]string{"((java) | (node & js & java))", "((cplusplus) | (java) | (node & js & java))"}},
		{map[string]any{"skillsAnyOf": list("java", "cobol")}, nil},
		{map[string]any{"skillsAnyOf": many}, nil},
		{map[string]any{"skillsAnyOf": many[:16]}, []string{"((tool0) | (tool1) | (tool2) | (tool3) | (tool4) | (tool5) | (tool6) | (tool7) | (tool8) | (tool9) | (tool10) | (tool11) | (tool12) | (tool13) | (tool14) | (tool15))"}},
		{map[string]any{"not": map[string]any{"skillsAnyOf": list("java")}}, nil},
		{map[string]any{"or": []any{map[string]any{"skillsAnyOf": list("java")}}}, nil},
		{nil, nil},
	} {
		assert.Equal(t, tc.want, search.Narrowing(v, tc.where), "%v", tc.where)
	}
}
