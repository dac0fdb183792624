package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/testenv"
)

// step is one operation of the authorization matrix. need is the least role that may run it
// ("" for everyone). vars may use the ids saved by earlier steps (ids[name]); save names the
// id the step returns, for later steps.
type step struct {
	name  string
	need  string
	query string
	vars  func(ids map[string]string) map[string]any
	save  string
}

// editingSteps creates, updates, reorders and deletes one of every content entity, in an
// order where each step can use what the earlier ones made.
func editingSteps() []step {
	E := "EDITOR"
	return []step{
		{"createRole", E, `mutation($input: CreateRoleInput!) { r: createRole(input: $input) { id } }`,
			vars("input", obj("slug", "matrix-role", "title", "Matrix Role", "summary", "S", "experienceMinYears", 0, "experienceMaxYears", 3, "family", "Engineering")), "role"},
		{"updateRole", E, `mutation($id: ID!) { r: updateRole(id: $id, input: {title: "Matrix Role 2"}) { id } }`, vars("id", ref("role")), ""},
		{"createRoleItem", E, `mutation($input: CreateRoleItemInput!) { r: createRoleItem(input: $input) { id } }`,
			vars("input", obj("roleID", ref("role"), "kind", "RESPONSIBILITY", "position", 0, "text", "Build things")), "item"},
		{"updateRoleItem", E, `mutation($id: ID!) { r: updateRoleItem(id: $id, input: {text: "Build more"}) { id } }`, vars("id", ref("item")), ""},
		{"reorderRoleItems", E, `mutation($role: ID!, $ids: [ID!]!) { r: reorderRoleItems(roleID: $role, kind: RESPONSIBILITY, ids: $ids) { id } }`,
			vars("role", ref("role"), "ids", list(ref("item"))), ""},
		{"createSkill", E, `mutation($input: CreateSkillInput!) { r: createSkill(input: $input) { id } }`,
			vars("input", obj("slug", "matrix-skill", "name", "Matrix Skill", "category", "TOOL")), "skill"},
		{"updateSkill", E, `mutation($id: ID!) { r: updateSkill(id: $id, input: {synonyms: ["mx"]}) { id } }`, vars("id", ref("skill")), ""},
		{"createRoleSkill", E, `mutation($input: CreateRoleSkillInput!) { r: createRoleSkill(input: $input) { id } }`,
			vars("input", obj("roleID", ref("role"), "skillID", ref("skill"), "rank", 1)), "roleSkill"},
		{"updateRoleSkill", E, `mutation($id: ID!) { r: updateRoleSkill(id: $id, input: {rank: 1}) { id } }`, vars("id", ref("roleSkill")), ""},
		{"reorderRoleSkills", E, `mutation($role: ID!, $ids: [ID!]!) { r: reorderRoleSkills(roleID: $role, ids: $ids) { id } }`,
			vars("role", ref("role"), "ids", list(ref("roleSkill"))), ""},
		{"createCompany", E, `mutation($input: CreateCompanyInput!) { r: createCompany(input: $input) { id } }`,
			vars("input", obj("slug", "matrix-co", "name", "Matrix Co")), "company"},
		{"updateCompany", E, `mutation($id: ID!) { r: updateCompany(id: $id, input: {industry: "Software"}) { id } }`, vars("id", ref("company")), ""},
		{"createLocation", E, `mutation($input: CreateLocationInput!) { r: createLocation(input: $input) { id } }`,
			vars("input", obj("slug", "matrix-city", "city", "Matrix City", "countryCode", "IN")), "location"},
		{"updateLocation", E, `mutation($id: ID!) { r: updateLocation(id: $id, input: {region: "KA"}) { id } }`, vars("id", ref("location")), ""},
		{"createOpening", E, `mutation($input: CreateOpeningInput!) { r: createOpening(input: $input) { id } }`,
			vars("input", obj("externalID", "matrix-1", "title", "Matrix Dev", "workMode", "REMOTE", "postedAt", "2026-11-01T00:00:00Z",
				"roleID", ref("role"), "companyID", ref("company"), "locationID", ref("location"), "skillIDs", list(ref("skill")))), "opening"},
		{"updateOpening", E, `mutation($id: ID!) { r: updateOpening(id: $id, input: {status: CLOSED}) { id } }`, vars("id", ref("opening")), ""},
		{"createSalaryRecord", E, `mutation($input: CreateSalaryRecordInput!) { r: createSalaryRecord(input: $input) { id } }`,
			vars("input", obj("roleID", ref("role"), "countryCode", "IN", "currency", "INR", "minAmount", 100, "maxAmount", 200)), "salary"},
		{"updateSalaryRecord", E, `mutation($id: ID!) { r: updateSalaryRecord(id: $id, input: {maxAmount: 300}) { id } }`, vars("id", ref("salary")), ""},
		{"createInterviewQuestion", E, `mutation($input: CreateInterviewQuestionInput!) { r: createInterviewQuestion(input: $input) { id } }`,
			vars("input", obj("roleID", ref("role"), "kind", "TECHNICAL", "difficulty", "EASY", "question", "Why?")), "question"},
		{"updateInterviewQuestion", E, `mutation($id: ID!) { r: updateInterviewQuestion(id: $id, input: {difficulty: HARD}) { id } }`, vars("id", ref("question")), ""},
		{"createCareerRoute", E, `mutation($input: CreateCareerRouteInput!) { r: createCareerRoute(input: $input) { id } }`,
			vars("input", obj("fromID", ref("role"), "toID", ref("seedRole"), "kind", "PROGRESSION")), "route"},
		{"updateCareerRoute", E, `mutation($id: ID!) { r: updateCareerRoute(id: $id, input: {typicalYears: 2}) { id } }`, vars("id", ref("route")), ""},
		{"deleteCareerRoute", E, `mutation($id: ID!) { r: deleteCareerRoute(id: $id) }`, vars("id", ref("route")), ""},
		{"deleteInterviewQuestion", E, `mutation($id: ID!) { r: deleteInterviewQuestion(id: $id) }`, vars("id", ref("question")), ""},
		{"deleteSalaryRecord", E, `mutation($id: ID!) { r: deleteSalaryRecord(id: $id) }`, vars("id", ref("salary")), ""},
		{"deleteOpening", E, `mutation($id: ID!) { r: deleteOpening(id: $id) }`, vars("id", ref("opening")), ""},
		{"deleteRoleSkill", E, `mutation($id: ID!) { r: deleteRoleSkill(id: $id) }`, vars("id", ref("roleSkill")), ""},
		{"deleteRoleItem", E, `mutation($id: ID!) { r: deleteRoleItem(id: $id) }`, vars("id", ref("item")), ""},
		{"deleteSkill", E, `mutation($id: ID!) { r: deleteSkill(id: $id) }`, vars("id", ref("skill")), ""},
		{"deleteLocation", E, `mutation($id: ID!) { r: deleteLocation(id: $id) }`, vars("id", ref("location")), ""},
		{"deleteCompany", E, `mutation($id: ID!) { r: deleteCompany(id: $id) }`, vars("id", ref("company")), ""},
		{"deleteRole", E, `mutation($id: ID!) { r: deleteRole(id: $id) }`, vars("id", ref("role")), ""},
	}
}

