// Package config reads careergraph's configuration once, from the environment, into a typed
// struct with defaults, and validates it so that a bad value names its variable.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/careergraph/careergraph/internal/accounts"
	"github.com/careergraph/careergraph/internal/auth"
	"github.com/careergraph/careergraph/internal/cors"
)

// Config is everything the server needs to start. Zero values are never used: FromEnv fills
// defaults and Validate rejects what is left wrong.
type Config struct {
	// Port is the TCP port to listen on (PORT, default 8080).
	Port int
	// DatabaseURL selects the database (DATABASE_URL): postgres:// or postgresql:// for
	// PostgreSQL through lib/pq, file: or sqlite: for the embedded SQLite.
	DatabaseURL string
	// ReplicaURL, when set, is a read replica of the PostgreSQL primary DatabaseURL names
	// (DATABASE_REPLICA_URL, postgres://…): queries read from it, mutations and everything
	// after a write go to the primary (internal/database).
	ReplicaURL string
	// ReplicaStickiness is how long a client's queries keep going to the primary after its
	// own mutation, so that it reads its writes despite replication lag
	// (DATABASE_REPLICA_STICKINESS, default 5s).
	ReplicaStickiness time.Duration
	// LogLevel is debug, info, warn or error (LOG_LEVEL, default info).
	LogLevel slog.Level
	// ShutdownTimeout bounds how long in-flight requests may run after SIGTERM
	// (SHUTDOWN_TIMEOUT, default 15s).
	ShutdownTimeout time.Duration
	// Introspection allows schema introspection (GRAPHQL_INTROSPECTION, default true).
	Introspection bool
	// Playground serves the GraphQL playground at / (GRAPHQL_PLAYGROUND, default true).
	Playground bool
	// Seed loads the sample clusters into an empty database at start (SEED, default true).
	Seed bool

	// AdminEmail and AdminPassword create the first admin at start when no user has that
	// email (CAREERGRAPH_ADMIN_EMAIL, CAREERGRAPH_ADMIN_PASSWORD; both or neither). The
	// password is never logged.
	AdminEmail    string
	AdminPassword string

	// Limits protect the GraphQL endpoint; see Limits.
	Limits Limits
	// Expiry configures the sweep of stale openings.
	Expiry Expiry
	// Jobs runs the job queue (imports, the expiry sweep) in the server process (JOBS,
	// default true); false leaves them to `careergraph worker` processes.
	Jobs bool

	// RedisURL, when set, keeps rate-limit budgets and persisted queries in Redis so that
	// replicas share them (REDIS_URL, redis://…).
	RedisURL string
	// RedisKeyPrefix starts every key the server writes to Redis (REDIS_KEY_PREFIX, default
	// "careergraph:"): deployments or test runs sharing one Redis keep apart with their own.
	RedisKeyPrefix string
	// AllowlistPath names a JSON manifest of registered operations; when set, only those are
	// accepted (GRAPHQL_ALLOWLIST).
	AllowlistPath string
	// CORSOrigins are the browser origins allowed to call the API (CORS_ORIGINS, comma
	// separated; empty: no cross-origin access).
	CORSOrigins []string

	// TrustedProxies are the networks of the reverse proxies in front of the server
	// (TRUSTED_PROXIES: comma-separated CIDRs or addresses; default none). Only requests whose
	// TCP peer is in one of them have their Forwarded / X-Forwarded-For headers believed.
	TrustedProxies []netip.Prefix
	// APITokenMaxLifetime is the longest a service token may be made to live
	// (API_TOKEN_MAX_LIFETIME, default 8760h: a year).
	APITokenMaxLifetime time.Duration
	// Caches bound the query caches in bytes; see Caches.
	Caches Caches

	// MigrateOnStart applies pending migrations at start, under the migration lock
	// (MIGRATE_ON_START). Default: true for the embedded SQLite, so that `go run .` works on
	// a fresh machine; false for PostgreSQL, where migrating is a release step
	// (`careergraph migrate`) and a replica whose schema is behind refuses to start.
	MigrateOnStart bool
	// MatchIndexImages makes the server store images of its match index in the database and
	// start from the newest (MATCH_INDEX_IMAGES, default true; internal/matching/images.go). At
	// a million openings an image is about 34 MB, written at most every five minutes across a
	// fleet; false turns both off, and every replica builds its index from the tables.
	MatchIndexImages bool
	// MetricsAddr, when set, serves Prometheus metrics at /metrics on this address, a
	// listener of its own, never the public port (METRICS_ADDR, e.g. 127.0.0.1:9090; default
	// off).
	MetricsAddr string
	// Tracing sends OpenTelemetry traces over OTLP/HTTP, configured by the standard OTEL_*
	// variables: on when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is
	// set, off when neither is, or OTEL_SDK_DISABLED=true, or OTEL_TRACES_EXPORTER=none.
	Tracing bool
	// DebugAddr, when set, serves net/http/pprof on this address, on a listener of its own
	// (DEBUG_ADDR, such as 127.0.0.1:6060; default off). It is never served on the public
	// port: bind it to loopback or a private interface.
	DebugAddr string
}

