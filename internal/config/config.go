// Package config reads careergraph's configuration once, from the environment, into a typed
// struct with defaults, and validates it so that a bad value names its variable.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

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

	// RedisURL, when set, keeps rate-limit budgets and persisted queries in Redis so that
	// replicas share them (REDIS_URL, redis://…).
	RedisURL string
	// AllowlistPath names a JSON manifest of registered operations; when set, only those are
	// accepted (GRAPHQL_ALLOWLIST).
	AllowlistPath string
	// CORSOrigins are the browser origins allowed to call the API (CORS_ORIGINS, comma
	// separated; empty: no cross-origin access).
	CORSOrigins []string
	// DebugAddr, when set, serves net/http/pprof on this address, on a listener of its own
	// (DEBUG_ADDR, such as 127.0.0.1:6060; default off). It is never served on the public
	// port: bind it to loopback or a private interface.
	DebugAddr string
}

// Limits are the protection limits, each with its variable and default (see README).
type Limits struct {
	MaxBodyBytes   int64         // MAX_BODY_BYTES, 1048576
	MaxDepth       int           // MAX_DEPTH, 15
	MaxAliases     int           // MAX_ALIASES, 30
	MaxRootFields  int           // MAX_ROOT_FIELDS, 20
	MaxCost        int           // MAX_COST, 50000
	RequestTimeout time.Duration // REQUEST_TIMEOUT, 10s
	// RatePoints is the budget per RateWindow per token (per IP when anonymous).
	RatePoints int           // RATE_LIMIT_POINTS, 1000
	RateWindow time.Duration // RATE_LIMIT_WINDOW, 1m
}

// DefaultLimits are the limits used for variables left unset.
var DefaultLimits = Limits{
	MaxBodyBytes:   1 << 20,
	MaxDepth:       15,
	MaxAliases:     30,
	MaxRootFields:  20,
	MaxCost:        50_000,
	RequestTimeout: 10 * time.Second,
	RatePoints:     1000,
	RateWindow:     time.Minute,
}

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
		Limits:          DefaultLimits,
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
	}{{"GRAPHQL_INTROSPECTION", &c.Introspection}, {"GRAPHQL_PLAYGROUND", &c.Playground}, {"SEED", &c.Seed}} {
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
		{"MAX_COST", &c.Limits.MaxCost}, {"RATE_LIMIT_POINTS", &c.Limits.RatePoints}} {
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
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"REQUEST_TIMEOUT", &c.Limits.RequestTimeout}, {"RATE_LIMIT_WINDOW", &c.Limits.RateWindow}} {
		if v := getenv(d.name); v != "" {
			x, err := time.ParseDuration(v)
			if err != nil || x < time.Millisecond {
				bad(d.name, v, "want a positive duration such as 10s")
			}
			*d.dst = x
		}
	}
	c.RedisURL = strings.TrimSpace(getenv("REDIS_URL"))
	c.AllowlistPath = strings.TrimSpace(getenv("GRAPHQL_ALLOWLIST"))
	if v := getenv("CORS_ORIGINS"); strings.TrimSpace(v) != "" {
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o != "" {
				c.CORSOrigins = append(c.CORSOrigins, o)
			}
		}
	}
	c.DebugAddr = strings.TrimSpace(getenv("DEBUG_ADDR"))
	c.AdminEmail = strings.TrimSpace(getenv("CAREERGRAPH_ADMIN_EMAIL"))
	c.AdminPassword = getenv("CAREERGRAPH_ADMIN_PASSWORD")
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
	if c.ShutdownTimeout <= 0 {
		return fmt.Errorf("config: SHUTDOWN_TIMEOUT=%s: want a positive duration", c.ShutdownTimeout)
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
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		return fmt.Errorf("config: REDIS_URL=%q: want a redis:// or rediss:// URL", redact(c.RedisURL))
	}
	if err := cors.ValidateOrigins(c.CORSOrigins); err != nil {
		return fmt.Errorf("config: CORS_ORIGINS: %w", err)
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
