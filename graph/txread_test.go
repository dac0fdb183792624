package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/apitoken"
	"github.com/careergraph/careergraph/ent/auditlog"
	"github.com/careergraph/careergraph/ent/company"
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

// TestAuditRowsCarryServerRequestAndToken: the request id in audit rows is the server's (the
// X-Request-Id response header), whatever the client sent; the client's id is kept apart,
// and only when it is short; the token the change was made with is named.
func TestAuditRowsCarryServerRequestAndToken(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := context.Background()
		uid, tok := env.User(t, "editor@example.com", "EDITOR")
		tid := env.DB.Client.APIToken.Query().Where(apitoken.UserID(uid)).OnlyIDX(ctx)
		be := backend(t, ctx, env.DB.Client)
		send := func(clientID, title string) *testenv.Response {
			body, _ := json.Marshal(map[string]any{"query": `mutation($id: ID!, $t: String!) { updateRole(id: $id, input: {title: $t}) { id } }`,
				"variables": map[string]any{"id": fmt.Sprint(be.ID), "t": title}})
			req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("X-Request-Id", clientID)
			res := testenv.Do(t, h, req)
			res.MustData(t, &struct{}{})
			return res
		}
		res := send("same-id", "One")
		res2 := send("same-id", "Two")
		send(strings.Repeat("x", 65), "Three")
		rows := env.DB.Client.AuditLog.Query().Order(ent.Asc(auditlog.FieldID)).AllX(ctx)
		require.Len(t, rows, 3)
		assert.NotEqual(t, "same-id", res.Header.Get("X-Request-Id"), "the server makes its own id")
		assert.NotEqual(t, res.Header.Get("X-Request-Id"), res2.Header.Get("X-Request-Id"))
		assert.Equal(t, res.Header.Get("X-Request-Id"), rows[0].RequestID)
		assert.Equal(t, res2.Header.Get("X-Request-Id"), rows[1].RequestID)
		assert.Equal(t, "same-id", rows[0].ClientRequestID)
		assert.Equal(t, "same-id", rows[1].ClientRequestID)
		assert.Empty(t, rows[2].ClientRequestID, "an overlong client id is not kept")
		for _, r := range rows {
			require.NotNil(t, r.TokenID)
			assert.Equal(t, tid, *r.TokenID)
		}
	})
}

// TestDeletingWhatIsNotThere: a delete naming nothing, or a node of another type, is NOT_FOUND
// and writes no audit row.
func TestDeletingWhatIsNotThere(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := context.Background()
		_, tok := env.User(t, "editor@example.com", "EDITOR")
		co := env.DB.Client.Company.Query().FirstIDX(ctx)
		rid := env.DB.Client.SalaryRecord.Query().FirstIDX(ctx)
		for _, id := range []string{fmt.Sprint(rid + 1_000_000), fmt.Sprint(co)} {
			res := testenv.PostAs(t, h, tok, `mutation($id: ID!) { deleteSalaryRecord(id: $id) }`, map[string]any{"id": id})
			assert.Equal(t, "NOT_FOUND", res.Code(), res.String())
		}
		assert.Zero(t, env.DB.Client.AuditLog.Query().CountX(ctx))
		assert.True(t, env.DB.Client.Company.Query().Where(company.ID(co)).ExistX(ctx))
	})
}
