package apqcache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/testredis"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// testRedis is testredis.Require for this package's keys.
func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	return testredis.Require(t, "apq")
}

func hashOf(q string) string {
	s := sha256.Sum256([]byte(q))
	return hex.EncodeToString(s[:])
}

func TestGetAdd(t *testing.T) {
	ctx := context.Background()
	client, prefix := testRedis(t)
	c := New(client, prefix, 0)

	const q = "{ viewer { id } }"
	_, ok := c.Get(ctx, hashOf(q))
	assert.False(t, ok)

	c.Add(ctx, hashOf(q), q)
	got, ok := c.Get(ctx, hashOf(q))
	assert.True(t, ok)
	assert.Equal(t, q, got)

	stored, err := client.Get(ctx, prefix+hashOf(q)).Result()
	require.NoError(t, err)
	assert.Equal(t, q, stored, "kept under prefix+hash")

	ttl, err := client.TTL(ctx, prefix+hashOf(q)).Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, DefaultTTL-time.Minute)
	assert.LessOrEqual(t, ttl, DefaultTTL)
}

func TestCustomTTLAndRefresh(t *testing.T) {
	ctx := context.Background()
	client, prefix := testRedis(t)
	c := New(client, prefix, time.Hour)
	c.Add(ctx, "h", "{ a }")
	require.NoError(t, client.Expire(ctx, prefix+"h", time.Minute).Err())

	c.Add(ctx, "h", "{ a }")
	ttl, err := client.TTL(ctx, prefix+"h").Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, 59*time.Minute, "adding again restarts the TTL")
}

func TestEntriesExpire(t *testing.T) {
	ctx := context.Background()
	client, prefix := testRedis(t)
	c := New(client, prefix, time.Hour)
	c.Add(ctx, "h", "{ a }")
	// Expire the entry now rather than waiting an hour.
	require.NoError(t, client.PExpire(ctx, prefix+"h", time.Millisecond).Err())
	deadline := time.Now().Add(2 * time.Second)
	for {
		if _, ok := c.Get(ctx, "h"); !ok {
			break
		}
		require.True(t, time.Now().Before(deadline), "entry did not expire")
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPrefixesIsolate(t *testing.T) {
	ctx := context.Background()
	client, prefix := testRedis(t)
	a, b := New(client, prefix+"a:", 0), New(client, prefix+"b:", 0)
	a.Add(ctx, "h", "{ a }")
	_, ok := b.Get(ctx, "h")
	assert.False(t, ok)
}

func TestMaxQueryBytes(t *testing.T) {
	ctx := context.Background()
	client, prefix := testRedis(t)
	c := New(client, prefix, 0, MaxQueryBytes(10))
	c.Add(ctx, "small", "{ a }")
	c.Add(ctx, "big", "{ "+strings.Repeat("a ", 10)+"}")
	_, ok := c.Get(ctx, "small")
	assert.True(t, ok)
	_, ok = c.Get(ctx, "big")
	assert.False(t, ok)
}

// TestRedisErrorsAreMissesAndReported: with Redis unreachable, Add drops, Get misses, the
// error is reported once and Redis is then skipped.
func TestRedisErrorsAreMissesAndReported(t *testing.T) {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond,
		MaxRetries: -1, DialerRetries: 1, DialerRetryTimeout: time.Millisecond})
	t.Cleanup(func() { _ = client.Close() })
	var mu sync.Mutex
	var errs []error
	c := New(client, "x:", 0, OnError(func(_ context.Context, err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	}))
	c.Add(ctx, "h", "{ a }")
	_, ok := c.Get(ctx, "h")
	assert.False(t, ok)
	mu.Lock()
	defer mu.Unlock()
	// After the Add's error Redis is left alone for a second: the Get is a miss without a
	// round trip, so an outage costs requests nothing.
	assert.Len(t, errs, 1)
}

// echo answers every operation with its raw query, so the test sees what APQ resolved.
type echo struct{ schema *ast.Schema }

func (e echo) Schema() *ast.Schema { return e.schema }
func (echo) Complexity(context.Context, string, string, int, map[string]any) (int, bool) {
	return 0, false
}
func (echo) Exec(ctx context.Context) graphql.ResponseHandler {
	q, _ := json.Marshal(graphql.GetOperationContext(ctx).RawQuery)
	return graphql.OneShot(&graphql.Response{Data: json.RawMessage(`{"query":` + string(q) + `}`)})
}

func TestSharedAcrossReplicasThroughGqlgen(t *testing.T) {
	client, prefix := testRedis(t)
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: "type Query { hello: String }"})
	replica := func() http.Handler {
		srv := handler.New(echo{schema})
		srv.AddTransport(transport.POST{})
		srv.Use(extension.AutomaticPersistedQuery{Cache: New(client, prefix, 0)})
		return srv
	}
	a, b := replica(), replica()

	const q = "{ hello }"
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hashOf(q)}}
	send := func(h http.Handler, body map[string]any) map[string]any {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(raw)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		return out
	}

	out := send(b, map[string]any{"extensions": ext})
	require.NotNil(t, out["errors"], "unknown hash first")
	assert.Contains(t, out["errors"].([]any)[0].(map[string]any)["message"], "PersistedQueryNotFound")

	out = send(a, map[string]any{"query": q, "extensions": ext})
	assert.Nil(t, out["errors"])

	// Registered through replica a, known to replica b.
	out = send(b, map[string]any{"extensions": ext})
	assert.Nil(t, out["errors"])
	assert.Equal(t, map[string]any{"query": q}, out["data"])
}
