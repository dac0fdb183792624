package migrate_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/jobs"
	"github.com/careergraph/careergraph/internal/migrate"
	"github.com/careergraph/careergraph/internal/testenv"
)

func dialectOf(b testenv.Backend) string {
	if b == testenv.Postgres {
		return dialect.Postgres
	}
	return dialect.SQLite
}

// TestFilesMatchSchema is CI's guard: a `migrate diff` now would write nothing, on either
// dialect (PostgreSQL plans on a throwaway schema at TEST_DATABASE_URL).
func TestFilesMatchSchema(t *testing.T) {
	for _, b := range testenv.Backends(t) {
		dia := dialectOf(b)
		t.Run(string(b), func(t *testing.T) {
			root := filepath.Join("..", "..", "migrations")
			tmp := t.TempDir()
			copyDir(t, filepath.Join(root, migrate.DirName(dia)), tmp)
			added, err := migrate.Diff(context.Background(), dia, os.Getenv("TEST_DATABASE_URL"), tmp, "check")
			require.NoError(t, err)
			var text string
			for _, n := range added {
				b, _ := os.ReadFile(filepath.Join(tmp, n))
				text += string(b)
			}
			assert.Empty(t, added, "the ent schema needs a migration; run `go run . migrate diff NAME`:\n%s", text)
		})
	}
}

// TestDiffWritesWhatIsMissing: into an empty directory, diff writes the whole schema (so a
// stale directory is noticed), and a second diff over its own output writes nothing.
func TestDiffWritesWhatIsMissing(t *testing.T) {
	for _, b := range testenv.Backends(t) {
		dia := dialectOf(b)
		t.Run(string(b), func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			added, err := migrate.Diff(ctx, dia, os.Getenv("TEST_DATABASE_URL"), dir, "first")
			require.NoError(t, err)
			require.Len(t, added, 2, "a migration file and atlas.sum")
			body, err := os.ReadFile(filepath.Join(dir, added[0]))
			require.NoError(t, err)
			assert.Contains(t, string(body), "openings")
			again, err := migrate.Diff(ctx, dia, os.Getenv("TEST_DATABASE_URL"), dir, "second")
			require.NoError(t, err)
			assert.Empty(t, again)
		})
	}
}