// Caches are the byte bounds of what clients can make the server keep: persisted queries
// (APQ) and parsed documents, and the operation name that is logged with every request.
type Caches struct {
	// APQMaxQueryBytes is the largest document a client may persist (APQ_MAX_QUERY_BYTES,
	// 65536); a larger one is refused with PERSISTED_QUERY_TOO_LARGE.
	APQMaxQueryBytes int
	// APQCacheBytes is the total size of the persisted queries kept, in process or in Redis
	// (APQ_CACHE_BYTES, 16 MiB).
	APQCacheBytes int64
	// QueryCacheBytes is the estimated total size of the parsed documents kept in process
	// (QUERY_CACHE_BYTES, 32 MiB).
	QueryCacheBytes int64
	// MaxOperationNameBytes is the longest operationName accepted (MAX_OPERATION_NAME_BYTES,
	// 100).
	MaxOperationNameBytes int
	// ResponseTTL is how long an anonymous query's response may be served again while no
	// write is announced (RESPONSE_CACHE_TTL, 1s; 0 turns the response cache off; at most
	// 1m). See internal/respcache.
	ResponseTTL time.Duration
	// ResponseCacheBytes bounds the responses kept (RESPONSE_CACHE_BYTES, 32 MiB).
	ResponseCacheBytes int64
}

// DefaultCaches are the cache bounds used for variables left unset.
var DefaultCaches = Caches{
	APQMaxQueryBytes:      64 << 10,
	APQCacheBytes:         16 << 20,
	QueryCacheBytes:       32 << 20,
	MaxOperationNameBytes: 100,
	ResponseTTL:           time.Second,
	ResponseCacheBytes:    32 << 20,
}

// DefaultAPITokenMaxLifetime is API_TOKEN_MAX_LIFETIME's default: a year, the accounts
// service's own default.
const DefaultAPITokenMaxLifetime = accounts.DefaultTokenMaxLifetime

// Limits are the protection limits, each with its variable and default (see README).
type Limits struct {
	MaxBodyBytes  int64 // MAX_BODY_BYTES, 1048576
	MaxDepth      int   // MAX_DEPTH, 15
	MaxAliases    int   // MAX_ALIASES, 30
	MaxRootFields int   // MAX_ROOT_FIELDS, 20
	MaxCost       int   // MAX_COST, 50000
	// MaxTokens and MaxSelections bound a document before it is validated.
	MaxTokens     int // MAX_TOKENS, 5000
	MaxSelections int // MAX_SELECTIONS, 1000
	// MaxFilterTerms and MaxFilterDepth bound each `where` argument.
	MaxFilterTerms int           // MAX_FILTER_TERMS, 100
	MaxFilterDepth int           // MAX_FILTER_DEPTH, 8
	RequestTimeout time.Duration // REQUEST_TIMEOUT, 10s
	// RatePoints is the budget per RateWindow per token (per IP when anonymous).
	RatePoints int           // RATE_LIMIT_POINTS, 1000
	RateWindow time.Duration // RATE_LIMIT_WINDOW, 1m
	// MaxSubscriptions bounds the subscriptions one WebSocket runs at once
	// (LIVE_MAX_SUBSCRIPTIONS, 10); MaxLiveConnections the WebSocket and SSE connections one
	// client holds open (LIVE_MAX_CONNECTIONS, 8). 0: the default.
	MaxSubscriptions   int
	MaxLiveConnections int
	// MaxUploadBytes bounds a whole multipart (file upload) request; UploadMemoryBytes is how
	// much of one is held in memory before the rest goes to a temporary file; MaxUploadFiles
	// bounds the files in one request.
	MaxUploadBytes    int64 // MAX_UPLOAD_BYTES, 33554432
	UploadMemoryBytes int64 // UPLOAD_MEMORY_BYTES, 4194304
	MaxUploadFiles    int   // MAX_UPLOAD_FILES, 1
}

