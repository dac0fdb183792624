package editing_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/auditlog"
	"github.com/careergraph/careergraph/ent/careerroute"
	"github.com/careergraph/careergraph/ent/company"
	"github.com/careergraph/careergraph/ent/interviewquestion"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/roleitem"
	"github.com/careergraph/careergraph/ent/roleskill"
	"github.com/careergraph/careergraph/ent/salaryrecord"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/editing"
	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/testenv"
	"github.com/careergraph/careergraph/internal/viewer"
)

// setup is a seeded database and a context that carries a signed-in editor, as the HTTP
// layer would put it there.
func setup(t *testing.T, b testenv.Backend) (*testenv.Env, context.Context, viewer.Viewer) {
	t.Helper()
	env := testenv.Seeded(t, b)
	ctx, v := env.SignedIn(t, "editor@example.com", viewer.RoleEditor)
	return env, ctx, v
}

// inTx runs fn in a transaction, as entgql.Transactioner runs a mutation, and commits it
// when fn succeeds.
func inTx(t *testing.T, ctx context.Context, c *ent.Client, fn func(*ent.Client) error) error {
	t.Helper()
	tx, err := c.Tx(ctx)
	require.NoError(t, err)
	if err := fn(tx.Client()); err != nil {
		require.NoError(t, tx.Rollback())
		return err
	}
	return tx.Commit()
}

func badInput(t *testing.T, err error, field string) {
	t.Helper()
	ae, ok := apperr.As(err)
	require.True(t, ok, "want an *apperr.Error, got %v", err)
	assert.Equal(t, apperr.CodeBadUserInput, ae.Code)
	assert.Equal(t, field, ae.Field)
}

func backend(t *testing.T, c *ent.Client) *ent.Role {
	return c.Role.Query().Where(role.Slug("backend-developer")).OnlyX(context.Background())
}

// TestRulesWithoutHTTP: uniqueness, in-use and reference rules answer BAD_USER_INPUT naming
// the field, and change nothing.
func TestRulesWithoutHTTP(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env, ctx, _ := setup(t, b)
		c := env.DB.Client
		be := backend(t, c)
		roles := c.Role.Query().CountX(ctx)

		err := inTx(t, ctx, c, func(tx *ent.Client) error {
			_, err := editing.CreateRole(ctx, tx, ent.CreateRoleInput{Slug: "backend-developer", Title: "X", Summary: "S", Family: "F", ExperienceMaxYears: 1})
			return err
		})
		badInput(t, err, "input.slug")
		assert.Equal(t, roles, c.Role.Query().CountX(ctx))

		core := c.RoleSkill.Query().Where(roleskill.RoleID(be.ID)).FirstX(ctx)
		err = inTx(t, ctx, c, func(tx *ent.Client) error { return editing.DeleteSkill(ctx, tx, core.SkillID) })
		badInput(t, err, "id")

		busy := c.Company.Query().Where(company.HasOpenings()).FirstX(ctx)
		err = inTx(t, ctx, c, func(tx *ent.Client) error { return editing.DeleteCompany(ctx, tx, busy.ID) })
		badInput(t, err, "id")

		err = inTx(t, ctx, c, func(tx *ent.Client) error {
			_, err := editing.CreateRoleSkill(ctx, tx, ent.CreateRoleSkillInput{RoleID: be.ID, SkillID: core.SkillID, Rank: 1})
			return err
		})
		badInput(t, err, "input.skillID")

		err = inTx(t, ctx, c, func(tx *ent.Client) error {
			_, err := editing.CreateRoleItem(ctx, tx, ent.CreateRoleItemInput{RoleID: busy.ID, Kind: roleitem.KindFAQ, Text: "Q", Answer: ptr("A")})
			return err
		})
		badInput(t, err, "input.roleID")
		assert.Zero(t, c.AuditLog.Query().CountX(ctx), "refused operations leave no audit rows")
	})
}

func ptr[T any](v T) *T { return &v }

// TestRenumberingIsAudited: deleting an item records the deleted row's old values and the new
// position of every item that moved up, with the request and token they came with.
func TestRenumberingIsAudited(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env, ctx, v := setup(t, b)
		c := env.DB.Client
		be := backend(t, c)
		items := c.RoleItem.Query().Where(roleitem.RoleID(be.ID), roleitem.KindEQ(roleitem.KindRESPONSIBILITY)).
			Order(ent.Asc(roleitem.FieldPosition)).AllX(ctx)
		require.Len(t, items, 8)
		gone := items[5]
		require.NoError(t, inTx(t, ctx, c, func(tx *ent.Client) error { return editing.DeleteRoleItem(ctx, tx, gone.ID) }))

		rows := c.AuditLog.Query().Order(ent.Asc(auditlog.FieldID)).AllX(ctx)
		require.Len(t, rows, 3, "the delete and the two items after it")
		del := rows[0]
		assert.Equal(t, auditlog.ActionDELETE, del.Action)
		assert.Equal(t, "RoleItem", del.EntityType)
		assert.Equal(t, gone.ID, del.EntityID)
		old := map[string]string{}
		for _, ch := range del.Changes {
			require.NotNil(t, ch.Old, ch.Field)
			assert.Nil(t, ch.New, ch.Field)
			old[ch.Field] = *ch.Old
		}
		assert.Equal(t, `5`, old["position"])
		assert.Contains(t, old["text"], gone.Text[:10])
		for i, r := range rows[1:] {
			assert.Equal(t, auditlog.ActionUPDATE, r.Action)
			assert.Equal(t, items[6+i].ID, r.EntityID)
			require.Len(t, r.Changes, 1)
			assert.Equal(t, "position", r.Changes[0].Field)
			assert.Equal(t, []string{itoa(6 + i), itoa(5 + i)}, []string{*r.Changes[0].Old, *r.Changes[0].New})
		}
		for _, r := range rows {
			assert.Equal(t, v.UserID, *r.ActorID)
			require.NotNil(t, r.TokenID)
			assert.Equal(t, v.TokenID, *r.TokenID)
			assert.Equal(t, "test-request", r.RequestID)
			assert.Equal(t, "client-request", r.ClientRequestID)
		}

		// A move records each item whose place changed, and nothing for the parking in between.
		c.AuditLog.Delete().ExecX(ctx)
		first := items[0]
		require.NoError(t, inTx(t, ctx, c, func(tx *ent.Client) error {
			_, err := editing.UpdateRoleItem(ctx, tx, first.ID, ent.UpdateRoleItemInput{Position: ptr(1)})
			return err
		}))
		moved := map[int][2]string{}
		for _, r := range c.AuditLog.Query().AllX(ctx) {
			require.Len(t, r.Changes, 1)
			moved[r.EntityID] = [2]string{*r.Changes[0].Old, *r.Changes[0].New}
		}
		assert.Equal(t, map[int][2]string{first.ID: {"0", "1"}, items[1].ID: {"1", "0"}}, moved)
	})
}

