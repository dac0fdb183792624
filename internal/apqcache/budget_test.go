package apqcache

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBudgetBoundsTheBytesKept: registrations past the byte budget are dropped, so however
// many documents a client registers, the keys under the prefix hold at most the budget; an
// over-long document is never stored.
func TestBudgetBoundsTheBytesKept(t *testing.T) {
	ctx := context.Background()
	client, prefix := testRedis(t)
	const budget = 20_000
	c := New(client, prefix, 1000*time.Hour, Budget(budget), MaxQueryBytes(2000)) // one window for the whole test
	doc := strings.Repeat("x", 1000)
	for i := range 100 { // 100 kB offered
		c.Add(ctx, fmt.Sprintf("%064d", i), doc)
	}
	c.Add(ctx, "huge", strings.Repeat("y", 2001))
	var stored int64
	var n int
	iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		if strings.HasPrefix(k, prefix+"bytes:") {
			continue
		}
		v, err := client.Get(ctx, k).Result()
		require.NoError(t, err)
		stored += int64(len(k) - len(prefix) + len(v))
		n++
		ttl, err := client.TTL(ctx, k).Result()
		require.NoError(t, err)
		assert.Greater(t, ttl, time.Duration(0), "every query expires")
	}
	require.NoError(t, iter.Err())
	assert.LessOrEqual(t, stored, int64(budget))
	assert.Equal(t, 9, n, "half the budget per window: 9 documents of 1064 bytes")
	_, ok := c.Get(ctx, "huge")
	assert.False(t, ok)
	_, ok = c.Get(ctx, fmt.Sprintf("%064d", 0))
	assert.True(t, ok, "documents within the budget are kept")
}