// Expiry configures the sweep that expires stale openings (internal/expiry).
type Expiry struct {
	// OpeningValidity is how long an opening without validThrough stays live after it was
	// posted. OPENING_DEFAULT_VALIDITY, default 1440h (60 days).
	OpeningValidity time.Duration
	// SweepInterval is how often the job queue runs the sweep. EXPIRY_SWEEP_INTERVAL, default 5m.
	SweepInterval time.Duration
}

// DefaultLimits are the limits used for variables left unset.
var DefaultLimits = Limits{
	MaxBodyBytes:   1 << 20,
	MaxDepth:       15,
	MaxAliases:     30,
	MaxRootFields:  20,
	MaxCost:        50_000,
	MaxTokens:      5000,
	MaxSelections:  1000,
	MaxFilterTerms: 100,
	MaxFilterDepth: 8,
	RequestTimeout: 10 * time.Second,
	RatePoints:     1000,
	RateWindow:     time.Minute,
	// An upload is a feed document (importUpload), stored in the database until its import
	// ends: 32 MiB is some 40,000 postings.
	MaxUploadBytes:    32 << 20,
	UploadMemoryBytes: 4 << 20,
	MaxUploadFiles:    1,
}

// DefaultReplicaStickiness is DATABASE_REPLICA_STICKINESS's default: a client's queries go
// to the primary for this long after its own mutation.
const DefaultReplicaStickiness = 5 * time.Second

// DefaultDatabaseURL is the embedded SQLite file used when DATABASE_URL is unset.
const DefaultDatabaseURL = "file:careergraph.db"