// accountSteps are the private queries and the account mutations; logout comes last because
// it ends the caller's session.
func accountSteps() []step {
	A := "ADMIN"
	none := func(map[string]string) map[string]any { return nil }
	return []step{
		{"users", A, `{ r: users(first: 10) { totalCount edges { node { id email role } } } }`, none, ""},
		{"apiTokens", A, `{ r: apiTokens(first: 10) { totalCount edges { node { id name kind expiresAt user { email } } } } }`, none, ""},
		{"auditLogs", A, `{ r: auditLogs(first: 10) { totalCount edges { node { id action entityType changes { field } } } } }`, none, ""},
		{"node(user)", A, `query($id: ID!) { r: node(id: $id) { id ... on User { email } } }`, vars("id", ref("editorUser")), ""},
		{"me", "", `{ r: me { id } }`, none, ""},
		{"login", "", `mutation { r: login(email: "nobody@example.com", password: "wrong password here") { token } }`, none, ""},
		{"createUser", A, `mutation { r: createUser(input: {email: "new@example.com", password: "a long enough password", role: EDITOR}) { id } }`, none, "newUser"},
		{"updateUser", A, `mutation($id: ID!) { r: updateUser(id: $id, input: {disabled: true}) { id } }`, vars("id", ref("newUser")), ""},
		{"createAPIToken", A, `mutation($e: Time!) { r: createAPIToken(input: {name: "indexer", expiresAt: $e}) { token apiToken { id } } }`,
			vars("e", time.Now().Add(30*24*time.Hour).UTC().Format(time.RFC3339)), "token"},
		{"revokeAPIToken", A, `mutation($id: ID!) { r: revokeAPIToken(id: $id) { id revokedAt } }`, vars("id", ref("token")), ""},
		{"logout", "EDITOR", `mutation { r: logout }`, none, ""},
	}
}

