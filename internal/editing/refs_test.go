package editing_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/internal/editing"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestCheckRefsOneStatementPerField: an input's references cost one statement a field, however
// many ids a list names; a list that names an id twice passes; a list with an id of another
// type, or of nothing, fails naming the field and that id.
func TestCheckRefsOneStatementPerField(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env, ctx, _ := setup(t, b)
		c := env.DB.Client
		skills := c.Skill.Query().Limit(40).IDsX(ctx)
		require.Len(t, skills, 40)
		company := c.Company.Query().FirstIDX(ctx)
		roleID := backend(t, c).ID
		in := &ent.CreateOpeningInput{RoleID: &roleID, CompanyID: company, SkillIDs: append(skills, skills[0])}

		env.Statements.Reset()
		require.NoError(t, editing.CheckRefs(ctx, c, in))
		assert.Equal(t, 3, env.Statements.Count(), "role, company, skills: %s", env.Statements.Statements())

		in.SkillIDs = append(skills[:20:20], company)
		err := editing.CheckRefs(ctx, c, in)
		badInput(t, err, "input.skillIDs")
		assert.ErrorContains(t, err, "names a Company, not a Skill")

		in.SkillIDs = append(skills[:20:20], 4294967295)
		err = editing.CheckRefs(ctx, c, in)
		badInput(t, err, "input.skillIDs")
		assert.ErrorContains(t, err, "no Skill has id 4294967295")

		// An attacker's list: refused by its length before any statement.
		in.SkillIDs = make([]int, editing.MaxRefIDs+1)
		for i := range in.SkillIDs {
			in.SkillIDs[i] = skills[i%len(skills)]
		}
		in.RoleID = nil
		env.Statements.Reset()
		err = editing.CheckRefs(ctx, c, in)
		badInput(t, err, "input.skillIDs")
		assert.ErrorContains(t, err, "1001 ids, more than the 1000")
		assert.Equal(t, 1, env.Statements.Count(), "the company's check only: %s", env.Statements.Statements())
	})
}