// FromEnv builds a Config from getenv (os.Getenv in production, a map in tests).
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Port:            8080,
		DatabaseURL:     DefaultDatabaseURL,
		LogLevel:        slog.LevelInfo,
		ShutdownTimeout: 15 * time.Second,
		Introspection:   true,
		Playground:      true,
		Seed:            true,
		Jobs:            true,
		Limits:          DefaultLimits,
		Caches:          DefaultCaches,

		APITokenMaxLifetime: DefaultAPITokenMaxLifetime,
		Expiry:              Expiry{OpeningValidity: 60 * 24 * time.Hour, SweepInterval: 5 * time.Minute},
	}
	var errs []string
	bad := func(name, value, want string) {
		errs = append(errs, fmt.Sprintf("%s=%q: %s", name, value, want))
	}
	if v := getenv("PORT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			bad("PORT", v, "want a port number from 1 to 65535")
		}
		c.Port = n
	}
	if v := strings.TrimSpace(getenv("DATABASE_URL")); v != "" {
		c.DatabaseURL = v
	}
	c.ReplicaURL = strings.TrimSpace(getenv("DATABASE_REPLICA_URL"))
	c.ReplicaStickiness = DefaultReplicaStickiness
	if v := getenv("DATABASE_REPLICA_STICKINESS"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			bad("DATABASE_REPLICA_STICKINESS", v, "want a duration such as 5s (0: no stickiness)")
		}
		c.ReplicaStickiness = d
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			bad("LOG_LEVEL", v, "want debug, info, warn or error")
		}
	}
	if v := getenv("SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			bad("SHUTDOWN_TIMEOUT", v, "want a positive duration such as 15s")
		}
		c.ShutdownTimeout = d
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"GRAPHQL_INTROSPECTION", &c.Introspection}, {"GRAPHQL_PLAYGROUND", &c.Playground}, {"SEED", &c.Seed}, {"JOBS", &c.Jobs}} {
		if v := getenv(b.name); v != "" {
			x, err := strconv.ParseBool(v)
			if err != nil {
				bad(b.name, v, "want true or false")
			}
			*b.dst = x
		}
	}
	for _, n := range []struct {
		name string
		dst  *int
	}{{"MAX_DEPTH", &c.Limits.MaxDepth}, {"MAX_ALIASES", &c.Limits.MaxAliases}, {"MAX_ROOT_FIELDS", &c.Limits.MaxRootFields},
		{"MAX_COST", &c.Limits.MaxCost}, {"RATE_LIMIT_POINTS", &c.Limits.RatePoints},
		{"MAX_TOKENS", &c.Limits.MaxTokens}, {"MAX_SELECTIONS", &c.Limits.MaxSelections},
		{"MAX_FILTER_TERMS", &c.Limits.MaxFilterTerms}, {"MAX_FILTER_DEPTH", &c.Limits.MaxFilterDepth},
		{"LIVE_MAX_SUBSCRIPTIONS", &c.Limits.MaxSubscriptions}, {"LIVE_MAX_CONNECTIONS", &c.Limits.MaxLiveConnections},
		{"MAX_UPLOAD_FILES", &c.Limits.MaxUploadFiles}} {
		if v := getenv(n.name); v != "" {
			x, err := strconv.Atoi(v)
			if err != nil || x < 1 {
				bad(n.name, v, "want a positive whole number")
			}
			*n.dst = x
		}
	}
	if v := getenv("MAX_BODY_BYTES"); v != "" {
		x, err := strconv.ParseInt(v, 10, 64)
		if err != nil || x < 1024 {
			bad("MAX_BODY_BYTES", v, "want a number of bytes, at least 1024")
		}
		c.Limits.MaxBodyBytes = x
	}
	for _, n := range []struct {
		name string
		dst  *int64
	}{{"MAX_UPLOAD_BYTES", &c.Limits.MaxUploadBytes}, {"UPLOAD_MEMORY_BYTES", &c.Limits.UploadMemoryBytes}} {
		if v := getenv(n.name); v != "" {
			x, err := strconv.ParseInt(v, 10, 64)
			if err != nil || x < 1024 {
				bad(n.name, v, "want a number of bytes, at least 1024")
			}
			*n.dst = x
		}
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"REQUEST_TIMEOUT", &c.Limits.RequestTimeout}, {"RATE_LIMIT_WINDOW", &c.Limits.RateWindow},
		{"OPENING_DEFAULT_VALIDITY", &c.Expiry.OpeningValidity}, {"EXPIRY_SWEEP_INTERVAL", &c.Expiry.SweepInterval}} {
		if v := getenv(d.name); v != "" {
			x, err := time.ParseDuration(v)
			if err != nil || x < time.Millisecond {
				bad(d.name, v, "want a positive duration such as 10s")
			}
			*d.dst = x
		}
	}
	c.RedisURL = strings.TrimSpace(getenv("REDIS_URL"))
	c.RedisKeyPrefix = "careergraph:"
	if v := getenv("REDIS_KEY_PREFIX"); v != "" {
		c.RedisKeyPrefix = v
	}
	c.AllowlistPath = strings.TrimSpace(getenv("GRAPHQL_ALLOWLIST"))
	if v := getenv("CORS_ORIGINS"); strings.TrimSpace(v) != "" {
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o != "" {
				c.CORSOrigins = append(c.CORSOrigins, o)
			}
		}
	}
	if v := getenv("TRUSTED_PROXIES"); strings.TrimSpace(v) != "" {
		ps, err := ParseTrustedProxies(v)
		if err != nil {
			bad("TRUSTED_PROXIES", v, err.Error())
		}
		c.TrustedProxies = ps
	}
	if v := getenv("API_TOKEN_MAX_LIFETIME"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Hour {
			bad("API_TOKEN_MAX_LIFETIME", v, "want a duration of at least 1h, such as 8760h for a year")
		}
		c.APITokenMaxLifetime = d
	}
	for _, n := range []struct {
		name string
		dst  *int64
	}{{"APQ_CACHE_BYTES", &c.Caches.APQCacheBytes}, {"QUERY_CACHE_BYTES", &c.Caches.QueryCacheBytes}, {"RESPONSE_CACHE_BYTES", &c.Caches.ResponseCacheBytes}} {
		if v := getenv(n.name); v != "" {
			x, err := strconv.ParseInt(v, 10, 64)
			if err != nil || x < 1<<16 {
				bad(n.name, v, "want a number of bytes, at least 65536")
			}
			*n.dst = x
		}
	}
	for _, n := range []struct {
		name string
		dst  *int
	}{{"APQ_MAX_QUERY_BYTES", &c.Caches.APQMaxQueryBytes}, {"MAX_OPERATION_NAME_BYTES", &c.Caches.MaxOperationNameBytes}} {
		if v := getenv(n.name); v != "" {
			x, err := strconv.Atoi(v)
			if err != nil || x < 1 {
				bad(n.name, v, "want a positive number of bytes")
			}
			*n.dst = x
		}
	}
	if v := getenv("RESPONSE_CACHE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > time.Minute {
			bad("RESPONSE_CACHE_TTL", v, "want a duration from 0 (off) to 1m, such as 1s")
		}
		c.Caches.ResponseTTL = d
	}
	c.DebugAddr = strings.TrimSpace(getenv("DEBUG_ADDR"))
	c.AdminEmail = strings.TrimSpace(getenv("CAREERGRAPH_ADMIN_EMAIL"))
	c.AdminPassword = getenv("CAREERGRAPH_ADMIN_PASSWORD")
	if kind, _, err := ParseDatabaseURL(c.DatabaseURL); err == nil {
		c.MigrateOnStart = kind == SQLite
	}
	if v := getenv("MIGRATE_ON_START"); v != "" {
		x, err := strconv.ParseBool(v)
		if err != nil {
			bad("MIGRATE_ON_START", v, "want true or false")
		}
		c.MigrateOnStart = x
	}
	c.MatchIndexImages = true
	if v := getenv("MATCH_INDEX_IMAGES"); v != "" {
		x, err := strconv.ParseBool(v)
		if err != nil {
			bad("MATCH_INDEX_IMAGES", v, "want true or false")
		}
		c.MatchIndexImages = x
	}
	c.MetricsAddr = strings.TrimSpace(getenv("METRICS_ADDR"))
	c.Tracing = !strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") && !strings.EqualFold(getenv("OTEL_TRACES_EXPORTER"), "none") &&
		(getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "")
	if len(errs) > 0 {
		return c, fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	return c, c.Validate()
}

