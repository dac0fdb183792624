package database

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

// TestStmtCachePreparesReadsOnce: a read runs from one prepared statement however often it is
// sent; full-text statements and writes are not prepared; the cache stays within its bound,
// dropping the least recently used; results are those of the unprepared driver. (The cache is
// switched on for PostgreSQL; its logic is the same on any database/sql driver, so this runs
// on SQLite, and the PostgreSQL suite runs every test through it.)
func TestStmtCachePreparesReadsOnce(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "c.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	_, err = db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')`)
	require.NoError(t, err)
	c := newStmtCache(entsql.OpenDB(dialect.SQLite, db), db)
	names := func(query string, args ...any) []string {
		t.Helper()
		var rows entsql.Rows
		require.NoError(t, c.Query(ctx, query, args, &rows))
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			out = append(out, s)
		}
		require.NoError(t, rows.Err())
		return out
	}
	for i := 1; i <= 3; i++ {
		assert.Equal(t, []string{"a", "b", "c"}[i-1:i], names(`SELECT name FROM t WHERE id = ?`, i))
	}
	assert.Equal(t, 1, c.order.Len(), "one statement, prepared once")

	assert.Equal(t, []string{"a"}, names(`SELECT 'a' WHERE 'x' != 'to_tsquery'`))
	assert.Equal(t, 1, c.order.Len(), "a full-text statement is not prepared")

	for i := 0; i < stmtCacheSize+10; i++ {
		assert.Equal(t, []string{"c"}, names(fmt.Sprintf(`SELECT name FROM t WHERE id = ? AND %d = %d`, i, i), 3))
	}
	assert.Equal(t, stmtCacheSize, c.order.Len(), "bounded")
	_, first := c.byKey[`SELECT name FROM t WHERE id = ?`]
	assert.False(t, first, "the least recently used went first")
	require.NoError(t, c.Close())
	assert.Zero(t, c.order.Len())
}
