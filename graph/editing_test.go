package graph_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/auditlog"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/roleitem"
	"github.com/careergraph/careergraph/ent/roleskill"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/testenv"
)

func backend(t *testing.T, ctx context.Context, c *ent.Client) *ent.Role {
	t.Helper()
	return c.Role.Query().Where(role.Slug("backend-developer")).OnlyX(ctx)
}

// TestValidationErrorsNameTheField: each rule answers BAD_USER_INPUT with the input field's
// path, and nothing is written.
func TestValidationErrorsNameTheField(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := context.Background()
		_, tok := env.User(t, "editor@example.com", "EDITOR")
		be := backend(t, ctx, env.DB.Client)
		roleID := fmt.Sprint(be.ID)
		cases := []struct {
			name, query string
			vars        map[string]any
			field       string
		}{
			{"bad slug", `mutation($i: CreateRoleInput!) { createRole(input: $i) { id } }`,
				map[string]any{"i": obj("slug", "Not A Slug", "title", "X", "summary", "S", "experienceMinYears", 0, "experienceMaxYears", 1, "family", "F")}, "input.slug"},
			{"duplicate slug", `mutation($i: CreateRoleInput!) { createRole(input: $i) { id } }`,
				map[string]any{"i": obj("slug", "backend-developer", "title", "X", "summary", "S", "experienceMinYears", 0, "experienceMaxYears", 1, "family", "F")}, "input.slug"},
			{"min above max", `mutation($id: ID!) { updateRole(id: $id, input: {experienceMinYears: 9, experienceMaxYears: 2}) { id } }`,
				map[string]any{"id": roleID}, "input.experienceMaxYears"},
			{"negative years", `mutation($id: ID!) { updateRole(id: $id, input: {experienceMinYears: -1}) { id } }`,
				map[string]any{"id": roleID}, "input.experienceMinYears"},
			{"unknown currency", `mutation($i: CreateSalaryRecordInput!) { createSalaryRecord(input: $i) { id } }`,
				map[string]any{"i": obj("roleID", roleID, "countryCode", "IN", "currency", "XYZ", "minAmount", 1)}, "input.currency"},
			{"salary min above max", `mutation($i: CreateSalaryRecordInput!) { createSalaryRecord(input: $i) { id } }`,
				map[string]any{"i": obj("roleID", roleID, "countryCode", "IN", "currency", "INR", "minAmount", 500, "maxAmount", 100)}, "input.maxAmount"},
			{"duplicate skill name", `mutation { createSkill(input: {slug: "docker-2", name: "Docker", category: TOOL}) { id } }`, nil, "input.name"},
			{"faq without answer", `mutation($i: CreateRoleItemInput!) { createRoleItem(input: $i) { id } }`,
				map[string]any{"i": obj("roleID", roleID, "kind", "FAQ", "position", 0, "text", "Why?")}, "input.answer"},
			{"route to itself", `mutation($i: CreateCareerRouteInput!) { createCareerRoute(input: $i) { id } }`,
				map[string]any{"i": obj("fromID", roleID, "toID", roleID, "kind", "LATERAL")}, "input.toID"},
			{"reorder with a missing id", `mutation($id: ID!) { reorderRoleItems(roleID: $id, kind: FAQ, ids: []) { id } }`,
				map[string]any{"id": roleID}, "ids"},
			{"injection in a slug", `mutation($i: CreateCompanyInput!) { createCompany(input: $i) { id } }`,
				map[string]any{"i": obj("slug", "x'; DROP TABLE roles; --", "name", "X")}, "input.slug"},
		}
		group := env.DB.Client.Skill.Query().Where(skill.GroupModeNotNil()).FirstX(ctx)
		cases = append(cases, struct {
			name, query string
			vars        map[string]any
			field       string
		}{"group inside a group", `mutation($i: CreateSkillInput!) { createSkill(input: $i) { id } }`,
			map[string]any{"i": obj("slug", "meta-group", "name", "Meta group", "category", "PRACTICE", "groupMode", "ANY_OF", "memberIDs", list(fmt.Sprint(group.ID)))},
			"input.memberIDs"}, struct {
			name, query string
			vars        map[string]any
			field       string
		}{"members without a group mode", `mutation($id: ID!, $m: ID!) { updateSkill(id: $id, input: {clearGroupMode: true, addMemberIDs: [$m]}) { id } }`,
			map[string]any{"id": fmt.Sprint(group.ID), "m": fmt.Sprint(env.DB.Client.Skill.Query().Where(skill.GroupModeIsNil(), skill.Not(skill.HasMembers()), skill.Not(skill.HasGroups())).FirstIDX(ctx))},
			"input.groupMode"})
		items := env.DB.Client.RoleItem.Query().CountX(ctx)
		for _, tc := range cases {
			res := testenv.PostAs(t, h, tok, tc.query, tc.vars)
			require.NotEmpty(t, res.Errors, "%s: %s", tc.name, res)
			assert.Equal(t, "BAD_USER_INPUT", res.Code(), "%s: %s", tc.name, res)
			assert.Equal(t, tc.field, res.Errors[0].Extensions["field"], "%s: %s", tc.name, res)
		}
		// The failed update changed nothing, although it was written before it was checked.
		again := backend(t, ctx, env.DB.Client)
		assert.Equal(t, be.ExperienceMinYears, again.ExperienceMinYears)
		assert.Equal(t, be.ExperienceMaxYears, again.ExperienceMaxYears)
		assert.Equal(t, items, env.DB.Client.RoleItem.Query().CountX(ctx))
		assert.Zero(t, env.DB.Client.AuditLog.Query().CountX(ctx), "nothing was audited: nothing changed")
		assert.Equal(t, 14, env.DB.Client.Role.Query().CountX(ctx), "the injection did nothing")
	})
}

