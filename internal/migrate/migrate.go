// Package migrate applies the versioned schema migrations in package migrations and writes new
// ones from the ent schema, and River's own migrations for the job tables (driven through
// rivermigrate, see river.go). It is the only code that changes the database's schema.
//
// Files are Atlas migration directories (one per dialect, each with its atlas.sum, checked
// before anything runs). Applying is this package's own small executor rather than the Atlas
// CLI: each file runs in one transaction (both databases have transactional DDL) together with
// the row that records it in schema_migrations, so a file is either wholly applied or not at
// all, and a crash mid-file leaves nothing to repair. On PostgreSQL the whole run holds a
// session advisory lock keyed by the current schema, so replicas starting together apply each
// file once and the others wait, then find nothing pending. On SQLite each file's transaction
// begins as the writer (BEGIN IMMEDIATE), with foreign-key enforcement off around it as SQLite
// requires for table rebuilds, and a foreign_key_check before commit.
package migrate

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"ariga.io/atlas/sql/migrate"
	atlaspg "ariga.io/atlas/sql/postgres"
	atlassqlite "ariga.io/atlas/sql/sqlite"
	"entgo.io/ent/dialect"

	"github.com/careergraph/careergraph/migrations"
)

// Table records the applied versions. Creating it is the one statement this package runs
// outside a migration file: it is the bookkeeping the files are counted in.
const Table = "schema_migrations"

// Command is what an operator runs to apply pending migrations; messages name it.
const Command = "careergraph migrate"

// File is one migration file.
type File struct {
	// Version is the file name's leading timestamp, e.g. "20261128143000".
	Version string
	// Name is the file name, e.g. "20261128143000_initial.sql".
	Name  string
	stmts []string
}

// BehindError reports a database whose schema lacks migrations the binary carries: its own
// files, River's (the job tables), or both.
type BehindError struct {
	Pending []File
	// River lists River's migrations the database lacks.
	River []RiverMigration
}

func (e *BehindError) Error() string {
	var what string
	switch {
	case len(e.Pending) > 0 && len(e.River) > 0:
		what = fmt.Sprintf("%d migration(s) pending, the first %s, and %d of River's (job tables)", len(e.Pending), e.Pending[0].Name, len(e.River))
	case len(e.Pending) > 0:
		what = fmt.Sprintf("%d migration(s) pending, the first %s", len(e.Pending), e.Pending[0].Name)
	default:
		what = fmt.Sprintf("River's job tables lack %d migration(s), the first River version %d (%s)", len(e.River), e.River[0].Version, e.River[0].Name)
	}
	return fmt.Sprintf("database schema is behind: %s; run `%s` (or start with MIGRATE_ON_START=true)", what, Command)
}

var cache sync.Map // dialect → []File; the embedded files never change

// Files returns the embedded migration files of a dialect in order, after checking atlas.sum.
func Files(dia string) ([]File, error) {
	if v, ok := cache.Load(dia); ok {
		return v.([]File), nil
	}
	fs, err := readEmbedded(dia)
	if err != nil {
		return nil, err
	}
	cache.Store(dia, fs)
	return fs, nil
}

func readEmbedded(dia string) ([]File, error) {
	sub, err := fs.Sub(migrations.FS, DirName(dia))
	if err != nil {
		return nil, fmt.Errorf("migrate: no migrations for %s: %w", dia, err)
	}
	mem := &migrate.MemDir{}
	defer mem.Close()
	ents, err := fs.ReadDir(sub, ".")
	if err != nil {
		return nil, fmt.Errorf("migrate: no migrations for %s: %w", dia, err)
	}
	for _, e := range ents {
		b, err := fs.ReadFile(sub, e.Name())
		if err != nil {
			return nil, err
		}
		if err := mem.WriteFile(e.Name(), b); err != nil {
			return nil, err
		}
	}
	return load(mem, dia)
}

