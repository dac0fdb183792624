package graph_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/apitoken"
	"github.com/careergraph/careergraph/internal/testenv"
)

const loginMutation = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token expiresAt user { email role } } }`

type loginData struct {
	Login struct {
		Token     string
		ExpiresAt time.Time
		User      struct{ Email, Role string }
	}
}

// TestLoginLogoutAndTokens: login gives a working bearer token, logout revokes it; expired
// and revoked tokens are UNAUTHENTICATED; wrong credentials get one answer whether or not
// the email exists.
func TestLoginLogoutAndTokens(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := context.Background()
		env.User(t, "Editor@Example.com", "EDITOR")

		var d loginData
		testenv.Post(t, h, loginMutation, map[string]any{"e": "  EDITOR@example.COM ", "p": testenv.TestPassword}).MustData(t, &d)
		assert.Equal(t, "editor@example.com", d.Login.User.Email, "emails are stored lower-cased")
		assert.Equal(t, "EDITOR", d.Login.User.Role)
		assert.True(t, d.Login.ExpiresAt.After(time.Now()))
		tok := d.Login.Token
		assert.NotContains(t, tok, " ")
		// Only the hash is stored.
		for _, row := range env.DB.Client.APIToken.Query().AllX(ctx) {
			assert.NotEqual(t, tok, row.TokenHash)
		}

		var me struct{ Me *struct{ Email string } }
		testenv.PostAs(t, h, tok, `{ me { email } }`, nil).MustData(t, &me)
		require.NotNil(t, me.Me)
		assert.Equal(t, "editor@example.com", me.Me.Email)
		testenv.Post(t, h, `{ me { email } }`, nil).MustData(t, &me)
		assert.Nil(t, me.Me, "anonymous readers are nobody")

		// Wrong password and unknown email: the same error.
		wrong := testenv.Post(t, h, loginMutation, map[string]any{"e": "editor@example.com", "p": "not the password at all"})
		unknown := testenv.Post(t, h, loginMutation, map[string]any{"e": "ghost@example.com", "p": "not the password at all"})
		require.NotEmpty(t, wrong.Errors)
		require.NotEmpty(t, unknown.Errors)
		assert.Equal(t, "UNAUTHENTICATED", wrong.Code())
		assert.Equal(t, wrong.Errors[0].Message, unknown.Errors[0].Message)
		assert.Equal(t, wrong.Status, unknown.Status)

		// Logout revokes the token.
		var out struct{ Logout bool }
		testenv.PostAs(t, h, tok, `mutation { logout }`, nil).MustData(t, &out)
		assert.True(t, out.Logout)
		res := testenv.PostAs(t, h, tok, `{ me { email } }`, nil)
		assert.Equal(t, "UNAUTHENTICATED", res.Code(), res.String())
		assert.Equal(t, 401, res.Status)

		// An expired token.
		testenv.Post(t, h, loginMutation, map[string]any{"e": "editor@example.com", "p": testenv.TestPassword}).MustData(t, &d)
		env.DB.Client.APIToken.Update().Where(apitoken.RevokedAtIsNil()).SetExpiresAt(time.Now().Add(-time.Second)).ExecX(ctx)
		res = testenv.PostAs(t, h, d.Login.Token, `{ roles(first: 1) { totalCount } }`, nil)
		assert.Equal(t, "UNAUTHENTICATED", res.Code(), "an expired token fails even public queries: %s", res)

		// Garbage and the wrong scheme.
		for _, header := range []string{"Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer cg_" + strings.Repeat("a", 43)} {
			req := httptest.NewRequest("POST", "/query", strings.NewReader(`{"query":"{ me { email } }"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", header)
			res := testenv.Do(t, h, req)
			assert.Equal(t, "UNAUTHENTICATED", res.Code(), header)
		}
	})
}

