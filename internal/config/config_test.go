package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	require.NoError(t, err)
	assert.Equal(t, 8080, c.Port)
	assert.Equal(t, DefaultDatabaseURL, c.DatabaseURL)
	assert.Equal(t, slog.LevelInfo, c.LogLevel)
	assert.Equal(t, 15*time.Second, c.ShutdownTimeout)
	assert.True(t, c.Introspection)
	assert.True(t, c.Playground)
	assert.True(t, c.Seed)
}

func TestBadValuesNameTheirVariable(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"port word":     {map[string]string{"PORT": "http"}, `PORT="http"`},
		"port range":    {map[string]string{"PORT": "70000"}, `PORT="70000"`},
		"database url":  {map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
		"empty sqlite":  {map[string]string{"DATABASE_URL": "file:"}, "DATABASE_URL"},
		"log level":     {map[string]string{"LOG_LEVEL": "loud"}, `LOG_LEVEL="loud"`},
		"timeout":       {map[string]string{"SHUTDOWN_TIMEOUT": "soon"}, `SHUTDOWN_TIMEOUT="soon"`},
		"introspection": {map[string]string{"GRAPHQL_INTROSPECTION": "perhaps"}, "GRAPHQL_INTROSPECTION"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := FromEnv(env(tc.env))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestPasswordsStayOutOfErrors(t *testing.T) {
	_, err := FromEnv(env(map[string]string{"DATABASE_URL": "mysql://admin:hunter2@db/x"}))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
}

func TestParseDatabaseURL(t *testing.T) {
	kind, dsn, err := ParseDatabaseURL("postgres://u@h:5432/db?sslmode=disable")
	require.NoError(t, err)
	assert.Equal(t, Postgres, kind)
	assert.Equal(t, "postgres://u@h:5432/db?sslmode=disable", dsn)

	kind, dsn, err = ParseDatabaseURL("sqlite:/tmp/x.db")
	require.NoError(t, err)
	assert.Equal(t, SQLite, kind)
	assert.True(t, strings.HasPrefix(dsn, "file:/tmp/x.db?"), dsn)
	assert.Contains(t, dsn, "_pragma=foreign_keys(1)")

	_, dsn, err = ParseDatabaseURL("file:x.db?_pragma=busy_timeout(100)")
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(dsn, "busy_timeout"), "a pragma the caller set is kept, not doubled")
}