// load checks dir's sum file and splits each file into statements as Atlas does for dia.
func load(dir migrate.Dir, dia string) ([]File, error) {
	if err := migrate.Validate(dir); err != nil {
		return nil, fmt.Errorf("migrate: %s migrations do not match their atlas.sum (run `careergraph migrate hash` after editing a file by hand): %w", dia, err)
	}
	fs, err := dir.Files()
	if err != nil {
		return nil, err
	}
	scan, err := scanner(dia)
	if err != nil {
		return nil, err
	}
	out := make([]File, 0, len(fs))
	for _, f := range fs {
		decls, err := scan.ScanStmts(string(f.Bytes()))
		if err != nil {
			return nil, fmt.Errorf("migrate: %s/%s: %w", dia, f.Name(), err)
		}
		stmts := make([]string, len(decls))
		for i, d := range decls {
			stmts[i] = d.Text
		}
		out = append(out, File{Version: f.Version(), Name: f.Name(), stmts: stmts})
	}
	return out, nil
}

// DirName is the directory of a dialect's files under migrations/: "postgres" or "sqlite".
func DirName(dia string) string {
	if dia == dialect.SQLite {
		return "sqlite"
	}
	return dia
}

func scanner(dia string) (migrate.StmtScanner, error) {
	switch dia {
	case dialect.Postgres:
		return (*atlaspg.Driver)(nil), nil
	case dialect.SQLite:
		return (*atlassqlite.Driver)(nil), nil
	}
	return nil, fmt.Errorf("migrate: unknown dialect %q", dia)
}

// Pending returns the files not yet applied to db, in order. A database with no
// schema_migrations table has every file pending.
func Pending(ctx context.Context, db *sql.DB, dia string) ([]File, error) {
	files, err := Files(dia)
	if err != nil {
		return nil, err
	}
	applied, err := appliedVersions(ctx, db, dia)
	if err != nil {
		return nil, err
	}
	var out []File
	for _, f := range files {
		if !applied[f.Version] {
			out = append(out, f)
		}
	}
	return out, nil
}

