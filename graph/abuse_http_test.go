package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/gqlext"
	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/testenv"
)

// client is a caller at one address, optionally with a bearer token and extra headers.
type client struct {
	addr   string // TCP peer, host:port
	token  string
	header map[string]string
}

func (c client) post(t *testing.T, h http.Handler, body map[string]any) *testenv.Response {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	if c.addr != "" {
		req.RemoteAddr = c.addr
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	return testenv.Do(t, h, req)
}

func (c client) gql(t *testing.T, h http.Handler, query string, vars map[string]any) *testenv.Response {
	t.Helper()
	return c.post(t, h, map[string]any{"query": query, "variables": vars})
}

func (c client) login(t *testing.T, h http.Handler, email, password string) *testenv.Response {
	t.Helper()
	return c.gql(t, h, loginMutation, map[string]any{"e": email, "p": password})
}

func at(addr string) client { return client{addr: addr} }

// TestOwnerLogsInWhileTheAccountIsAttacked plays the attacker of issue 7: five wrong passwords
// from one address no longer lock the owner out. The attacking address is refused (even with
// the right password), the owner at another address logs in; once the account has seen
// LoginFailuresPerAccount failures, every address that has failed on it gets no more guesses,
// but an address with no failures (the owner's) still logs in.
func TestOwnerLogsInWhileTheAccountIsAttacked(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		env.User(t, "owner@example.com", "EDITOR")
		const wrong = "a wrong password guess"

		attacker := at("198.51.100.1:5000")
		for range 5 {
			require.Equal(t, "UNAUTHENTICATED", attacker.login(t, h, "owner@example.com", wrong).Code())
		}
		res := attacker.login(t, h, "owner@example.com", testenv.TestPassword)
		assert.Equal(t, "RATE_LIMITED", res.Code(), "the attacking address is out of guesses: %s", res)
		var d loginData
		at("203.0.113.7:6000").login(t, h, "owner@example.com", testenv.TestPassword).MustData(t, &d)
		assert.NotEmpty(t, d.Login.Token, "the owner, elsewhere, logs in")

		// A botnet: 9 more addresses, 5 guesses each: 50 failures on the account in all.
		for i := 2; i <= 10; i++ {
			for range 5 {
				at(fmt.Sprintf("198.51.100.%d:5000", i)).login(t, h, "owner@example.com", wrong)
			}
		}
		// The account is under attack: an address with one failure gets no second guess...
		fresh := at("198.51.100.11:5000")
		assert.Equal(t, "UNAUTHENTICATED", fresh.login(t, h, "owner@example.com", wrong).Code())
		assert.Equal(t, "RATE_LIMITED", fresh.login(t, h, "owner@example.com", wrong).Code(),
			"under attack, an address that failed once is refused")
		// ...but the owner from a clean address still gets in.
		at("203.0.113.8:6000").login(t, h, "owner@example.com", testenv.TestPassword).MustData(t, &d)
		assert.NotEmpty(t, d.Login.Token)

		// Per address: 20 failures over any accounts stop that address.
		sprayer := at("192.0.2.50:7000")
		for i := range 20 {
			sprayer.login(t, h, fmt.Sprintf("victim%d@example.com", i), wrong)
		}
		assert.Equal(t, "RATE_LIMITED", sprayer.login(t, h, "owner@example.com", testenv.TestPassword).Code())
	})
}

// TestLoginEmailIsValidatedBeforeAnythingElse: an over-long or malformed email is
// BAD_USER_INPUT naming email, runs no statement, and charges no throttle: thirty of them do
// not stop the same address logging in.
func TestLoginEmailIsValidatedBeforeAnythingElse(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		env.User(t, "owner@example.com", "EDITOR")
		c := at("198.51.100.20:5000")
		for i, email := range []string{
			strings.Repeat("a", 10_000) + "@example.com", strings.Repeat("a", 250) + "@example.com",
			"not an email", "owner@", "@example.com", "Owner <owner@example.com>", "owner@example.com, other@example.com", "",
		} {
			env.Statements.Reset()
			res := c.login(t, h, email, "whatever it is")
			assert.Equal(t, "BAD_USER_INPUT", res.Code(), "%d: %s", i, res)
			if assert.NotEmpty(t, res.Errors) {
				assert.Equal(t, "email", res.Errors[0].Extensions["field"])
				assert.Less(t, len(res.Errors[0].Message), 200, "the message does not echo the input")
			}
			assert.Zero(t, env.Statements.Count(), "no statement for a malformed email: %s", env.Statements.Statements())
		}
		for range 30 {
			c.login(t, h, strings.Repeat("x", 300), "whatever it is")
		}
		var d loginData
		c.login(t, h, "owner@example.com", testenv.TestPassword).MustData(t, &d)
		assert.NotEmpty(t, d.Login.Token)
	})
}

