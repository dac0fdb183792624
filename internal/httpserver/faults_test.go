package httpserver_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/apqcache"
	"github.com/careergraph/careergraph/internal/faultproxy"
	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/ratelimit"
	"github.com/careergraph/careergraph/internal/testenv"
	"github.com/careergraph/careergraph/internal/testredis"
)

// TestRedisOutageFailsNoRequest: the server's Redis (budgets, login throttles, persisted
// queries) behind a proxy that goes down while clients keep calling. Nothing fails for it:
// queries, logins and APQ registrations are served, a hash-only APQ request gets the
// protocol's PERSISTED_QUERY_NOT_FOUND (the client then sends the text, which is served), and
// budgets still hold, kept in process. Back up, budgets are shared in Redis again.
func TestRedisOutageFailsNoRequest(t *testing.T) {
	direct, prefix := testredis.Open(t, "outage")
	if direct == nil {
		t.Skip("TEST_REDIS_URL is not set")
	}
	t.Parallel()
	p, err := faultproxy.Start("127.0.0.1:0", direct.Options().Addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	opt := *direct.Options()
	opt.Addr = p.Addr()
	rdb := redis.NewClient(&opt)
	t.Cleanup(func() { _ = rdb.Close() })

	env := testenv.Seeded(t, testenv.SQLite)
	env.User(t, "editor@example.com", "EDITOR")
	store := &ratelimit.Fallback{Primary: ratelimit.NewRedis(rdb, prefix+"rl:"), Secondary: ratelimit.NewMemory(nil)}
	h := env.HandlerWith(t, func(o *httpserver.Options) {
		o.RateStore = store
		o.APQCache = apqcache.New(rdb, prefix+"apq:", time.Minute)
		o.Limits.RatePoints = 200
	})
	const q = `query Roles { roles(first: 2) { totalCount } }`
	sum := sha256.Sum256([]byte(q))
	hash := hex.EncodeToString(sum[:])
	post := func(ip string, body map[string]any) *testenv.Response {
		b, _ := json.Marshal(body)
		req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = ip + ":1234"
		return testenv.Do(t, h, req)
	}
	apq := map[string]any{"version": 1, "sha256Hash": hash}
	budgetKeys := func() int {
		keys, err := direct.Keys(context.Background(), prefix+"rl:*").Result()
		require.NoError(t, err)
		return len(keys)
	}

	// Up: budgets in Redis.
	r := post("192.0.2.1", map[string]any{"query": q})
	require.Empty(t, r.Errors, r.String())
	require.Equal(t, 1, budgetKeys())

	p.Down()
	down := time.Now()
	defer func() { t.Logf("Redis down for %s", time.Since(down).Round(time.Millisecond)) }()
	// A burst from several clients at once, as under load: every request is served.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				r := post(fmt.Sprintf("192.0.2.%d", 10+i), map[string]any{"query": q})
				if r.Status != http.StatusOK || len(r.Errors) > 0 {
					mu.Lock()
					failed = append(failed, r.String())
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	assert.Empty(t, failed, "no request fails while Redis is down")

	// A login: its throttles fall back too.
	r = post("192.0.2.2", map[string]any{"query": `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`,
		"variables": map[string]any{"e": "editor@example.com", "p": testenv.TestPassword}})
	assert.Empty(t, r.Errors, "login while Redis is down: %s", r)

	// APQ: a hash the server cannot look up is the protocol's miss; the client's retry with
	// the text is served.
	r = post("192.0.2.3", map[string]any{"extensions": map[string]any{"persistedQuery": apq}})
	assert.Equal(t, "PERSISTED_QUERY_NOT_FOUND", r.Code(), r.String())
	r = post("192.0.2.3", map[string]any{"query": q, "extensions": map[string]any{"persistedQuery": apq}})
	assert.Empty(t, r.Errors, r.String())

	// Budgets still hold, in process: a client over its 200 points is refused.
	refused := false
	for range 250 {
		if r := post("192.0.2.4", map[string]any{"query": q}); r.Status == http.StatusTooManyRequests {
			refused = true
			break
		}
	}
	assert.True(t, refused, "budgets are enforced in process while Redis is away")
	assert.True(t, store.Degraded())

	require.NoError(t, p.Up())
	back := time.Now()
	// Back: budgets are charged in Redis again once the cooldown (a second) has passed.
	deadline := time.Now().Add(10 * time.Second)
	for budgetKeys() < 2 && time.Now().Before(deadline) {
		post("192.0.2.5", map[string]any{"query": q})
		time.Sleep(10 * time.Millisecond)
	}
	assert.GreaterOrEqual(t, budgetKeys(), 2, "budgets back in Redis")
	t.Logf("budgets back in Redis %s after it returned", time.Since(back).Round(time.Millisecond))
}
