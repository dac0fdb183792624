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
	assert.Empty(t, c.TrustedProxies, "no proxy is trusted unless configured")
	assert.Equal(t, 365*24*time.Hour, c.APITokenMaxLifetime)
	assert.Equal(t, DefaultCaches, c.Caches)
}

func TestTrustedProxiesAndCachesFromEnv(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		"TRUSTED_PROXIES": " 10.1.2.3/8, 192.0.2.7 ,2001:db8::/32,::ffff:198.51.100.1", "API_TOKEN_MAX_LIFETIME": "720h",
		"APQ_MAX_QUERY_BYTES": "1000", "APQ_CACHE_BYTES": "65536", "QUERY_CACHE_BYTES": "131072", "MAX_OPERATION_NAME_BYTES": "64",
		"RESPONSE_CACHE_TTL": "250ms", "RESPONSE_CACHE_BYTES": "1048576",
	}))
	require.NoError(t, err)
	var got []string
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	assert.Equal(t, []string{"10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32", "198.51.100.1/32"}, got)
	assert.Equal(t, 720*time.Hour, c.APITokenMaxLifetime)
	assert.Equal(t, Caches{APQMaxQueryBytes: 1000, APQCacheBytes: 65536, QueryCacheBytes: 131072, MaxOperationNameBytes: 64,
		ResponseTTL: 250 * time.Millisecond, ResponseCacheBytes: 1 << 20}, c.Caches)
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
		"max tokens":    {map[string]string{"MAX_TOKENS": "0"}, `MAX_TOKENS="0"`},
		"response ttl":  {map[string]string{"RESPONSE_CACHE_TTL": "1h"}, `RESPONSE_CACHE_TTL="1h"`},
		"response size": {map[string]string{"RESPONSE_CACHE_BYTES": "10"}, `RESPONSE_CACHE_BYTES="10"`},
		"selections":    {map[string]string{"MAX_SELECTIONS": "-5"}, `MAX_SELECTIONS="-5"`},
		"filter terms":  {map[string]string{"MAX_FILTER_TERMS": "many"}, `MAX_FILTER_TERMS="many"`},
		"filter depth":  {map[string]string{"MAX_FILTER_DEPTH": "0"}, `MAX_FILTER_DEPTH="0"`},
		"tiny tokens":   {map[string]string{"MAX_TOKENS": "10"}, "MAX_TOKENS"},
		"body bytes":    {map[string]string{"MAX_BODY_BYTES": "12"}, "MAX_BODY_BYTES"},
		"upload bytes":  {map[string]string{"MAX_UPLOAD_BYTES": "1"}, "MAX_UPLOAD_BYTES"},
		"upload files":  {map[string]string{"MAX_UPLOAD_FILES": "0"}, "MAX_UPLOAD_FILES"},
		"rate window":   {map[string]string{"RATE_LIMIT_WINDOW": "1"}, "RATE_LIMIT_WINDOW"},
		"timeout req":   {map[string]string{"REQUEST_TIMEOUT": "-1s"}, "REQUEST_TIMEOUT"},
		"redis":         {map[string]string{"REDIS_URL": "localhost:6379"}, "REDIS_URL"},
		"cors":          {map[string]string{"CORS_ORIGINS": "dashboard.example.com"}, "CORS_ORIGINS"},
		"proxies":       {map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, proxy.internal"}, "TRUSTED_PROXIES"},
		"proxies cidr":  {map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33"}, "TRUSTED_PROXIES"},
		"token life":    {map[string]string{"API_TOKEN_MAX_LIFETIME": "forever"}, "API_TOKEN_MAX_LIFETIME"},
		"token short":   {map[string]string{"API_TOKEN_MAX_LIFETIME": "5m"}, "API_TOKEN_MAX_LIFETIME"},
		"apq bytes":     {map[string]string{"APQ_MAX_QUERY_BYTES": "0"}, "APQ_MAX_QUERY_BYTES"},
		"apq vs cache":  {map[string]string{"APQ_MAX_QUERY_BYTES": "1048576", "APQ_CACHE_BYTES": "1048576"}, "APQ_MAX_QUERY_BYTES"},
		"apq cache":     {map[string]string{"APQ_CACHE_BYTES": "lots"}, "APQ_CACHE_BYTES"},
		"query cache":   {map[string]string{"QUERY_CACHE_BYTES": "1000"}, "QUERY_CACHE_BYTES"},
		"op name":       {map[string]string{"MAX_OPERATION_NAME_BYTES": "-1"}, "MAX_OPERATION_NAME_BYTES"},
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
	assert.Contains(t, dsn, "_txlock=immediate", "transactions begin as the writer and queue on busy_timeout")
}

func TestLimitsFromEnv(t *testing.T) {
	c, err := FromEnv(env(nil))
	require.NoError(t, err)
	assert.Equal(t, DefaultLimits, c.Limits)
	c, err = FromEnv(env(map[string]string{
		"MAX_BODY_BYTES": "2048", "MAX_DEPTH": "7", "MAX_ALIASES": "3", "MAX_ROOT_FIELDS": "4", "MAX_COST": "900",
		"MAX_TOKENS": "700", "MAX_SELECTIONS": "300", "MAX_FILTER_TERMS": "20", "MAX_FILTER_DEPTH": "3",
		"REQUEST_TIMEOUT": "2s", "RATE_LIMIT_POINTS": "50", "RATE_LIMIT_WINDOW": "1h",
		"MAX_UPLOAD_BYTES": "4096", "UPLOAD_MEMORY_BYTES": "2048", "MAX_UPLOAD_FILES": "2",
		"REDIS_URL": "redis://127.0.0.1:6379/0", "GRAPHQL_ALLOWLIST": "ops.json",
		"CORS_ORIGINS":            "https://a.example.com, https://b.example.com",
		"CAREERGRAPH_ADMIN_EMAIL": "Admin@Example.com", "CAREERGRAPH_ADMIN_PASSWORD": "a very long password",
	}))
	require.NoError(t, err)
	assert.Equal(t, Limits{MaxBodyBytes: 2048, MaxDepth: 7, MaxAliases: 3, MaxRootFields: 4, MaxCost: 900,
		MaxTokens: 700, MaxSelections: 300, MaxFilterTerms: 20, MaxFilterDepth: 3,
		RequestTimeout: 2 * time.Second, RatePoints: 50, RateWindow: time.Hour,
		MaxUploadBytes: 4096, UploadMemoryBytes: 2048, MaxUploadFiles: 2}, c.Limits)
	assert.Equal(t, []string{"https://a.example.com", "https://b.example.com"}, c.CORSOrigins)
	assert.Equal(t, "ops.json", c.AllowlistPath)
	assert.Equal(t, "redis://127.0.0.1:6379/0", c.RedisURL)
}

func TestAdminPasswordIsNeverEchoed(t *testing.T) {
	_, err := FromEnv(env(map[string]string{"CAREERGRAPH_ADMIN_EMAIL": "a@example.com", "CAREERGRAPH_ADMIN_PASSWORD": "tiny-secret"}))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "tiny-secret")
}

