package accounts_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/user"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestBootstrapAdmin: the first admin is created once from the configured email and password
// (lower-casing the email); a second start leaves the account, and its password, alone.
func TestBootstrapAdmin(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.New(t, b)
		ctx := context.Background()
		acc := env.Accounts(nil)
		created, err := acc.BootstrapAdmin(ctx, env.DB.Client, "Root@Example.com", "the first admin password")
		require.NoError(t, err)
		assert.True(t, created)
		u := env.DB.Client.User.Query().OnlyX(ctx)
		assert.Equal(t, "root@example.com", u.Email)
		assert.Equal(t, user.RoleADMIN, u.Role)
		assert.NotContains(t, u.PasswordHash, "first admin")

		created, err = acc.BootstrapAdmin(ctx, env.DB.Client, "root@example.com", "a different password now")
		require.NoError(t, err)
		assert.False(t, created)
		_, err = acc.Login(ctx, env.DB.Client, env.DB.Client, "root@example.com", "the first admin password", "127.0.0.1")
		require.NoError(t, err, "the password was not reset")

		_, err = acc.BootstrapAdmin(ctx, env.DB.Client, "other@example.com", "xyzzy")
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "xyzzy")
		assert.Equal(t, 1, env.DB.Client.User.Query().CountX(ctx))
	})
}
