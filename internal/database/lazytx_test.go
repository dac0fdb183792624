package database_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/testenv"
)

// TestTransactionsBeginAtTheFirstStatement: opening a transaction takes no pool connection;
// the first statement takes one and the commit gives it back. A transaction that ran nothing
// commits as a no-op. With a pool of one connection, a read through the pool works while a
// transaction is open but has not begun (an eager BEGIN would deadlock here).
func TestTransactionsBeginAtTheFirstStatement(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.New(t, b)
		ctx := context.Background()
		env.DB.SQL.SetMaxOpenConns(1)
		client := env.DB.Client

		tx, err := client.Tx(ctx)
		require.NoError(t, err)
		assert.Equal(t, 0, env.DB.SQL.Stats().InUse, "no connection is held before the first statement")
		n, err := client.Role.Query().Count(ctx) // the pool's only connection, outside the tx
		require.NoError(t, err)
		assert.Equal(t, 0, n)

		_, err = tx.Company.Create().SetSlug("lazy-co").SetName("Lazy Co").Save(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, env.DB.SQL.Stats().InUse, "the first statement begins the transaction")
		require.NoError(t, tx.Commit())
		assert.Equal(t, 0, env.DB.SQL.Stats().InUse)
		assert.Equal(t, 1, client.Company.Query().CountX(ctx), "the commit is real")

		empty, err := client.Tx(ctx)
		require.NoError(t, err)
		require.NoError(t, empty.Commit(), "a transaction that ran nothing commits")
		assert.Error(t, empty.Commit(), "but only once")

		rb, err := client.Tx(ctx)
		require.NoError(t, err)
		_, err = rb.Company.Create().SetSlug("gone-co").SetName("Gone Co").Save(ctx)
		require.NoError(t, err)
		require.NoError(t, rb.Rollback())
		assert.Equal(t, 1, client.Company.Query().CountX(ctx), "a rollback is real")
	})
}
