package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"entgo.io/ent/dialect"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// River's job tables (internal/jobs) come from River's own migrations, which River ships in
// its module: they are driven through rivermigrate, never copied into migrations/. They are
// the second half of every Apply (under the same lock) and of every Check, so a database whose River tables are behind the binary's
// River refuses to serve like one whose own files are behind.

// RiverMigration is one of River's migrations, as Apply reports it.
type RiverMigration struct {
	Version int
	Name    string
}

func riverMigrator(db *sql.DB, dia string) (*rivermigrate.Migrator[*sql.Tx], error) {
	var drv riverdriver.Driver[*sql.Tx]
	switch dia {
	case dialect.Postgres:
		drv = riverdatabasesql.New(db)
	case dialect.SQLite:
		drv = riversqlite.New(db)
	default:
		return nil, fmt.Errorf("migrate: no River driver for %q", dia)
	}
	m, err := rivermigrate.New(drv, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, fmt.Errorf("migrate: River: %w", err)
	}
	return m, nil
}

// RiverPending returns River's migrations that the database lacks, in order.
func RiverPending(ctx context.Context, db *sql.DB, dia string) ([]RiverMigration, error) {
	m, err := riverMigrator(db, dia)
	if err != nil {
		return nil, err
	}
	have, err := m.ExistingVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: River: read applied versions: %w", err)
	}
	done := make(map[int]bool, len(have))
	for _, v := range have {
		done[v.Version] = true
	}
	var out []RiverMigration
	for _, v := range m.AllVersions() {
		if !done[v.Version] {
			out = append(out, RiverMigration{Version: v.Version, Name: v.Name})
		}
	}
	return out, nil
}

// applyRiver brings River's tables up to date. On PostgreSQL, Apply's caller holds the
// migration lock on conn, so no other process migrates meanwhile, and River runs each of its
// migrations in a transaction of its own on the pool (one transaction for all of them is not
// possible: a later one uses an enum value an earlier one adds, which PostgreSQL refuses
// within the transaction that added it). SQLite has no session lock: there all of River's
// pending migrations run in one transaction on conn, which begins as the writer, so two
// processes cannot run the same one at once.
func applyRiver(ctx context.Context, db *sql.DB, conn *sql.Conn, dia string) (_ []RiverMigration, err error) {
	m, err := riverMigrator(db, dia)
	if err != nil {
		return nil, err
	}
	if dia == dialect.Postgres {
		res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err != nil {
			return nil, fmt.Errorf("migrate: River: %w", err)
		}
		return riverVersions(res), nil
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("migrate: River: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	res, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, fmt.Errorf("migrate: River: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("migrate: River: commit: %w", err)
	}
	return riverVersions(res), nil
}

func riverVersions(res *rivermigrate.MigrateResult) []RiverMigration {
	out := make([]RiverMigration, len(res.Versions))
	for i, v := range res.Versions {
		out[i] = RiverMigration{Version: v.Version, Name: v.Name}
	}
	return out
}
