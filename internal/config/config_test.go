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
	assert.Empty(t, c.DebugAddr, "the profiler is off unless DEBUG_ADDR asks for it")
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
		"max depth":     {map[string]string{"MAX_DEPTH": "0"}, `MAX_DEPTH="0"`},
		"max cost":      {map[string]string{"MAX_COST": "lots"}, `MAX_COST="lots"`},
		"body bytes":    {map[string]string{"MAX_BODY_BYTES": "12"}, "MAX_BODY_BYTES"},
		"rate window":   {map[string]string{"RATE_LIMIT_WINDOW": "1"}, "RATE_LIMIT_WINDOW"},
		"timeout req":   {map[string]string{"REQUEST_TIMEOUT": "-1s"}, "REQUEST_TIMEOUT"},
		"redis":         {map[string]string{"REDIS_URL": "localhost:6379"}, "REDIS_URL"},
		"cors":          {map[string]string{"CORS_ORIGINS": "dashboard.example.com"}, "CORS_ORIGINS"},
		"debug no port": {map[string]string{"DEBUG_ADDR": "localhost"}, `DEBUG_ADDR="localhost"`},
		"debug on PORT": {map[string]string{"PORT": "9000", "DEBUG_ADDR": "127.0.0.1:9000"}, `DEBUG_ADDR="127.0.0.1:9000"`},
		"admin alone":   {map[string]string{"CAREERGRAPH_ADMIN_EMAIL": "a@example.com"}, "CAREERGRAPH_ADMIN_PASSWORD"},
		"admin weak":    {map[string]string{"CAREERGRAPH_ADMIN_EMAIL": "a@example.com", "CAREERGRAPH_ADMIN_PASSWORD": "short"}, "CAREERGRAPH_ADMIN_PASSWORD"},
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

func TestLimitsFromEnv(t *testing.T) {
	c, err := FromEnv(env(nil))
	require.NoError(t, err)
	assert.Equal(t, DefaultLimits, c.Limits)
	c, err = FromEnv(env(map[string]string{
		"MAX_BODY_BYTES": "2048", "MAX_DEPTH": "7", "MAX_ALIASES": "3", "MAX_ROOT_FIELDS": "4", "MAX_COST": "900",
		"REQUEST_TIMEOUT": "2s", "RATE_LIMIT_POINTS": "50", "RATE_LIMIT_WINDOW": "1h",
		"REDIS_URL": "redis://127.0.0.1:6379/0", "GRAPHQL_ALLOWLIST": "ops.json",
		"CORS_ORIGINS":            "https://a.example.com, https://b.example.com",
		"CAREERGRAPH_ADMIN_EMAIL": "Admin@Example.com", "CAREERGRAPH_ADMIN_PASSWORD": "a very long password",
	}))
	require.NoError(t, err)
	assert.Equal(t, Limits{MaxBodyBytes: 2048, MaxDepth: 7, MaxAliases: 3, MaxRootFields: 4, MaxCost: 900,
		RequestTimeout: 2 * time.Second, RatePoints: 50, RateWindow: time.Hour}, c.Limits)
	assert.Equal(t, []string{"https://a.example.com", "https://b.example.com"}, c.CORSOrigins)
	assert.Equal(t, "ops.json", c.AllowlistPath)
	assert.Equal(t, "redis://127.0.0.1:6379/0", c.RedisURL)
}

func TestAdminPasswordIsNeverEchoed(t *testing.T) {
	_, err := FromEnv(env(map[string]string{"CAREERGRAPH_ADMIN_EMAIL": "a@example.com", "CAREERGRAPH_ADMIN_PASSWORD": "tiny-secret"}))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "tiny-secret")
}