// TestLoginHashesWithNoConnectionHeld: with a pool of one connection, concurrent logins all
// complete. Login is a mutation, so it runs in a transaction; were the transaction begun
// before the password check (or the user read through it), each login would hold the only
// connection while hashing and the others, reading through the pool, would wait for it until
// the request deadline.
func TestLoginHashesWithNoConnectionHeld(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.HandlerWith(t, func(o *httpserver.Options) { o.Limits.RequestTimeout = 20 * time.Second })
		env.User(t, "owner@example.com", "EDITOR")
		env.DB.SQL.SetMaxOpenConns(1)
		const n = 6
		var wg sync.WaitGroup
		codes := make([]string, n)
		tokens := make([]string, n)
		for i := range n {
			wg.Go(func() {
				res := at(fmt.Sprintf("203.0.113.%d:6000", i+1)).login(t, h, "owner@example.com", testenv.TestPassword)
				codes[i] = res.Code()
				var d loginData
				if len(res.Errors) == 0 && json.Unmarshal(res.Data, &d) == nil {
					tokens[i] = d.Login.Token
				}
			})
		}
		wg.Wait()
		for i := range n {
			assert.Empty(t, codes[i], "login %d", i)
			assert.NotEmpty(t, tokens[i], "login %d", i)
		}
	})
}

// TestIPv6ClientsAreCountedBy64: addresses in one /64 share one rate-limit budget and one
// login throttle; another /64 has its own.
func TestIPv6ClientsAreCountedBy64(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	env.User(t, "owner@example.com", "EDITOR")
	h := env.HandlerWith(t, func(o *httpserver.Options) { o.Limits.RatePoints = 3 })
	for i := 1; i <= 3; i++ {
		res := at(fmt.Sprintf("[2001:db8:1:2::%x]:443", i)).gql(t, h, `{ __typename }`, nil)
		require.Empty(t, res.Errors, res.String())
	}
	res := at("[2001:db8:1:2:ffff:ffff:ffff:ffff]:443").gql(t, h, `{ __typename }`, nil)
	assert.Equal(t, 429, res.Status, "a new address in the same /64 shares the spent budget")
	assert.Equal(t, "RATE_LIMITED", res.Code())
	res = at("[2001:db8:1:3::1]:443").gql(t, h, `{ __typename }`, nil)
	assert.Empty(t, res.Errors, "the next /64 is another client")

	h = env.Handler(t)
	for i := 1; i <= 5; i++ {
		at(fmt.Sprintf("[2001:db8:9:9::%x]:443", i)).login(t, h, "owner@example.com", "a wrong password guess")
	}
	assert.Equal(t, "RATE_LIMITED", at("[2001:db8:9:9::abcd]:443").login(t, h, "owner@example.com", testenv.TestPassword).Code(),
		"five failures from five addresses of one /64 are five failures of one client")
	var d loginData
	at("[2001:db8:9:a::1]:443").login(t, h, "owner@example.com", testenv.TestPassword).MustData(t, &d)
}