// Validate reports the first setting that cannot work, naming its variable.
func (c Config) Validate() error {
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("config: PORT=%d: want a port number from 1 to 65535", c.Port)
	}
	if _, _, err := ParseDatabaseURL(c.DatabaseURL); err != nil {
		return fmt.Errorf("config: DATABASE_URL: %w", err)
	}
	if c.ReplicaURL != "" {
		kind, _, err := ParseDatabaseURL(c.ReplicaURL)
		if err != nil {
			return fmt.Errorf("config: DATABASE_REPLICA_URL: %w", err)
		}
		if primary, _, _ := ParseDatabaseURL(c.DatabaseURL); kind != Postgres || primary != Postgres {
			return errors.New("config: DATABASE_REPLICA_URL: a read replica needs PostgreSQL, both in DATABASE_URL and in DATABASE_REPLICA_URL (postgres://…)")
		}
	}
	if c.ShutdownTimeout <= 0 {
		return fmt.Errorf("config: SHUTDOWN_TIMEOUT=%s: want a positive duration", c.ShutdownTimeout)
	}
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("config: METRICS_ADDR=%q: want host:port, e.g. 127.0.0.1:9090: %w", c.MetricsAddr, err)
		} else if p, err := strconv.Atoi(port); err != nil || p == c.Port {
			return fmt.Errorf("config: METRICS_ADDR=%q: want a port of its own, not PORT=%d (metrics are never served on the public port)", c.MetricsAddr, c.Port)
		}
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		return errors.New("config: CAREERGRAPH_ADMIN_EMAIL and CAREERGRAPH_ADMIN_PASSWORD: set both to create the first admin, or neither")
	}
	if c.AdminEmail != "" {
		if !strings.Contains(c.AdminEmail, "@") {
			return fmt.Errorf("config: CAREERGRAPH_ADMIN_EMAIL=%q: want an email address", c.AdminEmail)
		}
		// The password itself is never echoed.
		if err := auth.ValidatePassword(c.AdminPassword); err != nil {
			return fmt.Errorf("config: CAREERGRAPH_ADMIN_PASSWORD: %v", err)
		}
	}
	// Below these the standard introspection query (about 200 tokens, 226 selections), which
	// GraphiQL sends, would be refused.
	for _, l := range []struct {
		name     string
		v, least int
	}{{"MAX_TOKENS", c.Limits.MaxTokens, 500}, {"MAX_SELECTIONS", c.Limits.MaxSelections, 250},
		{"MAX_FILTER_TERMS", c.Limits.MaxFilterTerms, 1}, {"MAX_FILTER_DEPTH", c.Limits.MaxFilterDepth, 1}} {
		if l.v < l.least {
			return fmt.Errorf("config: %s=%d: want at least %d", l.name, l.v, l.least)
		}
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		return fmt.Errorf("config: REDIS_URL=%q: want a redis:// or rediss:// URL", redact(c.RedisURL))
	}
	if err := cors.ValidateOrigins(c.CORSOrigins); err != nil {
		return fmt.Errorf("config: CORS_ORIGINS: %w", err)
	}
	for _, p := range c.TrustedProxies {
		if !p.IsValid() {
			return fmt.Errorf("config: TRUSTED_PROXIES: %q is not a network", p)
		}
	}
	if c.APITokenMaxLifetime < time.Hour {
		return fmt.Errorf("config: API_TOKEN_MAX_LIFETIME=%s: want at least 1h", c.APITokenMaxLifetime)
	}
	cc := c.Caches
	switch {
	case cc.APQMaxQueryBytes < 1:
		return fmt.Errorf("config: APQ_MAX_QUERY_BYTES=%d: want a positive number of bytes", cc.APQMaxQueryBytes)
	case int64(cc.APQMaxQueryBytes) > cc.APQCacheBytes/4:
		return fmt.Errorf("config: APQ_MAX_QUERY_BYTES=%d: want at most a quarter of APQ_CACHE_BYTES (%d), or one document could push out the rest", cc.APQMaxQueryBytes, cc.APQCacheBytes)
	case cc.QueryCacheBytes < 1<<16:
		return fmt.Errorf("config: QUERY_CACHE_BYTES=%d: want at least 65536", cc.QueryCacheBytes)
	case cc.MaxOperationNameBytes < 1:
		return fmt.Errorf("config: MAX_OPERATION_NAME_BYTES=%d: want a positive number of bytes", cc.MaxOperationNameBytes)
	}
	if c.DebugAddr != "" {
		// Any host, any port but PORT: the profiler must not share the public listener.
		_, port, err := net.SplitHostPort(c.DebugAddr)
		n, perr := strconv.Atoi(port)
		if err != nil || perr != nil || n < 1 || n > 65535 {
			return fmt.Errorf("config: DEBUG_ADDR=%q: want host:port, such as 127.0.0.1:6060", c.DebugAddr)
		}
		if n == c.Port {
			return fmt.Errorf("config: DEBUG_ADDR=%q: the profiler needs a port of its own, not PORT=%d", c.DebugAddr, c.Port)
		}
	}
	return nil
}

