package database

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestOnlyPlainSelectsMayReadTheReplica: what a read-only replica can run, and what it must
// never be sent.
func TestOnlyPlainSelectsMayReadTheReplica(t *testing.T) {
	for q, want := range map[string]bool{
		`SELECT "roles"."id" FROM "roles"`:                              true,
		"  (SELECT 1) UNION (SELECT 2)":                                 true,
		"select count(*) from openings":                                 true,
		`INSERT INTO "skills" ("name") VALUES ($1) RETURNING "id"`:      false,
		`UPDATE "roles" SET "title" = $1`:                               false,
		"WITH x AS (DELETE FROM openings RETURNING id) SELECT * FROM x": false,
		`SELECT "id" FROM "roles" WHERE "id" = $1 FOR UPDATE`:           false,
		`SELECT "id" FROM "roles" FOR SHARE`:                            false,
	} {
		assert.Equal(t, want, isPlainSelect(q), q)
	}
}

// TestRecentWindowAndPruning: a client is sticky for the window only, and the map drops
// expired clients once it is large instead of growing without end.
func TestRecentWindowAndPruning(t *testing.T) {
	now := time.Unix(1000, 0)
	r := NewRecent(5 * time.Second)
	r.now = func() time.Time { return now }
	r.Wrote("token:1")
	assert.True(t, r.Within("token:1"))
	assert.False(t, r.Within("token:2"))
	now = now.Add(5 * time.Second)
	assert.False(t, r.Within("token:1"), "the window has passed")
	for i := range recentPrune {
		r.Wrote(fmt.Sprint("ip:", i))
	}
	now = now.Add(10 * time.Second)
	r.Wrote("token:3") // past the prune size: the expired entries go
	assert.Len(t, r.m, 1)
	assert.False(t, NewRecent(0).Within("x"))
	var none *Recent
	none.Wrote("x")
	assert.False(t, none.Within("x"))
}