// TestForwardedHeadersAreBelievedOnlyFromTrustedProxies: a client that is not a trusted proxy
// cannot pick its budget with X-Forwarded-For or Forwarded; behind a trusted proxy, the
// address the proxy appended is the client, whatever the client wrote to the left of it.
func TestForwardedHeadersAreBelievedOnlyFromTrustedProxies(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	direct := env.HandlerWith(t, func(o *httpserver.Options) { o.Limits.RatePoints = 2 })
	for i := range 2 {
		c := at("198.51.100.30:5000")
		c.header = map[string]string{"X-Forwarded-For": fmt.Sprintf("10.9.9.%d", i), "Forwarded": fmt.Sprintf("for=10.8.8.%d", i)}
		require.Empty(t, c.gql(t, direct, `{ __typename }`, nil).Errors)
	}
	spoof := at("198.51.100.30:5000")
	spoof.header = map[string]string{"X-Forwarded-For": "10.9.9.99"}
	assert.Equal(t, "RATE_LIMITED", spoof.gql(t, direct, `{ __typename }`, nil).Code(),
		"an untrusted peer's X-Forwarded-For is ignored: its budget is spent")

	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	proxied := env.HandlerWith(t, func(o *httpserver.Options) { o.Limits.RatePoints = 2; o.TrustedProxies = trusted })
	via := func(xff string) client {
		c := at("10.0.0.5:40000")
		c.header = map[string]string{"X-Forwarded-For": xff}
		return c
	}
	require.Empty(t, via("203.0.113.50").gql(t, proxied, `{ __typename }`, nil).Errors)
	require.Empty(t, via("6.6.6.6, 203.0.113.50").gql(t, proxied, `{ __typename }`, nil).Errors)
	assert.Equal(t, "RATE_LIMITED", via("7.7.7.7, 203.0.113.50, 10.1.1.1").gql(t, proxied, `{ __typename }`, nil).Code(),
		"the client's own entries left of the proxy's are not believed")
	assert.Empty(t, via("203.0.113.51").gql(t, proxied, `{ __typename }`, nil).Errors, "another client behind the proxy")
	fw := at("10.0.0.5:40000")
	fw.header = map[string]string{"Forwarded": `for="[2001:db8:5:5::1]:4711";proto=https, for=10.2.2.2`}
	require.Empty(t, fw.gql(t, proxied, `{ __typename }`, nil).Errors)
	fw.header = map[string]string{"Forwarded": `for=192.0.2.1, for="[2001:db8:5:5::2]"`}
	require.Empty(t, fw.gql(t, proxied, `{ __typename }`, nil).Errors)
	fw.header = map[string]string{"Forwarded": `for="[2001:db8:5:5:ffff::3]"`}
	assert.Equal(t, "RATE_LIMITED", fw.gql(t, proxied, `{ __typename }`, nil).Code(),
		"Forwarded (RFC 7239) is read too, and its IPv6 clients are counted by /64")
}