// TestApplyIsIdempotentAndRecorded: the test database was built by the files; applying again
// runs nothing, and every file is recorded.
func TestApplyIsIdempotentAndRecorded(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.New(t, b)
		ctx := context.Background()
		files, err := migrate.Files(env.DB.Dialect)
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(files), 2)
		var n int
		require.NoError(t, env.DB.SQL.QueryRow(`SELECT count(*) FROM `+migrate.Table).Scan(&n))
		assert.Equal(t, len(files), n)
		applied, err := migrate.Apply(ctx, env.DB.SQL, env.DB.Dialect, migrate.Options{})
		require.NoError(t, err)
		assert.Empty(t, applied)
		// The hand-written file ran: the full-text index exists.
		if b == testenv.Postgres {
			require.NoError(t, env.DB.SQL.QueryRow(`SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'openings_search_vector'`).Scan(&n))
		} else {
			require.NoError(t, env.DB.SQL.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'openings_fts'`).Scan(&n))
		}
		assert.Equal(t, 1, n)
	})
}

// undoLast undoes a migration file (by its name without the timestamp), per backend, for
// TestBehindRefusesToServe, which needs the newest file unapplied.
var undoLast = map[testenv.Backend]map[string]string{
	testenv.Postgres: {
		"search_index": `DROP INDEX openings_search_vector; ALTER TABLE openings DROP COLUMN search_vector`,
		"opening_skill_essential": `ALTER TABLE opening_skills DROP COLUMN essential,
			DROP CONSTRAINT opening_skills_openings_opening, DROP CONSTRAINT opening_skills_skills_skill,
			ADD CONSTRAINT opening_skills_opening_id FOREIGN KEY (opening_id) REFERENCES openings (id) ON DELETE CASCADE,
			ADD CONSTRAINT opening_skills_skill_id FOREIGN KEY (skill_id) REFERENCES skills (id) ON DELETE CASCADE`,
		"search_vector_written": `DROP TRIGGER openings_search_vector_insert ON openings;
			DROP TRIGGER openings_search_vector_update ON openings; DROP FUNCTION openings_search_vector();
			DROP INDEX openings_search_vector; ALTER TABLE openings DROP COLUMN search_vector;
			ALTER TABLE openings ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple',
			  coalesce(search_text, '') || ' zzcgstatus' || lower(status) || ' zzcgloc' || coalesce(location_id, 0)::text
			  || ' zzcgrole' || coalesce(role_id, 0)::text)) STORED;
			CREATE INDEX openings_search_vector ON openings USING GIN (search_vector)`,
		"search_vector_block": `CREATE OR REPLACE FUNCTION openings_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
			  IF NEW.search_vector IS NULL OR TG_OP = 'UPDATE' AND (
			      NEW.search_text IS DISTINCT FROM OLD.search_text OR NEW.status IS DISTINCT FROM OLD.status
			      OR NEW.location_id IS DISTINCT FROM OLD.location_id OR NEW.role_id IS DISTINCT FROM OLD.role_id) THEN
			    NEW.search_vector := to_tsvector('simple', coalesce(NEW.search_text, '') || ' zzcgstatus' || lower(NEW.status)
			      || ' zzcgloc' || coalesce(NEW.location_id, 0)::text || ' zzcgrole' || coalesce(NEW.role_id, 0)::text);
			  END IF;
			  RETURN NEW;
			END $$`,
		"openings_lz4": `ALTER TABLE openings ALTER COLUMN description SET COMPRESSION default,
			ALTER COLUMN description_html SET COMPRESSION default, ALTER COLUMN search_text SET COMPRESSION default,
			ALTER COLUMN search_vector SET COMPRESSION default`,
		"skill_vocabulary_version": `DROP TRIGGER skills_vocabulary_changed ON skills;
			DROP TRIGGER skill_members_vocabulary_changed ON skill_members;
			DROP TRIGGER skills_vocabulary_truncated ON skills;
			DROP TRIGGER skill_members_vocabulary_truncated ON skill_members;
			DROP FUNCTION skill_vocabulary_changed(); DROP TABLE skill_vocabulary`,
		"expiry_sweep_index": `DROP INDEX opening_valid_through_posted_at`,
		"match_images":       `DROP TABLE match_images`,
		"catch_up_pages":     `CREATE INDEX opening_updated_at ON openings (updated_at); DROP INDEX opening_updated_at_id`,
	},
	testenv.SQLite: {
		"search_index": `DROP TRIGGER openings_fts_insert; DROP TRIGGER openings_fts_delete; DROP TRIGGER openings_fts_update; DROP TABLE openings_fts`,
		"opening_skill_essential": "CREATE TABLE `old_opening_skills` (`opening_id` integer NOT NULL, `skill_id` integer NOT NULL, " +
			"PRIMARY KEY (`opening_id`, `skill_id`), " +
			"CONSTRAINT `opening_skills_opening_id` FOREIGN KEY (`opening_id`) REFERENCES `openings` (`id`) ON DELETE CASCADE, " +
			"CONSTRAINT `opening_skills_skill_id` FOREIGN KEY (`skill_id`) REFERENCES `skills` (`id`) ON DELETE CASCADE); " +
			"INSERT INTO `old_opening_skills` SELECT `opening_id`, `skill_id` FROM `opening_skills`; " +
			"DROP TABLE `opening_skills`; ALTER TABLE `old_opening_skills` RENAME TO `opening_skills`",
		"skill_vocabulary_version": "DROP TRIGGER `skills_vocabulary_insert`; DROP TRIGGER `skills_vocabulary_update`; " +
			"DROP TRIGGER `skills_vocabulary_delete`; DROP TRIGGER `skill_members_vocabulary_insert`; " +
			"DROP TRIGGER `skill_members_vocabulary_update`; DROP TRIGGER `skill_members_vocabulary_delete`; " +
			"DROP TABLE `skill_vocabulary`",
		"expiry_sweep_index": "DROP INDEX `opening_valid_through_posted_at`",
		"match_images":       "DROP TABLE `match_images`; DELETE FROM sqlite_sequence WHERE name = 'match_images'",
		"catch_up_pages":     "CREATE INDEX `opening_updated_at` ON `openings` (`updated_at`); DROP INDEX `opening_updated_at_id`",
	},
}

// TestBehindRefusesToServe: with the last file unrecorded (as when the binary is newer than
// the database), Open without Migrate fails naming the file and the command, Ready fails the
// same way, and /readyz answers 503 with that reason; `migrate` then applies just that file.
func TestBehindRefusesToServe(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.New(t, b)
		ctx := context.Background()
		files, err := migrate.Files(env.DB.Dialect)
		require.NoError(t, err)
		last := files[len(files)-1]
		// Undo the last file and forget it.
		undo, ok := undoLast[b][strings.TrimSuffix(last.Name[strings.Index(last.Name, "_")+1:], ".sql")]
		require.True(t, ok, "no undo statements for %s: add them to undoLast", last.Name)
		_, err = env.DB.SQL.Exec(undo)
		require.NoError(t, err)
		q := `DELETE FROM ` + migrate.Table + ` WHERE version = $1`
		if b == testenv.SQLite {
			q = strings.Replace(q, "$1", "?", 1)
		}
		_, err = env.DB.SQL.Exec(q, last.Version)
		require.NoError(t, err)

		err = env.DB.Ready(ctx)
		var behind *migrate.BehindError
		require.True(t, errors.As(err, &behind), "Ready: %v", err)
		assert.Equal(t, last.Name, behind.Pending[0].Name)
		assert.Contains(t, err.Error(), "careergraph migrate")

		rec := httptest.NewRecorder()
		env.Handler(t).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
		assert.Contains(t, rec.Body.String(), last.Name)
		assert.Contains(t, rec.Body.String(), "careergraph migrate")

		applied, err := migrate.Apply(ctx, env.DB.SQL, env.DB.Dialect, migrate.Options{})
		require.NoError(t, err)
		require.Len(t, applied, 1)
		assert.Equal(t, last.Name, applied[0].Name)
		require.NoError(t, env.DB.Ready(ctx))
	})
}

// TestOpenRefusesWhenBehind: a replica started without MIGRATE_ON_START on a database with
// pending files does not open.
func TestOpenRefusesWhenBehind(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	_, err := database.Open(context.Background(), "file:"+path, database.Options{})
	var behind *migrate.BehindError
	require.True(t, errors.As(err, &behind), "Open: %v", err)
	files, _ := migrate.Files(dialect.SQLite)
	assert.Len(t, behind.Pending, len(files))
	assert.Contains(t, err.Error(), "run `careergraph migrate`")
}

// TestConcurrentApply: replicas starting together on one database each apply, and every file
// runs once (the others wait for the lock, then find nothing pending).
func TestConcurrentApply(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		url := testenv.EmptyDatabase(t, b)
		dbs := make([]*database.DB, 3)
		for i := range dbs {
			db, err := database.Open(context.Background(), url, database.Options{SkipCheck: true})
			require.NoError(t, err)
			t.Cleanup(func() { _ = db.Close() })
			dbs[i] = db
		}
		var wg sync.WaitGroup
		counts := make([]int, len(dbs))
		errs := make([]error, len(dbs))
		for i, db := range dbs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				applied, err := migrate.Apply(context.Background(), db.SQL, db.Dialect, migrate.Options{})
				counts[i], errs[i] = len(applied), err
			}()
		}
		wg.Wait()
		files, _ := migrate.Files(dbs[0].Dialect)
		total := 0
		for i := range dbs {
			require.NoError(t, errs[i])
			total += counts[i]
		}
		assert.Equal(t, len(files), total, "each file applied exactly once across replicas: %v", counts)
		require.NoError(t, dbs[0].Ready(context.Background()))
	})
}

// TestOldDatabaseNeedsBaseline: a database made before versioned migrations (tables, no
// schema_migrations) is not half-migrated; the error says what to do, and --baseline records
// the files without running them.
func TestOldDatabaseNeedsBaseline(t *testing.T) {
	env := testenv.New(t, testenv.SQLite)
	ctx := context.Background()
	_, err := env.DB.SQL.Exec(`DROP TABLE ` + migrate.Table)
	require.NoError(t, err)
	_, err = migrate.Apply(ctx, env.DB.SQL, env.DB.Dialect, migrate.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--baseline")
	files, _ := migrate.Files(env.DB.Dialect)
	applied, err := migrate.Apply(ctx, env.DB.SQL, env.DB.Dialect, migrate.Options{Baseline: files[len(files)-1].Version})
	require.NoError(t, err)
	assert.Len(t, applied, len(files))
	require.NoError(t, env.DB.Ready(ctx))
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	ents, err := os.ReadDir(src)
	require.NoError(t, err)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644))
	}
}

// TestRiverBehindRefusesToServe: River's job tables are part of the schema. With River's last
// migration rolled back (a binary whose River is newer than the database), Ready names it and
// the command, /readyz answers 503, starting the job runner does not repair it (no DDL at
// boot), and Apply, under the migration lock, brings it back.
func TestRiverBehindRefusesToServe(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.New(t, b)
		ctx := context.Background()
		pending, err := migrate.RiverPending(ctx, env.DB.SQL, env.DB.Dialect)
		require.NoError(t, err)
		require.Empty(t, pending, "testenv's databases have River's tables from Apply")

		var drv riverdriver.Driver[*sql.Tx] = riversqlite.New(env.DB.SQL)
		if b == testenv.Postgres {
			drv = riverdatabasesql.New(env.DB.SQL)
		}
		m, err := rivermigrate.New(drv, nil)
		require.NoError(t, err)
		down, err := m.Migrate(ctx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{MaxSteps: 1})
		require.NoError(t, err)
		require.Len(t, down.Versions, 1)
		last := down.Versions[0].Version

		err = env.DB.Ready(ctx)
		var behind *migrate.BehindError
		require.True(t, errors.As(err, &behind), "Ready: %v", err)
		require.Len(t, behind.River, 1)
		assert.Equal(t, last, behind.River[0].Version)
		assert.Empty(t, behind.Pending)
		assert.Contains(t, err.Error(), fmt.Sprintf("River version %d", last))
		assert.Contains(t, err.Error(), "careergraph migrate")

		rec := httptest.NewRecorder()
		env.Handler(t).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
		assert.Contains(t, rec.Body.String(), "River")

		// The job runner no longer migrates: preparing it leaves River behind.
		_, err = jobs.New(ctx, env.DB.Client, env.DB.SQL, env.DB.Dialect, jobs.Config{SweepInterval: time.Hour, OpeningValidity: time.Hour})
		require.NoError(t, err)
		pending, err = migrate.RiverPending(ctx, env.DB.SQL, env.DB.Dialect)
		require.NoError(t, err)
		require.Len(t, pending, 1)

		var ran []migrate.RiverMigration
		applied, err := migrate.Apply(ctx, env.DB.SQL, env.DB.Dialect, migrate.Options{
			RiverApplied: func(m migrate.RiverMigration) { ran = append(ran, m) },
		})
		require.NoError(t, err)
		assert.Empty(t, applied)
		require.Len(t, ran, 1)
		assert.Equal(t, last, ran[0].Version)
		require.NoError(t, env.DB.Ready(ctx))
	})
}

// TestOpeningsCompressWithLZ4: an opening's long columns are compressed with lz4 where the
// server has it (…_openings_lz4.sql), with pglz where it has not.
func TestOpeningsCompressWithLZ4(t *testing.T) {
	for _, b := range testenv.Backends(t) {
		if b != testenv.Postgres {
			continue // SQLite compresses nothing
		}
		t.Run(string(b), func(t *testing.T) {
			env := testenv.Seeded(t, b)
			var lz4 bool
			require.NoError(t, env.DB.SQL.QueryRow(`SELECT 'lz4' = ANY (enumvals) FROM pg_settings
				WHERE name = 'default_toast_compression'`).Scan(&lz4))
			want := "pglz"
			if lz4 {
				want = "lz4"
			}
			long := strings.Repeat("Build and run backend services in Go and PostgreSQL. ", 200)
			var id int64
			require.NoError(t, env.DB.SQL.QueryRow(`UPDATE openings SET description = $1, description_html = $1, search_text = $1
				WHERE id = (SELECT min(id) FROM openings) RETURNING id`, long).Scan(&id))
			got := make([]sql.NullString, 4)
			require.NoError(t, env.DB.SQL.QueryRow(`SELECT pg_column_compression(description), pg_column_compression(description_html),
				pg_column_compression(search_text), pg_column_compression(search_vector) FROM openings WHERE id = $1`, id).
				Scan(&got[0], &got[1], &got[2], &got[3]))
			for i, g := range got[:3] {
				assert.Equal(t, sql.NullString{String: want, Valid: true}, g, "column %d", i)
			}
			// The vector the trigger computed from the new text is short enough to stay
			// uncompressed, or compressed the same way.
			assert.Contains(t, []sql.NullString{{}, {String: want, Valid: true}}, got[3])
		})
	}
}
