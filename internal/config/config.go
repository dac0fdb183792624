// Package config reads careergraph's configuration once, from the environment, into a typed
// struct with defaults, and validates it so that a bad value names its variable.
package config

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
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
