package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

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
		// Besides the document's words, the vector carries the opening's status, location and
		// role as tokens (FilterTokens), so that a search with those filters narrows in the GIN
		// index alone instead of and-ing it with large b-tree bitmaps. Older databases whose
		// column lacks them get it rebuilt once.
		var expr string
		err := db.QueryRowContext(ctx, `SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
			JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
			WHERE d.adrelid = 'openings'::regclass AND a.attname = 'search_vector'`).Scan(&expr)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("search: inspect index: %w", err)
		}
		// An unclassified opening has no role: the role token must not turn the vector NULL.
		if err == nil && (!strings.Contains(expr, tokenStatus) || !strings.Contains(strings.ToLower(expr), "coalesce(role_id")) {
			stmts = append(stmts, `ALTER TABLE openings DROP COLUMN search_vector`)
		}
		stmts = append(stmts,
			`ALTER TABLE openings ADD COLUMN IF NOT EXISTS search_vector tsvector
				GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, '')
					|| ' `+tokenStatus+`' || lower(status)
					|| ' `+tokenLocation+`' || coalesce(location_id, 0)::text
					|| ' `+tokenRole+`' || coalesce(role_id, 0)::text)) STORED`,
			`CREATE INDEX IF NOT EXISTS openings_search_vector ON openings USING GIN (search_vector)`,
		)
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

// Tokens the PostgreSQL search vector carries besides the document's words; they cannot clash
// with a word of a document, which never starts with "zzcg".
const (
	tokenStatus   = "zzcgstatus"
	tokenLocation = "zzcgloc"
	tokenRole     = "zzcgrole"
)