// ParseTrustedProxies reads TRUSTED_PROXIES: comma-separated CIDRs ("10.0.0.0/8",
// "2001:db8::/32") or single addresses (taken as /32 or /128).
func ParseTrustedProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if strings.Contains(part, "/") {
			p, err := netip.ParsePrefix(part)
			if err != nil {
				return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or 2001:db8::/32", part)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a CIDR nor an IP address", part)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Database kinds ParseDatabaseURL recognises.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// ParseDatabaseURL tells which database a URL selects and returns the data source name for its
// driver: the URL itself for lib/pq, a modernc file: DSN with the pragmas ent needs for SQLite.
func ParseDatabaseURL(raw string) (kind, dsn string, err error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return Postgres, raw, nil
	case strings.HasPrefix(raw, "sqlite:"), strings.HasPrefix(raw, "file:"):
		path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "file:")
		path = strings.TrimPrefix(path, "//")
		if path == "" || strings.HasPrefix(path, "?") {
			return "", "", fmt.Errorf("%q names no file: want file:careergraph.db or sqlite:/path/to.db", raw)
		}
		return SQLite, sqliteDSN(path), nil
	default:
		return "", "", fmt.Errorf("%q: want a postgres:// URL for PostgreSQL or a file: or sqlite: URL for SQLite", redact(raw))
	}
}

// sqliteDSN adds the pragmas ent's migration and concurrent requests need, keeping any the
// caller set.
func sqliteDSN(path string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	dsn := "file:" + path
	for _, p := range []string{"foreign_keys(1)", "busy_timeout(5000)", "journal_mode(WAL)", "synchronous(NORMAL)"} {
		name := p[:strings.IndexByte(p, '(')]
		if strings.Contains(path, "_pragma="+name) {
			continue
		}
		dsn += sep + "_pragma=" + p
		sep = "&"
	}
	// Transactions begin as the (single) writer, BEGIN IMMEDIATE: one that began as a reader
	// and then writes fails at once with SQLITE_BUSY when another writer got in first, which
	// busy_timeout cannot wait out. Concurrent mutations now queue at BEGIN instead.
	if !strings.Contains(path, "_txlock=") {
		dsn += sep + "_txlock=immediate"
	}
	return dsn
}

// redact drops a password from a URL-looking string before it goes into an error message.
func redact(raw string) string {
	at := strings.LastIndexByte(raw, '@')
	scheme := strings.Index(raw, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return raw
	}
	return raw[:scheme+3] + "…@" + raw[at+1:]
}
