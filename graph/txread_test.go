package graph_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/roleskill"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestMutationPayloadReadsItsOwnWrites: fields served by the batch loaders inside a mutation's
// payload read through the mutation's transaction, so they show what it wrote.
func TestMutationPayloadReadsItsOwnWrites(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := context.Background()
		_, tok := env.User(t, "editor@example.com", "EDITOR")
		be := backend(t, ctx, env.DB.Client)
		rid := fmt.Sprint(be.ID)
		docker := env.DB.Client.Skill.Query().Where(skill.Not(skill.HasCoreOfWith(roleskill.RoleID(be.ID)))).Order(ent.Asc(skill.FieldID)).FirstX(ctx)

		var made struct {
			CreateRoleSkill struct {
				Role struct {
					CoreSkills []struct{ Name string }
				}
			} `json:"createRoleSkill"`
		}
		testenv.PostAs(t, h, tok, `mutation($i: CreateRoleSkillInput!) { createRoleSkill(input: $i) { role { coreSkills { name } } } }`,
			map[string]any{"i": obj("roleID", rid, "skillID", fmt.Sprint(docker.ID), "rank", 1)}).MustData(t, &made)
		cs := made.CreateRoleSkill.Role.CoreSkills
		require.Len(t, cs, 10, "nine seed core skills and the new one")
		assert.Equal(t, docker.Name, cs[0].Name, "the new core skill is ranked first")

		var item struct {
			CreateRoleItem struct {
				Role struct {
					Responsibilities []struct{ Text string }
					Faqs             []struct{ Question string }
				}
			} `json:"createRoleItem"`
		}
		testenv.PostAs(t, h, tok, `mutation($i: CreateRoleItemInput!) { createRoleItem(input: $i) { role { responsibilities { text } faqs { question } } } }`,
			map[string]any{"i": obj("roleID", rid, "kind", "RESPONSIBILITY", "position", 0, "text", "Written in this mutation")}).MustData(t, &item)
		rs := item.CreateRoleItem.Role.Responsibilities
		require.Len(t, rs, 9)
		assert.Equal(t, "Written in this mutation", rs[0].Text)
		assert.Len(t, item.CreateRoleItem.Role.Faqs, 4)

		// A query after the mutation reads the shared client and sees the same.
		var page pageData
		testenv.Post(t, h, rolePage, map[string]any{"slug": "backend-developer"}).MustData(t, &page)
		require.Len(t, page.Role.CoreSkills, 10)
		assert.Equal(t, docker.Name, page.Role.CoreSkills[0].Name)
	})
}