// TestFailedMutationChangesNothing: an operation with two mutations, the second invalid, is
// rolled back as a whole.
func TestFailedMutationChangesNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := context.Background()
		_, tok := env.User(t, "editor@example.com", "EDITOR")
		be := backend(t, ctx, env.DB.Client)
		res := testenv.PostAs(t, h, tok, `mutation($id: ID!) {
			a: updateRole(id: $id, input: {title: "Renamed"}) { id }
			b: updateRole(id: $id, input: {experienceMaxYears: 0, experienceMinYears: 5}) { id }
		}`, map[string]any{"id": fmt.Sprint(be.ID)})
		require.NotEmpty(t, res.Errors, res.String())
		assert.Equal(t, "BAD_USER_INPUT", res.Code())
		assert.Equal(t, "Backend Developer", backend(t, ctx, env.DB.Client).Title, "the first update was rolled back too")
	})
}

// TestReorderingKeepsPositionsDense: inserting, moving, deleting and reordering keep a role's
// items at positions 0..n-1 and its core skills at ranks 1..n.
func TestReorderingKeepsPositionsDense(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := context.Background()
		c := env.DB.Client
		_, tok := env.User(t, "editor@example.com", "EDITOR")
		be := backend(t, ctx, c)
		rid := fmt.Sprint(be.ID)
		items := func() []*ent.RoleItem {
			return c.RoleItem.Query().Where(roleitem.RoleID(be.ID), roleitem.KindEQ(roleitem.KindRESPONSIBILITY)).
				Order(ent.Asc(roleitem.FieldPosition)).AllX(ctx)
		}
		dense := func() []int {
			t.Helper()
			var ids []int
			for i, it := range items() {
				require.Equal(t, i, it.Position, "positions are dense")
				ids = append(ids, it.ID)
			}
			return ids
		}
		before := dense()
		require.Len(t, before, 8)

		var made struct {
			CreateRoleItem struct{ ID string } `json:"createRoleItem"`
		}
		testenv.PostAs(t, h, tok, `mutation($i: CreateRoleItemInput!) { createRoleItem(input: $i) { id } }`,
			map[string]any{"i": obj("roleID", rid, "kind", "RESPONSIBILITY", "position", 2, "text", "Inserted third")}).MustData(t, &made)
		after := dense()
		require.Len(t, after, 9)
		assert.Equal(t, made.CreateRoleItem.ID, fmt.Sprint(after[2]))
		assert.Equal(t, before[2], after[3], "later items moved down")

		// Move the first to the end.
		testenv.PostAs(t, h, tok, `mutation($id: ID!) { updateRoleItem(id: $id, input: {position: 99}) { position } }`,
			map[string]any{"id": fmt.Sprint(after[0])}).MustData(t, &struct{}{})
		moved := dense()
		assert.Equal(t, after[0], moved[8])

		// Delete one in the middle.
		testenv.PostAs(t, h, tok, `mutation($id: ID!) { deleteRoleItem(id: $id) }`, map[string]any{"id": fmt.Sprint(moved[4])}).MustData(t, &struct{}{})
		left := dense()
		require.Len(t, left, 8)

		// Reorder: reverse.
		rev := make([]string, len(left))
		for i, id := range left {
			rev[len(left)-1-i] = fmt.Sprint(id)
		}
		testenv.PostAs(t, h, tok, `mutation($r: ID!, $ids: [ID!]!) { reorderRoleItems(roleID: $r, kind: RESPONSIBILITY, ids: $ids) { id position } }`,
			map[string]any{"r": rid, "ids": rev}).MustData(t, &struct{}{})
		final := dense()
		for i := range final {
			assert.Equal(t, rev[i], fmt.Sprint(final[i]))
		}

		// Core skills: reverse the ranks, then delete the top one.
		links := func() []*ent.RoleSkill {
			return c.RoleSkill.Query().Where(roleskill.RoleID(be.ID)).Order(ent.Asc(roleskill.FieldRank)).AllX(ctx)
		}
		ls := links()
		require.Len(t, ls, 9)
		ids := make([]string, len(ls))
		for i, l := range ls {
			ids[len(ls)-1-i] = fmt.Sprint(l.ID)
		}
		testenv.PostAs(t, h, tok, `mutation($r: ID!, $ids: [ID!]!) { reorderRoleSkills(roleID: $r, ids: $ids) { rank } }`,
			map[string]any{"r": rid, "ids": ids}).MustData(t, &struct{}{})
		testenv.PostAs(t, h, tok, `mutation($id: ID!) { deleteRoleSkill(id: $id) }`, map[string]any{"id": ids[0]}).MustData(t, &struct{}{})
		for i, l := range links() {
			assert.Equal(t, i+1, l.Rank, "ranks are dense from 1")
			assert.Equal(t, ids[i+1], fmt.Sprint(l.ID))
		}

		// The cluster page shows the new order.
		var d pageData
		testenv.Post(t, h, rolePage, map[string]any{"slug": "backend-developer"}).MustData(t, &d)
		require.Len(t, d.Role.CoreSkills, 8)
		assert.Equal(t, ls[7].QuerySkill().OnlyX(ctx).Name, d.Role.CoreSkills[0].Name)
	})
}