// TestPasswordChangeRevokesSessions: changePassword checks the current password, revokes the
// user's other sessions and keeps the caller's; the old password stops working. An admin
// setting a user's password revokes all of that user's sessions. Service tokens are kept.
func TestPasswordChangeRevokesSessions(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		userID, first := env.User(t, "owner@example.com", "EDITOR")
		_, admin := env.User(t, "admin@example.com", "ADMIN")
		var d loginData
		testenv.Post(t, h, loginMutation, map[string]any{"e": "owner@example.com", "p": testenv.TestPassword}).MustData(t, &d)
		second := d.Login.Token
		var svc struct {
			CreateAPIToken struct{ Token string } `json:"createAPIToken"`
		}
		testenv.PostAs(t, h, admin, `mutation($u: ID!, $e: Time!) { createAPIToken(input: {name: "sync", userID: $u, expiresAt: $e}) { token } }`,
			map[string]any{"u": fmt.Sprint(userID), "e": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}).MustData(t, &svc)

		const change = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { revokedSessions user { email } } }`
		assert.Equal(t, "UNAUTHENTICATED", testenv.Post(t, h, change, map[string]any{"c": "x", "n": "y"}).Code())
		res := testenv.PostAs(t, h, first, change, map[string]any{"c": "not my password at all", "n": "a brand new passphrase"})
		assert.Equal(t, "BAD_USER_INPUT", res.Code(), res.String())
		assert.Equal(t, "currentPassword", res.Errors[0].Extensions["field"])
		res = testenv.PostAs(t, h, first, change, map[string]any{"c": testenv.TestPassword, "n": "short"})
		assert.Equal(t, "newPassword", res.Errors[0].Extensions["field"], res.String())

		var out struct {
			ChangePassword struct {
				RevokedSessions int
				User            struct{ Email string }
			}
		}
		testenv.PostAs(t, h, first, change, map[string]any{"c": testenv.TestPassword, "n": "a brand new passphrase"}).MustData(t, &out)
		assert.Equal(t, 1, out.ChangePassword.RevokedSessions, "the other session")
		assert.Equal(t, "UNAUTHENTICATED", testenv.PostAs(t, h, second, `{ me { email } }`, nil).Code(), "the other session is revoked")
		var me struct{ Me *struct{ Email string } }
		testenv.PostAs(t, h, first, `{ me { email } }`, nil).MustData(t, &me)
		require.NotNil(t, me.Me, "the session that changed the password keeps working")
		testenv.PostAs(t, h, svc.CreateAPIToken.Token, `{ me { email } }`, nil).MustData(t, &me)
		require.NotNil(t, me.Me, "service tokens are kept")
		assert.Equal(t, "UNAUTHENTICATED", testenv.Post(t, h, loginMutation, map[string]any{"e": "owner@example.com", "p": testenv.TestPassword}).Code())
		testenv.Post(t, h, loginMutation, map[string]any{"e": "owner@example.com", "p": "a brand new passphrase"}).MustData(t, &d)

		// An admin resets the password: every session of the user ends.
		testenv.PostAs(t, h, admin, `mutation($id: ID!) { updateUser(id: $id, input: {password: "an admin chosen passphrase"}) { id } }`,
			map[string]any{"id": fmt.Sprint(userID)}).MustData(t, &struct{}{})
		for _, tok := range []string{first, d.Login.Token} {
			assert.Equal(t, "UNAUTHENTICATED", testenv.PostAs(t, h, tok, `{ me { email } }`, nil).Code())
		}
		testenv.PostAs(t, h, svc.CreateAPIToken.Token, `{ me { email } }`, nil).MustData(t, &me)
	})
}

// TestServiceTokensHaveAMaximumLifetime: an expiry past the maximum (a year by default) is
// BAD_USER_INPUT naming input.expiresAt; the maximum is configurable.
func TestServiceTokensHaveAMaximumLifetime(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		_, admin := env.User(t, "admin@example.com", "ADMIN")
		create := `mutation($e: Time!) { createAPIToken(input: {name: "indexer", expiresAt: $e}) { token } }`
		in := func(d time.Duration) map[string]any {
			return map[string]any{"e": time.Now().Add(d).UTC().Format(time.RFC3339)}
		}
		for _, d := range []time.Duration{366 * 24 * time.Hour, 100 * 365 * 24 * time.Hour} {
			res := testenv.PostAs(t, h, admin, create, in(d))
			assert.Equal(t, "BAD_USER_INPUT", res.Code(), res.String())
			assert.Equal(t, "input.expiresAt", res.Errors[0].Extensions["field"])
			assert.Contains(t, res.Errors[0].Message, "API_TOKEN_MAX_LIFETIME")
		}
		testenv.PostAs(t, h, admin, create, in(364*24*time.Hour)).MustData(t, &struct{}{})

		short := env.HandlerWith(t, func(o *httpserver.Options) {
			o.Accounts = env.Accounts(o.RateStore)
			o.Accounts.TokenMaxLifetime = 48 * time.Hour
		})
		assert.Equal(t, "BAD_USER_INPUT", testenv.PostAs(t, short, admin, create, in(72*time.Hour)).Code())
		testenv.PostAs(t, short, admin, create, in(24*time.Hour)).MustData(t, &struct{}{})
	})
}

// TestPersistedQueriesAndOperationNamesAreBounded: a persisted query over APQ_MAX_QUERY_BYTES
// (here a 2 MB one, with the body limit raised so that it gets that far) is refused with
// PERSISTED_QUERY_TOO_LARGE and not stored; the same text sent plainly is served; an
// operationName over MAX_OPERATION_NAME_BYTES is OPERATION_NAME_TOO_LONG naming it.
func TestPersistedQueriesAndOperationNamesAreBounded(t *testing.T) {
	env := testenv.New(t, testenv.SQLite)
	h := env.HandlerWith(t, func(o *httpserver.Options) { o.Limits.MaxBodyBytes = 4 << 20 })
	c := at("198.51.100.40:5000")
	for _, size := range []int{100 << 10, 2 << 20} {
		q := "# " + strings.Repeat("x", size) + "\n{ __typename }"
		ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": gqlext.QueryHash(q)}}
		start := time.Now()
		res := c.post(t, h, map[string]any{"query": q, "extensions": ext})
		assert.Equal(t, httpserver.CodePersistedQueryTooLarge, res.Code(), "%d bytes: %s", size, res.Errors)
		assert.Less(t, time.Since(start), 5*time.Second)
		assert.Equal(t, 400, res.Status)
		res = c.post(t, h, map[string]any{"extensions": ext})
		assert.Equal(t, "PERSISTED_QUERY_NOT_FOUND", res.Code(), "a refused registration stores nothing")
		if size < 1<<20 {
			var d struct {
				Typename string `json:"__typename"`
			}
			c.post(t, h, map[string]any{"query": q}).MustData(t, &d)
			assert.Equal(t, "Query", d.Typename, "sent plainly, the same document is served")
		}
	}
	small := `{ __typename }`
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": gqlext.QueryHash(small)}}
	c.post(t, h, map[string]any{"query": small, "extensions": ext}).MustData(t, &struct{}{})
	c.post(t, h, map[string]any{"extensions": ext}).MustData(t, &struct{}{})

	name := strings.Repeat("N", 101)
	res := c.post(t, h, map[string]any{"query": "query " + name + " { __typename }", "operationName": name})
	assert.Equal(t, httpserver.CodeOperationNameTooLong, res.Code(), res.String())
	assert.Equal(t, "operationName", res.Errors[0].Extensions["field"])
	name = strings.Repeat("N", 100)
	c.post(t, h, map[string]any{"query": "query " + name + " { __typename }", "operationName": name}).MustData(t, &struct{}{})
}

// TestURLFieldsAcceptHTTPOnly: a company's website must be an absolute http(s) URL;
// javascript:, data:, relative and schemeless ones are BAD_USER_INPUT naming input.website
// and nothing is saved.
func TestURLFieldsAcceptHTTPOnly(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		_, editor := env.User(t, "editor@example.com", "EDITOR")
		create := `mutation($i: CreateCompanyInput!) { createCompany(input: $i) { id website } }`
		for i, bad := range []string{"javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>",
			"/jobs", "//evil.example/jobs", "evil.example", "https://" + strings.Repeat("a", 400) + ".example"} {
			res := testenv.PostAs(t, h, editor, create, map[string]any{"i": map[string]any{"slug": fmt.Sprintf("url-co-%d", i), "name": "URL Co", "website": bad}})
			assert.Equal(t, "BAD_USER_INPUT", res.Code(), "%q: %s", bad, res)
			if assert.NotEmpty(t, res.Errors) {
				assert.Equal(t, "input.website", res.Errors[0].Extensions["field"], bad)
			}
		}
		var made struct {
			CreateCompany struct{ ID, Website string } `json:"createCompany"`
		}
		testenv.PostAs(t, h, editor, create, map[string]any{"i": map[string]any{"slug": "url-co", "name": "URL Co", "website": "https://url.example/careers"}}).MustData(t, &made)
		assert.Equal(t, "https://url.example/careers", made.CreateCompany.Website)
		res := testenv.PostAs(t, h, editor, `mutation($id: ID!) { updateCompany(id: $id, input: {website: "javascript:alert(1)"}) { website } }`,
			map[string]any{"id": made.CreateCompany.ID})
		assert.Equal(t, "input.website", res.Errors[0].Extensions["field"], res.String())
		var got struct{ Node struct{ Website string } }
		testenv.Post(t, h, `query($id: ID!) { node(id: $id) { ... on Company { website } } }`, map[string]any{"id": made.CreateCompany.ID}).MustData(t, &got)
		assert.Equal(t, "https://url.example/careers", got.Node.Website, "the refused update changed nothing")
	})
}
