package loader_test

import (
	"context"
	"slices"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/internal/loader"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestCoreSkillsMembersWhoeverAsksFirst: the core skills batch loads the members that any
// coreSkills field of the operation selects, even when the caller that opens the batch is not
// that field (Role.seo asks for the core skills too, and may win the race). Before, the batch
// took its members from the first caller's field, so a page whose seo field asked first read
// every core skill's members with a statement of its own.
func TestCoreSkillsMembersWhoeverAsksFirst(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		be := env.DB.Client.Role.Query().Where(role.Slug("backend-developer")).OnlyX(ctx)
		groups := 0
		for _, s := range be.QueryCoreSkillLinks().QuerySkill().AllX(ctx) {
			if s.QueryMembers().ExistX(ctx) {
				groups++
			}
		}
		require.Positive(t, groups, "the seed's backend developer has a core skill that is a group")

		cases := []struct {
			name, query string
			aliases     []string // members loaded under these; none: not loaded
		}{
			{"seo asks, coreSkills selects members", `query ($slug: String!) { role(slug: $slug) {
				seo(country: "IN") { jsonLd } coreSkills { name members { name } } } }`, []string{"members"}},
			{"aliased, twice, one through a fragment spread many times over", `query ($slug: String!) {
				a: role(slug: $slug) { seo(country: "IN") { jsonLd } coreSkills { m1: members { name } ...S ...S } }
				b: role(slug: $slug) { coreSkills { ...S ... on Skill { ...S } } } }
				fragment S on Skill { m2: members { name } }`, []string{"m1", "m2"}},
			{"under a member's roles' core skills", `query ($slug: String!) { role(slug: $slug) {
				coreSkills { name members { coreOf(first: 1) { edges { node { role { coreSkills { deep: members { name } } } } } } } } } }`,
				[]string{"members", "deep"}},
			{"members elsewhere only", `query ($slug: String!) { role(slug: $slug) {
				seo(country: "IN") { jsonLd } coreSkills { name } }
				skill(slug: "go") { members { name } } }`, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				doc, err := parser.ParseQuery(&ast.Source{Input: c.query})
				require.NoError(t, err)
				// A context with the operation and no field: what Role.seo's call looks like.
				octx := graphql.WithOperationContext(ctx, &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]})
				env.Statements.Reset()
				core, err := loader.New(env.DB.Client, nil).CoreSkills(octx, be.ID)
				require.NoError(t, err)
				require.NotEmpty(t, core)
				assert.Equal(t, 1, env.Statements.Count(), env.Statements.Statements())
				withMembers := 0
				for _, s := range core {
					for _, a := range []string{"members", "m1", "m2", "deep"} {
						ms, err := s.NamedMembers(a)
						if !assert.Equal(t, slices.Contains(c.aliases, a), err == nil, "%s under %q", s.Name, a) || err != nil {
							continue
						}
						want := s.QueryMembers().AllX(ctx)
						assert.Equal(t, ids(want), ids(ms), "%s under %q", s.Name, a)
						if len(ms) > 0 {
							withMembers++
						}
					}
				}
				if len(c.aliases) > 0 {
					assert.Equal(t, groups*len(c.aliases), withMembers)
				}
			})
		}
	})
}

func ids(skills []*ent.Skill) []int {
	out := make([]int, len(skills))
	for i, s := range skills {
		out[i] = s.ID
	}
	return out
}