// Check returns a *BehindError when files or River's migrations are pending, nil when the
// schema is current.
func Check(ctx context.Context, db *sql.DB, dia string) error {
	p, err := Pending(ctx, db, dia)
	if err != nil {
		return err
	}
	r, err := RiverPending(ctx, db, dia)
	if err != nil {
		return err
	}
	if len(p) > 0 || len(r) > 0 {
		return &BehindError{Pending: p, River: r}
	}
	return nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func tableExists(ctx context.Context, q querier, dia, name string) (bool, error) {
	var n int
	var err error
	if dia == dialect.Postgres {
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1`, name).Scan(&n)
	} else {
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	}
	if err != nil {
		return false, fmt.Errorf("migrate: inspect tables: %w", err)
	}
	return n > 0, nil
}

func appliedVersions(ctx context.Context, q querier, dia string) (map[string]bool, error) {
	ok, err := tableExists(ctx, q, dia, Table)
	if err != nil || !ok {
		return map[string]bool{}, err
	}
	rows, err := q.QueryContext(ctx, `SELECT version FROM `+Table)
	if err != nil {
		return nil, fmt.Errorf("migrate: read %s: %w", Table, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[v] = true
	}
	return out, rows.Err()
}

// Options adjust Apply.
type Options struct {
	// Baseline, when set, records every file up to and including this version as applied
	// without running it: for a database created before versioned migrations whose schema
	// already matches those files.
	Baseline string
	// Applied, when set, is told of each file as it is applied (or baselined).
	Applied func(f File, statements int)
	// RiverApplied, when set, is told of each of River's migrations Apply ran.
	RiverApplied func(m RiverMigration)
}

// Apply applies the pending files to db in order, then River's pending migrations (see
// river.go), and returns the files it applied. See the package comment for how replicas and
// crashes are handled.
func Apply(ctx context.Context, db *sql.DB, dia string, opts Options) (applied []File, err error) {
	files, err := Files(dia)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	switch dia {
	case dialect.Postgres:
		// Keyed by schema, so that databases in other schemas (tests) do not wait for each other.
		const key = `hashtextextended('careergraph.migrate.' || current_schema(), 0)`
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+key+`)`); err != nil {
			return nil, fmt.Errorf("migrate: take the migration lock: %w", err)
		}
		defer func() {
			if _, uerr := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+key+`)`); uerr != nil {
				// The lock dies with the session; make sure the session does.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
	case dialect.SQLite:
		// Table rebuilds (how SQLite alters columns) must run with enforcement off, which can
		// only be switched outside a transaction; foreign_key_check inside each one makes up
		// for it.
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = off`); err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
		defer func() {
			if _, ferr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = on`); ferr != nil {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
				err = errors.Join(err, fmt.Errorf("migrate: restore foreign_keys: %w", ferr))
			}
		}()
	default:
		return nil, fmt.Errorf("migrate: unknown dialect %q", dia)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+Table+` (
		version VARCHAR(64) PRIMARY KEY,
		name VARCHAR(255) NOT NULL,
		applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
		return nil, fmt.Errorf("migrate: create %s: %w", Table, err)
	}
	done, err := appliedVersions(ctx, conn, dia)
	if err != nil {
		return nil, err
	}
	if len(done) == 0 && opts.Baseline == "" {
		// Tables but no record: a database from before versioned migrations. Running the first
		// file would fail half way on "already exists"; say what to do instead.
		if old, err := tableExists(ctx, conn, dia, "openings"); err != nil {
			return nil, err
		} else if old {
			return nil, fmt.Errorf("migrate: the database has careergraph tables but no %s: it was created before versioned migrations. "+
				"Start from a fresh database (for the embedded default, move careergraph.db aside), or, if its schema matches, record it with `%s --baseline %s`",
				Table, Command, files[0].Version)
		}
	}
	ins := `INSERT INTO ` + Table + ` (version, name) VALUES ($1, $2)`
	if dia == dialect.SQLite {
		ins = `INSERT INTO ` + Table + ` (version, name) VALUES (?, ?)`
	}
	for _, f := range files {
		if done[f.Version] {
			continue
		}
		baseline := opts.Baseline != "" && f.Version <= opts.Baseline
		if err := applyFile(ctx, conn, dia, f, ins, baseline); errors.Is(err, errAlreadyApplied) {
			continue
		} else if err != nil {
			return applied, err
		}
		applied = append(applied, f)
		if opts.Applied != nil {
			n := len(f.stmts)
			if baseline {
				n = 0
			}
			opts.Applied(f, n)
		}
	}
	river, err := applyRiver(ctx, db, conn, dia)
	if err != nil {
		return applied, err
	}
	if opts.RiverApplied != nil {
		for _, m := range river {
			opts.RiverApplied(m)
		}
	}
	return applied, nil
}

var errAlreadyApplied = errors.New("migrate: already applied")

func applyFile(ctx context.Context, conn *sql.Conn, dia string, f File, ins string, baseline bool) (err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %s: begin: %w", f.Name, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	// Another process may have applied it since we read the list (SQLite has no session lock).
	var n int
	q := `SELECT count(*) FROM ` + Table + ` WHERE version = $1`
	if dia == dialect.SQLite {
		q = strings.Replace(q, "$1", "?", 1)
	}
	if err := tx.QueryRowContext(ctx, q, f.Version).Scan(&n); err != nil {
		return fmt.Errorf("migrate: %s: %w", f.Name, err)
	}
	if n > 0 {
		return errAlreadyApplied
	}
	if !baseline {
		for i, s := range f.stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("migrate: %s: statement %d: %w", f.Name, i+1, err)
			}
		}
	}
	if dia == dialect.SQLite {
		rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
		if err != nil {
			return fmt.Errorf("migrate: %s: foreign_key_check: %w", f.Name, err)
		}
		bad := rows.Next()
		_ = rows.Close()
		if bad {
			return fmt.Errorf("migrate: %s leaves rows whose foreign keys point nowhere", f.Name)
		}
	}
	if _, err := tx.ExecContext(ctx, ins, f.Version, f.Name); err != nil {
		return fmt.Errorf("migrate: %s: record: %w", f.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: %s: commit: %w", f.Name, err)
	}
	return nil
}