// TestAuditLogRecordsChanges: who changed what and when, with old and new values, readable
// by admins as a connection.
func TestAuditLogRecordsChanges(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := context.Background()
		editorID, tok := env.User(t, "editor@example.com", "EDITOR")
		_, admin := env.User(t, "admin@example.com", "ADMIN")
		be := backend(t, ctx, env.DB.Client)
		res := testenv.PostAs(t, h, tok, `mutation($id: ID!) { updateRole(id: $id, input: {title: "Backend Engineer", experienceMaxYears: 9}) { title } }`,
			map[string]any{"id": fmt.Sprint(be.ID)})
		res.MustData(t, &struct{}{})
		row := env.DB.Client.AuditLog.Query().OnlyX(ctx)
		assert.Equal(t, auditlog.ActionUPDATE, row.Action)
		assert.Equal(t, "Role", row.EntityType)
		assert.Equal(t, be.ID, row.EntityID)
		require.NotNil(t, row.ActorID)
		assert.Equal(t, editorID, *row.ActorID)
		assert.Equal(t, res.Header.Get("X-Request-Id"), row.RequestID)
		fields := map[string][2]string{}
		for _, c := range row.Changes {
			require.NotNil(t, c.Old, c.Field)
			require.NotNil(t, c.New, c.Field)
			fields[c.Field] = [2]string{*c.Old, *c.New}
		}
		assert.Equal(t, [2]string{`"Backend Developer"`, `"Backend Engineer"`}, fields["title"])
		assert.Equal(t, [2]string{`8`, `9`}, fields["experience_max_years"])

		// Passwords never reach the log.
		testenv.PostAs(t, h, admin, `mutation { createUser(input: {email: "x@example.com", password: "another long password", role: EDITOR}) { id } }`, nil).MustData(t, &struct{}{})

		var d struct {
			AuditLogs struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Action, EntityType string
						Actor              struct{ Email string }
						Changes            []struct {
							Field string
							Old   *string
							New   *string
						}
					}
				}
			} `json:"auditLogs"`
		}
		testenv.PostAs(t, h, admin, `{ auditLogs(first: 10) { totalCount edges { node { action entityType actor { email } changes { field old new } } } } }`, nil).MustData(t, &d)
		require.Equal(t, 2, d.AuditLogs.TotalCount)
		newest := d.AuditLogs.Edges[0].Node
		assert.Equal(t, "User", newest.EntityType, "newest first")
		assert.Equal(t, "admin@example.com", newest.Actor.Email)
		for _, c := range newest.Changes {
			if c.Field == "password_hash" {
				assert.Nil(t, c.New, "a password hash is recorded by name only")
			}
			if c.New != nil {
				assert.NotContains(t, *c.New, "another long password")
				assert.NotContains(t, *c.New, "argon2id")
			}
		}
		assert.Equal(t, "editor@example.com", d.AuditLogs.Edges[1].Node.Actor.Email)
	})
}