// TestMigrateOnStartAndMetricsAddr: migrating at start defaults on for SQLite and off for
// PostgreSQL, either can be overridden; METRICS_ADDR must be host:port and not the public port.
func TestMigrateOnStartAndMetricsAddr(t *testing.T) {
	get := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := FromEnv(get(nil))
	require.NoError(t, err)
	assert.True(t, c.MigrateOnStart, "SQLite")
	assert.Empty(t, c.MetricsAddr, "metrics off by default")
	assert.True(t, c.MatchIndexImages, "match index images on by default")
	c, err = FromEnv(get(map[string]string{"DATABASE_URL": "postgres://x@db/cg"}))
	require.NoError(t, err)
	assert.False(t, c.MigrateOnStart, "PostgreSQL")
	c, err = FromEnv(get(map[string]string{"DATABASE_URL": "postgres://x@db/cg", "MIGRATE_ON_START": "true", "METRICS_ADDR": ":9090"}))
	require.NoError(t, err)
	assert.True(t, c.MigrateOnStart)
	assert.Equal(t, ":9090", c.MetricsAddr)
	_, err = FromEnv(get(map[string]string{"MIGRATE_ON_START": "sometimes"}))
	assert.ErrorContains(t, err, "MIGRATE_ON_START")
	c, err = FromEnv(get(map[string]string{"MATCH_INDEX_IMAGES": "false"}))
	require.NoError(t, err)
	assert.False(t, c.MatchIndexImages)
	_, err = FromEnv(get(map[string]string{"MATCH_INDEX_IMAGES": "often"}))
	assert.ErrorContains(t, err, "MATCH_INDEX_IMAGES")
	_, err = FromEnv(get(map[string]string{"METRICS_ADDR": "9090"}))
	assert.ErrorContains(t, err, "METRICS_ADDR")
	_, err = FromEnv(get(map[string]string{"METRICS_ADDR": "0.0.0.0:8080"}))
	assert.ErrorContains(t, err, "public port")
}