type ref string

type ids map[string]string

func (m ids) get(r ref) string {
	if v, ok := m[string(r)]; ok {
		return v
	}
	return "1" // well-formed; an unauthorized call never gets to look it up
}

func obj(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func list(vs ...any) []any { return vs }

func resolveVal(v any, m ids) any {
	switch x := v.(type) {
	case ref:
		return m.get(x)
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = resolveVal(e, m)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = resolveVal(e, m)
		}
		return out
	}
	return v
}

func vars(kv ...any) func(map[string]string) map[string]any {
	return func(saved map[string]string) map[string]any {
		return resolveVal(obj(kv...), ids(saved)).(map[string]any)
	}
}

// savedID finds the id a step returned: r.id, r.apiToken.id, or r itself.
func savedID(t *testing.T, data json.RawMessage) string {
	var d struct {
		R json.RawMessage `json:"r"`
	}
	require.NoError(t, json.Unmarshal(data, &d))
	var s string
	if json.Unmarshal(d.R, &s) == nil {
		return s
	}
	var o struct {
		ID       string `json:"id"`
		APIToken struct {
			ID string `json:"id"`
		} `json:"apiToken"`
	}
	require.NoError(t, json.Unmarshal(d.R, &o))
	if o.ID != "" {
		return o.ID
	}
	return o.APIToken.ID
}

func allowed(caller, need string) bool {
	switch need {
	case "":
		return true
	case "EDITOR":
		return caller == "EDITOR" || caller == "ADMIN"
	}
	return caller == "ADMIN"
}

// TestAuthorizationMatrix runs every mutation and every private query as an anonymous
// reader, an editor and an admin: exactly the allowed ones succeed, the others fail with
// UNAUTHENTICATED (anonymous) or FORBIDDEN (signed in, not allowed) and change nothing;
// node(id:) of a user answers null to non-admins, as for an ID that names nothing.
func TestAuthorizationMatrix(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		for _, caller := range []string{"", "EDITOR", "ADMIN"} {
			name := caller
			if name == "" {
				name = "anonymous"
			}
			t.Run(name, func(t *testing.T) {
				env := testenv.Seeded(t, b)
				h := env.Handler(t)
				ctx := context.Background()
				editorID, editorToken := env.User(t, "editor@example.com", "EDITOR")
				_, adminToken := env.User(t, "admin@example.com", "ADMIN")
				token := map[string]string{"": "", "EDITOR": editorToken, "ADMIN": adminToken}[caller]
				saved := map[string]string{
					"seedRole":   fmt.Sprint(env.DB.Client.Role.Query().FirstIDX(ctx)),
					"editorUser": fmt.Sprint(editorID),
				}
				roles := env.DB.Client.Role.Query().CountX(ctx)
				for _, s := range append(editingSteps(), accountSteps()...) {
					res := testenv.PostAs(t, h, token, s.query, s.vars(saved))
					if allowed(caller, s.need) {
						if s.name == "login" {
							assert.Equal(t, "UNAUTHENTICATED", res.Code(), "login with a wrong password: %s", res)
							continue
						}
						require.Empty(t, res.Errors, "%s as %s: %s", s.name, name, res)
						if s.save != "" {
							saved[s.save] = savedID(t, res.Data)
						}
						continue
					}
					if s.name == "node(user)" {
						// A private node is null for those who may not see it, like a missing one
						// (TestPrivateNodesLookMissing).
						require.Empty(t, res.Errors, "%s as %s: %s", s.name, name, res)
						assert.JSONEq(t, `{"r": null}`, string(res.Data))
						continue
					}
					want := "FORBIDDEN"
					if caller == "" {
						want = "UNAUTHENTICATED"
					}
					assert.Equal(t, want, res.Code(), "%s as %s: %s", s.name, name, res)
					assert.NotContains(t, string(res.Data), "@example.com", "%s leaks personal data", s.name)
				}
				if caller == "" {
					assert.Equal(t, roles, env.DB.Client.Role.Query().CountX(ctx), "refused mutations change nothing")
					assert.Zero(t, env.DB.Client.AuditLog.Query().CountX(ctx))
				} else {
					// Every editing step was applied and audited (reorders add a row each).
					assert.GreaterOrEqual(t, env.DB.Client.AuditLog.Query().CountX(ctx), len(editingSteps()))
					assert.Equal(t, roles, env.DB.Client.Role.Query().CountX(ctx), "the role made was deleted again")
				}
			})
		}
	})
}
