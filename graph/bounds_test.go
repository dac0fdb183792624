package graph_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/roleitem"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/editing"
	"github.com/careergraph/careergraph/internal/gqlext"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestListBoundsAgree: the cost model prices each plain list at the bound the editing rules
// enforce.
func TestListBoundsAgree(t *testing.T) {
	for field, bound := range map[string]int{
		"Opening.skills": editing.MaxOpeningSkills, "Skill.members": editing.MaxGroupMembers,
		"Skill.groups": editing.MaxSkillGroups, "Role.coreSkills": editing.MaxCoreSkills,
		"Role.responsibilities": editing.MaxRoleItemsPerKind, "Role.requirements": editing.MaxRoleItemsPerKind,
		"Role.faqs": editing.MaxRoleItemsPerKind, "Role.careerRoutes": editing.MaxRoleRoutes,
	} {
		assert.Equal(t, bound, gqlext.ListBounds[field], field)
	}
}

// TestPlainListsAreBoundedAtWriteTime: a write that would make a plain list longer than its
// bound fails with BAD_USER_INPUT naming the input field, and changes nothing.
func TestPlainListsAreBoundedAtWriteTime(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := t.Context()
		_, token := env.User(t, "editor@example.com", "EDITOR")
		c := env.DB.Client
		plain := c.Skill.Query().Where(skill.GroupModeIsNil(), skill.Not(skill.HasGroups())).Limit(editing.MaxOpeningSkills + 1).IDsX(ctx)
		require.Len(t, plain, editing.MaxOpeningSkills+1, "the seed has enough skills")
		ids := func(xs []int) []string {
			out := make([]string, len(xs))
			for i, x := range xs {
				out[i] = fmt.Sprint(x)
			}
			return out
		}
		role := c.Role.Query().FirstX(ctx)
		company := c.Company.Query().FirstIDX(ctx)
		location := c.Location.Query().FirstIDX(ctx)
		opening := func(ext string, skills []int) map[string]any {
			return map[string]any{"externalID": ext, "title": "Bounded", "workMode": "REMOTE", "postedAt": "2026-11-01T00:00:00Z",
				"roleID": fmt.Sprint(role.ID), "companyID": fmt.Sprint(company), "locationID": fmt.Sprint(location), "skillIDs": ids(skills)}
		}
		aliases := make([]string, editing.MaxAliases+1)
		for i := range aliases {
			aliases[i] = fmt.Sprint("alias", i)
		}
		openings := c.Opening.Query().CountX(ctx)
		for _, tc := range []struct {
			name, query string
			vars        map[string]any
			field       string
		}{
			{"31 skills on an opening", `mutation($i: CreateOpeningInput!) { createOpening(input: $i) { id } }`,
				map[string]any{"i": opening("bounded-1", plain)}, "input.skillIDs"},
			{"11 members in a group", `mutation($i: CreateSkillInput!) { createSkill(input: $i) { id } }`,
				map[string]any{"i": map[string]any{"slug": "big-group", "name": "Big group", "category": "PRACTICE", "groupMode": "ANY_OF",
					"memberIDs": ids(plain[:editing.MaxGroupMembers+1])}}, "input.memberIDs"},
			{"21 aliases", `mutation($id: ID!, $a: [String!]) { updateRole(id: $id, input: {appendAliases: $a}) { id } }`,
				map[string]any{"id": fmt.Sprint(role.ID), "a": aliases}, "input.appendAliases"},
		} {
			res := testenv.PostAs(t, h, token, tc.query, tc.vars)
			require.NotEmpty(t, res.Errors, "%s: %s", tc.name, res)
			assert.Equal(t, "BAD_USER_INPUT", res.Code(), "%s: %s", tc.name, res)
			assert.Equal(t, tc.field, res.Errors[0].Extensions["field"], "%s", tc.name)
		}
		assert.Equal(t, openings, c.Opening.Query().CountX(ctx), "the refused opening was rolled back")
		assert.False(t, c.Skill.Query().Where(skill.Slug("big-group")).ExistX(ctx))
		assert.Len(t, c.Role.GetX(ctx, role.ID).Aliases, len(role.Aliases))

		// Items of one kind: add until the bound, then one more.
		const addItem = `mutation($i: CreateRoleItemInput!) { createRoleItem(input: $i) { id } }`
		var last *testenv.Response
		for i := 0; i <= editing.MaxRoleItemsPerKind; i++ {
			last = testenv.PostAs(t, h, token, addItem, map[string]any{"i": map[string]any{
				"roleID": fmt.Sprint(role.ID), "kind": "RESPONSIBILITY", "position": 0, "text": fmt.Sprint("duty ", i)}})
			if len(last.Errors) > 0 {
				break
			}
		}
		require.NotEmpty(t, last.Errors, "the item past the bound is refused")
		assert.Equal(t, "BAD_USER_INPUT", last.Code(), "%s", last)
		assert.Equal(t, "input.kind", last.Errors[0].Extensions["field"])
		assert.Equal(t, editing.MaxRoleItemsPerKind,
			c.RoleItem.Query().Where(roleitem.RoleID(role.ID), roleitem.KindEQ(roleitem.KindRESPONSIBILITY)).CountX(ctx))

		// A good opening with a few skills still goes through.
		res := testenv.PostAs(t, h, token, `mutation($i: CreateOpeningInput!) { createOpening(input: $i) { id } }`,
			map[string]any{"i": opening("bounded-ok", plain[:3])})
		require.Empty(t, res.Errors, "%s", res)
	})
}
