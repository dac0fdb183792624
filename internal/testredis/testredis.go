// Package testredis gives tests the real Redis at TEST_REDIS_URL, as internal/testenv gives
// them PostgreSQL. It depends on nothing of the project's, so any package's tests can use it.
package testredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// RequireEnv, when set to 1 (CI sets it), turns a missing TEST_REDIS_URL into a failure
// instead of a quietly skipped half of the suite.
const RequireEnv = "CAREERGRAPH_REQUIRE_REDIS"

// Open connects to TEST_REDIS_URL and returns a client and a key prefix unique to this test,
// under which every key is deleted when the test ends. Without TEST_REDIS_URL it returns a nil
// client, or fails the test when RequireEnv is 1.
func Open(t testing.TB, name string) (*redis.Client, string) {
	t.Helper()
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s=1 but TEST_REDIS_URL is empty: the Redis tests would be skipped", RequireEnv)
		}
		return nil, ""
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opt)
	ctx := context.Background()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		t.Fatalf("TEST_REDIS_URL does not answer: %v", err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	prefix := "careergraph-test:" + name + ":" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		var keys []string
		iter := c.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("scan test keys: %v", err)
		}
		if len(keys) > 0 {
			if err := c.Del(ctx, keys...).Err(); err != nil {
				t.Errorf("delete test keys: %v", err)
			}
		}
		_ = c.Close()
	})
	return c, prefix
}

// Require is Open for tests that are only about Redis: without TEST_REDIS_URL they are
// skipped (or fail, when RequireEnv is 1).
func Require(t testing.TB, name string) (*redis.Client, string) {
	t.Helper()
	c, prefix := Open(t, name)
	if c == nil {
		t.Skip("TEST_REDIS_URL not set; skipping Redis tests")
	}
	return c, prefix
}
