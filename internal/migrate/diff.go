package migrate

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"

	entmigrate "github.com/careergraph/careergraph/ent/migrate"
)

// DefaultDevURL is the PostgreSQL server `migrate diff` borrows a throwaway schema from when
// DEV_DATABASE_URL is unset: the one every project machine runs.
const DefaultDevURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Dialects are the databases with a migration directory, in the order commands treat them.
var Dialects = []string{dialect.Postgres, dialect.SQLite}

// Diff writes the next migration file of dialect dia into the Atlas directory at path: the
// statements that take a database with every file in path applied to the current ent schema.
// It replays the directory on a clean dev database (an in-memory SQLite, or a throwaway schema
// on the PostgreSQL server at devURL, dropped afterwards) and lets ent and Atlas plan the rest.
// It returns the names of the files it wrote (none when the files already match), and updates
// atlas.sum when it writes.
func Diff(ctx context.Context, dia, devURL, path, name string) ([]string, error) {
	// ent's planner writes to the package-level table descriptions in ent/migrate; two plans
	// at once (parallel tests) would race on them.
	diffMu.Lock()
	defer diffMu.Unlock()
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, err
	}
	dir, err := migrate.NewLocalDir(path)
	if err != nil {
		return nil, err
	}
	before, err := names(path)
	if err != nil {
		return nil, err
	}
	if len(before) > 0 { // an empty directory (the very first diff) has no sum yet
		if _, err := load(dir, dia); err != nil {
			return nil, err
		}
	}
	opts := []schema.MigrateOption{
		schema.WithDir(dir),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dia),
		schema.WithFormatter(migrate.DefaultFormatter),
	}
	switch dia {
	case dialect.SQLite:
		// One connection: each connection to an in-memory database is a database of its own.
		pool, err := sql.Open("sqlite", "file:careergraph-dev?mode=memory&_pragma=foreign_keys(1)")
		if err != nil {
			return nil, err
		}
		defer pool.Close()
		pool.SetMaxOpenConns(1)
		err = entmigrate.NewSchema(entsql.OpenDB(dia, pool)).NamedDiff(ctx, name, opts...)
		if err != nil {
			return nil, fmt.Errorf("migrate diff %s: %w", dia, err)
		}
	case dialect.Postgres:
		// Through a URL whose search_path names the throwaway schema, so that Atlas binds the
		// connection to that schema and writes statements without a schema qualifier.
		u, cleanup, err := devSchema(ctx, devURL)
		if err != nil {
			return nil, err
		}
		defer cleanup()
		if err := entmigrate.NamedDiff(ctx, u, name, opts...); err != nil {
			return nil, fmt.Errorf("migrate diff %s: %w", dia, err)
		}
	default:
		return nil, errors.New("migrate: unknown dialect " + dia)
	}
	after, err := names(path)
	if err != nil {
		return nil, err
	}
	var added []string
	for n := range after {
		if !before[n] {
			added = append(added, n)
		}
	}
	sort.Strings(added)
	return added, nil
}

var diffMu sync.Mutex

// Stale reports, for each dialect, the migration a `migrate diff` would write now, by running
// it on a copy of the directory under root: an empty result means the files match the ent
// schema. CI fails on anything it returns.
func Stale(ctx context.Context, root, devURL string) (map[string]string, error) {
	out := map[string]string{}
	for _, dia := range Dialects {
		tmp, err := os.MkdirTemp("", "careergraph-migrate-check-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		src := filepath.Join(root, DirName(dia))
		ents, err := os.ReadDir(src)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(filepath.Join(tmp, e.Name()), b, 0o644); err != nil {
				return nil, err
			}
		}
		added, err := Diff(ctx, dia, devURL, tmp, "check")
		if err != nil {
			return nil, err
		}
		for _, n := range added {
			b, err := os.ReadFile(filepath.Join(tmp, n))
			if err != nil {
				return nil, err
			}
			out[dia] += string(b)
		}
	}
	return out, nil
}

// Hash rewrites the atlas.sum of each dialect's directory under root, after a file was added
// or edited by hand.
func Hash(root string) error {
	for _, dia := range Dialects {
		dir, err := migrate.NewLocalDir(filepath.Join(root, DirName(dia)))
		if err != nil {
			return err
		}
		sum, err := dir.Checksum()
		if err != nil {
			return err
		}
		if err := migrate.WriteSumFile(dir, sum); err != nil {
			return err
		}
	}
	return nil
}

func names(path string) (map[string]bool, error) {
	ents, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	m := map[string]bool{}
	for _, e := range ents {
		m[e.Name()] = true
	}
	return m, nil
}

// devSchema creates a throwaway schema on the PostgreSQL server at devURL and returns a URL
// bound to it, and a function that drops it.
func devSchema(ctx context.Context, devURL string) (string, func(), error) {
	if devURL == "" {
		devURL = DefaultDevURL
	}
	admin, err := sql.Open("postgres", devURL)
	if err != nil {
		return "", nil, fmt.Errorf("DEV_DATABASE_URL: %w", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "cgdev_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+name); err != nil {
		_ = admin.Close()
		return "", nil, fmt.Errorf("DEV_DATABASE_URL: PostgreSQL is needed to plan its migrations (a throwaway schema is created and dropped): %w", err)
	}
	drop := func() {
		_, _ = admin.Exec(`DROP SCHEMA ` + name + ` CASCADE`)
		_ = admin.Close()
	}
	u, err := url.Parse(devURL)
	if err != nil {
		drop()
		return "", nil, fmt.Errorf("DEV_DATABASE_URL: %w", err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}