// TestTracingFollowsOTELVariables: traces are on only when an OTLP endpoint is named, and the
// standard switches turn them off.
func TestTracingFollowsOTELVariables(t *testing.T) {
	for env, want := range map[string]bool{
		"":                                   false,
		"OTEL_EXPORTER_OTLP_ENDPOINT":        true,
		"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": true,
	} {
		c, err := FromEnv(func(k string) string {
			if k == env {
				return "http://collector:4318"
			}
			return ""
		})
		require.NoError(t, err)
		assert.Equal(t, want, c.Tracing, env)
	}
	for _, off := range [][2]string{{"OTEL_SDK_DISABLED", "true"}, {"OTEL_TRACES_EXPORTER", "none"}} {
		c, err := FromEnv(func(k string) string {
			return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", off[0]: off[1]}[k]
		})
		require.NoError(t, err)
		assert.False(t, c.Tracing, off[0])
	}
}

// TestReplicaURL: DATABASE_REPLICA_URL needs PostgreSQL on both sides; the stickiness window
// defaults to 5s and takes a duration.
func TestReplicaURL(t *testing.T) {
	get := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := FromEnv(get(map[string]string{"DATABASE_URL": "postgres://x@db/cg", "DATABASE_REPLICA_URL": "postgres://x@replica/cg"}))
	require.NoError(t, err)
	assert.Equal(t, "postgres://x@replica/cg", c.ReplicaURL)
	assert.Equal(t, DefaultReplicaStickiness, c.ReplicaStickiness)
	c, err = FromEnv(get(map[string]string{"DATABASE_URL": "postgres://x@db/cg", "DATABASE_REPLICA_URL": "postgres://x@replica/cg", "DATABASE_REPLICA_STICKINESS": "0s"}))
	require.NoError(t, err)
	assert.Zero(t, c.ReplicaStickiness)
	_, err = FromEnv(get(map[string]string{"DATABASE_REPLICA_URL": "postgres://x@replica/cg"}))
	assert.ErrorContains(t, err, "DATABASE_REPLICA_URL")
	_, err = FromEnv(get(map[string]string{"DATABASE_URL": "postgres://x@db/cg", "DATABASE_REPLICA_URL": "file:replica.db"}))
	assert.ErrorContains(t, err, "DATABASE_REPLICA_URL")
	_, err = FromEnv(get(map[string]string{"DATABASE_URL": "postgres://x@db/cg", "DATABASE_REPLICA_URL": "postgres://x@replica/cg", "DATABASE_REPLICA_STICKINESS": "soon"}))
	assert.ErrorContains(t, err, "DATABASE_REPLICA_STICKINESS")
}