// TestServiceTokens: an admin makes a service token (shown once), lists it, and revokes it.
func TestServiceTokens(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		editorID, _ := env.User(t, "editor@example.com", "EDITOR")
		_, admin := env.User(t, "admin@example.com", "ADMIN")
		var made struct {
			CreateAPIToken struct {
				Token    string
				APIToken struct {
					ID, Kind string
					User     struct{ Email string }
				}
			} `json:"createAPIToken"`
		}
		testenv.PostAs(t, h, admin, `mutation($u: ID!, $e: Time!) { createAPIToken(input: {name: "indexer", userID: $u, expiresAt: $e}) { token apiToken { id kind user { email } } } }`,
			map[string]any{"u": fmt.Sprint(editorID), "e": time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)}).MustData(t, &made)
		svc := made.CreateAPIToken.Token
		assert.Equal(t, "SERVICE", made.CreateAPIToken.APIToken.Kind)
		assert.Equal(t, "editor@example.com", made.CreateAPIToken.APIToken.User.Email)

		// The service token edits as the editor.
		testenv.PostAs(t, h, svc, `mutation { createCompany(input: {slug: "svc-co", name: "Svc Co"}) { id } }`, nil).MustData(t, &struct{}{})
		res := testenv.PostAs(t, h, svc, `{ users(first: 1) { totalCount } }`, nil)
		assert.Equal(t, "FORBIDDEN", res.Code())

		// A past expiry is refused.
		res = testenv.PostAs(t, h, admin, `mutation { createAPIToken(input: {name: "x", expiresAt: "2000-01-01T00:00:00Z"}) { token } }`, nil)
		assert.Equal(t, "BAD_USER_INPUT", res.Code())
		assert.Equal(t, "input.expiresAt", res.Errors[0].Extensions["field"])

		testenv.PostAs(t, h, admin, `mutation($id: ID!) { revokeAPIToken(id: $id) { revokedAt } }`,
			map[string]any{"id": made.CreateAPIToken.APIToken.ID}).MustData(t, &struct{}{})
		res = testenv.PostAs(t, h, svc, `mutation { createCompany(input: {slug: "svc-co-2", name: "Svc Co 2"}) { id } }`, nil)
		assert.Equal(t, "UNAUTHENTICATED", res.Code(), "a revoked token stops working at once")

		// A disabled user's tokens stop working too.
		_, editorTok := env.User(t, "second@example.com", "EDITOR")
		var u struct {
			Users struct {
				Edges []struct{ Node struct{ ID, Email string } }
			}
		}
		testenv.PostAs(t, h, admin, `{ users(first: 10, where: {email: "second@example.com"}) { edges { node { id email } } } }`, nil).MustData(t, &u)
		require.Len(t, u.Users.Edges, 1)
		testenv.PostAs(t, h, admin, `mutation($id: ID!) { updateUser(id: $id, input: {disabled: true}) { disabled } }`,
			map[string]any{"id": u.Users.Edges[0].Node.ID}).MustData(t, &struct{}{})
		assert.Equal(t, "UNAUTHENTICATED", testenv.PostAs(t, h, editorTok, `{ me { email } }`, nil).Code())
	})
}

// TestLoginIsThrottled: after five failed attempts on one account from one address within the
// window, the sixth from that address is refused with RATE_LIMITED even with the right
// password; other accounts are unaffected (see also TestOwnerLogsInWhileTheAccountIsAttacked).
func TestLoginIsThrottled(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	h := env.Handler(t)
	env.User(t, "editor@example.com", "EDITOR")
	env.User(t, "other@example.com", "EDITOR")
	for range 5 {
		res := testenv.Post(t, h, loginMutation, map[string]any{"e": "editor@example.com", "p": "a wrong password guess"})
		require.Equal(t, "UNAUTHENTICATED", res.Code())
	}
	res := testenv.Post(t, h, loginMutation, map[string]any{"e": "editor@example.com", "p": testenv.TestPassword})
	assert.Equal(t, "RATE_LIMITED", res.Code(), res.String())
	assert.Contains(t, res.Errors[0].Message, "try again in")
	var d loginData
	testenv.Post(t, h, loginMutation, map[string]any{"e": "other@example.com", "p": testenv.TestPassword}).MustData(t, &d)
	assert.NotEmpty(t, d.Login.Token)
	// Per address: 20 failures across accounts.
	for i := range 20 {
		testenv.Post(t, h, loginMutation, map[string]any{"e": fmt.Sprintf("u%d@example.com", i), "p": "whatever it is"})
	}
	res = testenv.Post(t, h, loginMutation, map[string]any{"e": "third@example.com", "p": "whatever it is"})
	assert.Equal(t, "RATE_LIMITED", res.Code())
}