func itoa(i int) string { return string(rune('0' + i)) }

// TestDeleteRoleCascade: deleting a role deletes what belongs to it, records every deleted
// row with its old values, and leaves the match index and skill demand in step.
func TestDeleteRoleCascade(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env, ctx, _ := setup(t, b)
		c := env.DB.Client
		be := backend(t, c)
		m := matching.New(c, env.DB.SQL, env.DB.Dialect)
		_, total, err := m.Demand(ctx, &be.ID, nil)
		require.NoError(t, err)
		require.Positive(t, total, "the index is built before the delete")

		want := map[string][]int{
			"Role":              {be.ID},
			"RoleItem":          c.RoleItem.Query().Where(roleitem.RoleID(be.ID)).IDsX(ctx),
			"RoleSkill":         c.RoleSkill.Query().Where(roleskill.RoleID(be.ID)).IDsX(ctx),
			"SalaryRecord":      c.SalaryRecord.Query().Where(salaryrecord.RoleID(be.ID)).IDsX(ctx),
			"Opening":           c.Opening.Query().Where(opening.RoleID(be.ID)).IDsX(ctx),
			"InterviewQuestion": c.InterviewQuestion.Query().Where(interviewquestion.RoleID(be.ID)).IDsX(ctx),
			"CareerRoute":       c.CareerRoute.Query().Where(careerroute.Or(careerroute.FromRoleID(be.ID), careerroute.ToRoleID(be.ID))).IDsX(ctx),
		}
		for k, ids := range want {
			require.NotEmpty(t, ids, k)
		}
		require.NoError(t, inTx(t, ctx, c, func(tx *ent.Client) error { return editing.DeleteRole(ctx, tx, be.ID) }))

		got := map[string][]int{}
		for _, r := range c.AuditLog.Query().Order(ent.Asc(auditlog.FieldID)).AllX(ctx) {
			assert.Equal(t, auditlog.ActionDELETE, r.Action, "%s %d", r.EntityType, r.EntityID)
			assert.NotEmpty(t, r.Changes, "old values of %s %d", r.EntityType, r.EntityID)
			got[r.EntityType] = append(got[r.EntityType], r.EntityID)
		}
		for k := range want {
			assert.ElementsMatch(t, want[k], got[k], k)
		}
		assert.Zero(t, c.Opening.Query().Where(opening.RoleID(be.ID)).CountX(ctx))

		_, total, err = m.Demand(ctx, &be.ID, nil)
		require.NoError(t, err)
		assert.Zero(t, total, "the deleted role's openings leave the match index at once")
		live := c.Opening.Query().Where(opening.StatusEQ(opening.StatusLIVE)).CountX(ctx)
		_, total, err = m.Demand(ctx, nil, nil)
		require.NoError(t, err)
		assert.Equal(t, live, total)

		// Search: every seeded opening's document has "sample"; the deleted ones are gone.
		var r struct {
			Openings struct{ TotalCount int } `json:"openings"`
		}
		testenv.Post(t, env.Handler(t), `{ openings(search: "sample", first: 1) { totalCount } }`, nil).MustData(t, &r)
		assert.Equal(t, c.Opening.Query().CountX(ctx), r.Openings.TotalCount)
	})
}

// TestDerivedRewritesAreNotAudited: renaming a company rewrites its openings' documents, but
// the audit log records one row, for the company.
func TestDerivedRewritesAreNotAudited(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env, ctx, _ := setup(t, b)
		c := env.DB.Client
		busy := c.Company.Query().Where(company.HasOpenings()).FirstX(ctx)
		before := c.Opening.Query().Where(opening.CompanyID(busy.ID)).AllX(ctx)
		require.NoError(t, inTx(t, ctx, c, func(tx *ent.Client) error {
			_, err := editing.UpdateCompany(ctx, tx, busy.ID, ent.UpdateCompanyInput{Name: ptr("Renamed Works")})
			return err
		}))
		row := c.AuditLog.Query().OnlyX(ctx)
		assert.Equal(t, "Company", row.EntityType)
		require.Len(t, row.Changes, 1)
		assert.Equal(t, "name", row.Changes[0].Field)
		for _, o := range c.Opening.Query().Where(opening.CompanyID(busy.ID)).AllX(ctx) {
			assert.Contains(t, o.SearchText, "renamed works")
		}
		assert.NotEmpty(t, before)
	})
}
