package search

import (
	"context"
	"database/sql"
	"fmt"

	"entgo.io/ent/dialect"
)

// EnsureIndex creates the full-text index ent's migration cannot express, idempotently:
// on PostgreSQL a generated tsvector column over openings.search_text with a GIN index; on SQLite
// an external-content FTS5 table kept in step with openings by triggers. ent's migration leaves
// both alone (it drops no columns, indexes or tables it does not know).
func EnsureIndex(ctx context.Context, db *sql.DB, dia string) error {
	var stmts []string
	switch dia {
	case dialect.Postgres:
		stmts = []string{
			`ALTER TABLE openings ADD COLUMN IF NOT EXISTS search_vector tsvector
				GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED`,
			`CREATE INDEX IF NOT EXISTS openings_search_vector ON openings USING GIN (search_vector)`,
		}
	case dialect.SQLite:
		stmts = []string{
			`CREATE VIRTUAL TABLE IF NOT EXISTS openings_fts USING fts5(search_text, content='openings', content_rowid='id', tokenize='unicode61')`,
			`CREATE TRIGGER IF NOT EXISTS openings_fts_insert AFTER INSERT ON openings BEGIN
				INSERT INTO openings_fts(rowid, search_text) VALUES (new.id, new.search_text); END`,
			`CREATE TRIGGER IF NOT EXISTS openings_fts_delete AFTER DELETE ON openings BEGIN
				INSERT INTO openings_fts(openings_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END`,
			`CREATE TRIGGER IF NOT EXISTS openings_fts_update AFTER UPDATE OF search_text ON openings BEGIN
				INSERT INTO openings_fts(openings_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
				INSERT INTO openings_fts(rowid, search_text) VALUES (new.id, new.search_text); END`,
		}
	default:
		return fmt.Errorf("search: no full-text index for dialect %q", dia)
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("search: create index: %w", err)
		}
	}
	return nil
}
