package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/apqcache"
	"github.com/careergraph/careergraph/internal/gqlext"
	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/ratelimit"
	"github.com/careergraph/careergraph/internal/testenv"
	"github.com/careergraph/careergraph/internal/testredis"
)

// stores returns the rate-limit stores to test: in-process always, Redis at TEST_REDIS_URL
// when set. Each call makes fresh budgets (a new Memory, a new Redis key prefix).
func stores(t *testing.T) map[string]func() ratelimit.Store {
	t.Helper()
	out := map[string]func() ratelimit.Store{"memory": func() ratelimit.Store { return ratelimit.NewMemory(nil) }}
	if c, prefix := testRedis(t); c != nil {
		out["redis"] = func() ratelimit.Store { return ratelimit.NewRedis(c, prefix) }
	}
	return out
}

func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	return testredis.Open(t, "graph")
}

func postFrom(t *testing.T, h http.Handler, ip, token, query string) *testenv.Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
	req.RemoteAddr = ip + ":40000"
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return testenv.Do(t, h, req)
}

// TestRateLimit: each operation is charged its cost in points (one per hundred, at least
// one) against a budget per token, or per IP for anonymous clients; the cost and what is left
// are reported in extensions.cost and X-RateLimit-* headers; a spent budget gets RATE_LIMITED
// with HTTP 429 and Retry-After, and other clients are unaffected. Runs on the in-process
// store and on Redis, where two replicas share one budget.
func TestRateLimit(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	_, token := env.User(t, "editor@example.com", "EDITOR")
	for name, newStore := range stores(t) {
		t.Run(name, func(t *testing.T) {
			store := newStore()
			opts := func(o *httpserver.Options) {
				o.RateStore = store
				o.Limits.RatePoints = 10
				o.Limits.RateWindow = time.Minute
			}
			h := env.HandlerWith(t, opts)
			replica := env.HandlerWith(t, opts) // a second server over the same store

			// A cheap query costs one point.
			res := postFrom(t, h, "10.0.0.1", "", `{ roles(first: 1) { totalCount } }`)
			res.MustData(t, &struct{}{})
			cost := res.Extensions["cost"].(map[string]any)
			assert.EqualValues(t, 1, cost["points"])
			assert.EqualValues(t, 2, cost["requestedQueryCost"])
			throttle := cost["throttleStatus"].(map[string]any)
			assert.EqualValues(t, 10, throttle["maximumAvailable"])
			assert.EqualValues(t, 9, throttle["currentlyAvailable"])
			assert.Equal(t, "10", res.Header.Get("X-RateLimit-Limit"))
			assert.Equal(t, "9", res.Header.Get("X-RateLimit-Remaining"))
			assert.Equal(t, "1", res.Header.Get("X-RateLimit-Cost"))
			reset, err := strconv.ParseInt(res.Header.Get("X-RateLimit-Reset"), 10, 64)
			require.NoError(t, err)
			assert.InDelta(t, time.Now().Add(time.Minute).Unix(), reset, 5)

			// A page of 100 roles with their openings costs more than one point.
			res = postFrom(t, replica, "10.0.0.1", "", `{ roles(first: 100) { edges { node { title } } } }`)
			res.MustData(t, &struct{}{})
			assert.EqualValues(t, 4, res.Extensions["cost"].(map[string]any)["points"], "cost 301 is 4 points")
			assert.Equal(t, "5", res.Header.Get("X-RateLimit-Remaining"), "the replica charged the same budget")

			// An operation costing more than is left is refused and charges nothing.
			res = postFrom(t, h, "10.0.0.1", "", `{ roles(first: 100) { edges { node { openings(first: 3) { totalCount } } } } }`)
			assert.Equal(t, "RATE_LIMITED", res.Code(), res.String())
			assert.Equal(t, 429, res.Status)
			assert.NotEmpty(t, res.Header.Get("Retry-After"))
			assert.Contains(t, res.Errors[0].Message, "retry in")

			// Spend the rest; then even a cheap query is refused, before it is parsed.
			for range 5 {
				postFrom(t, h, "10.0.0.1", "", `{ roles(first: 1) { totalCount } }`).MustData(t, &struct{}{})
			}
			res = postFrom(t, replica, "10.0.0.1", "", `{ roles(first: 1) { totalCount } }`)
			assert.Equal(t, "RATE_LIMITED", res.Code())
			assert.Equal(t, 429, res.Status)
			assert.Equal(t, "0", res.Header.Get("X-RateLimit-Remaining"))

			// Another address and a signed-in client have budgets of their own.
			postFrom(t, h, "10.0.0.2", "", `{ roles(first: 1) { totalCount } }`).MustData(t, &struct{}{})
			res = postFrom(t, h, "10.0.0.1", token, `{ roles(first: 1) { totalCount } }`)
			res.MustData(t, &struct{}{})
			assert.Equal(t, "9", res.Header.Get("X-RateLimit-Remaining"), "the token's budget, not the address's")
		})
	}
}

// TestPersistedQueriesInRedis: with REDIS_URL, persisted queries registered on one replica
// are served by another.
func TestPersistedQueriesInRedis(t *testing.T) {
	c, prefix := testRedis(t)
	if c == nil {
		t.Skip("TEST_REDIS_URL not set")
	}
	env := testenv.Seeded(t, testenv.SQLite)
	opts := func(o *httpserver.Options) { o.APQCache = apqcache.New(c, prefix+"apq:", time.Minute) }
	a, b := env.HandlerWith(t, opts), env.HandlerWith(t, opts)
	q := `{ role(slug: "backend-developer") { title } }`
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": gqlext.QueryHash(q)}}
	send := func(h http.Handler, body map[string]any) *testenv.Response {
		raw, _ := json.Marshal(body)
		req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		return testenv.Do(t, h, req)
	}
	send(a, map[string]any{"query": q, "extensions": ext}).MustData(t, &struct{}{})
	var d struct{ Role struct{ Title string } }
	send(b, map[string]any{"extensions": ext}).MustData(t, &d)
	assert.Equal(t, "Backend Developer", d.Role.Title)
}

// TestRolePageCost: the cluster page is well inside MAX_COST and costs a few points, with its
// plain lists (core skills, members, an opening's skills, items) priced at their documented
// bounds (gqlext.ListBounds), not at what the seed happens to hold: 1447 cost, 15 points.
func TestRolePageCost(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	res := testenv.Post(t, env.Handler(t), rolePage, map[string]any{"slug": "backend-developer"})
	res.MustData(t, &struct{}{})
	cost := res.Extensions["cost"].(map[string]any)
	t.Logf("role page: cost %v, %v points", cost["requestedQueryCost"], cost["points"])
	assert.Less(t, cost["requestedQueryCost"].(float64), 2000.0)
	assert.LessOrEqual(t, cost["points"].(float64), 20.0)
}
