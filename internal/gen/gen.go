// Package gen fills a database with many deterministic sample openings, for scale tests and
// benchmarks (`careergraph gen --openings N --seed S`). The openings come from the seed data's
// generator (internal/seed), so they are labelled sample data like the rest. PostgreSQL is
// loaded with COPY; SQLite with batched inserts.
package gen

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/pgseq"
	"github.com/careergraph/careergraph/internal/seed"
)

// Options say how many openings to make and from which seed.
type Options struct {
	Openings int
	Seed     uint64
	// Progress receives a line every ProgressEvery openings; nil is silent.
	Progress      io.Writer
	ProgressEvery int
}

// Result says what Run did.
type Result struct {
	Openings int
	Elapsed  time.Duration
}

// batch is how many openings go into one COPY or transaction.
const batch = 10000

// Run adds opt.Openings openings to db. The seed clusters are loaded first if the database is
// empty; the openings' external IDs are "gen-<seed>-<n>", so running the same seed twice is
// refused rather than duplicated.
func Run(ctx context.Context, db *database.DB, opt Options) (Result, error) {
	start := time.Now()
	if opt.Openings < 0 {
		return Result{}, fmt.Errorf("gen: --openings %d: want a positive number", opt.Openings)
	}
	if opt.ProgressEvery <= 0 {
		opt.ProgressEvery = 50000
	}
	if _, err := seed.Load(ctx, db.Client); err != nil {
		return Result{}, err
	}
	prefix := fmt.Sprintf("gen-%d-", opt.Seed)
	if n, err := db.Client.Opening.Query().Where(opening.Source("sample"), opening.ExternalIDHasPrefix(prefix)).Limit(1).Count(ctx); err != nil {
		return Result{}, err
	} else if n > 0 {
		return Result{}, fmt.Errorf("gen: openings of seed %d are already there; pick another --seed", opt.Seed)
	}
	d, err := seed.Parse()
	if err != nil {
		return Result{}, err
	}
	refs, err := loadRefs(ctx, db.Client)
	if err != nil {
		return Result{}, err
	}
	g := seed.NewGenerator(d)
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed))
	ow := seed.NewOpeningWriter(d, refs)
	ow.Preferred = true // sample postings list their extra skills as nice to have
	w := &writer{db: db, ow: ow}
	specs := make([]seed.OpeningSpec, 0, batch)
	done := 0
	for done < opt.Openings {
		specs = specs[:0]
		for i := 0; i < batch && done+i < opt.Openings; i++ {
			specs = append(specs, g.Random(rng, fmt.Sprintf("%s%07d", prefix, done+i+1), 180))
		}
		if err := w.write(ctx, specs); err != nil {
			return Result{}, fmt.Errorf("gen: after %d openings: %w", done, err)
		}
		prev := done
		done += len(specs)
		if opt.Progress != nil && (done/opt.ProgressEvery != prev/opt.ProgressEvery || done == opt.Openings) {
			el := time.Since(start)
			fmt.Fprintf(opt.Progress, "gen: %d/%d openings (%.1fs, %.0f/s)\n", done, opt.Openings, el.Seconds(), float64(done)/el.Seconds())
		}
	}
	if err := analyze(ctx, db); err != nil {
		return Result{}, err
	}
	return Result{Openings: done, Elapsed: time.Since(start)}, nil
}

// analyze refreshes the planner's statistics of the tables Run loaded. Until autovacuum gets to
// them (never, where it is off) PostgreSQL plans over a freshly loaded table with guesses,
// and SQLite without sqlite_stat1 at all; one ANALYZE costs a few seconds at a million
// openings and makes the first plans the right ones.
func analyze(ctx context.Context, db *database.DB) error {
	stmt := `ANALYZE openings, opening_skills`
	if db.Dialect != dialect.Postgres {
		stmt = `ANALYZE`
	}
	if _, err := db.SQL.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("gen: analyze: %w", err)
	}
	return nil
}

func loadRefs(ctx context.Context, c *ent.Client) (seed.Refs, error) {
	r := seed.Refs{Roles: map[string]int{}, Companies: map[string]int{}, Locations: map[string]int{}, Skills: map[string]int{}}
	roles, err := c.Role.Query().All(ctx)
	if err != nil {
		return r, err
	}
	for _, x := range roles {
		r.Roles[x.Slug] = x.ID
	}
	comps, err := c.Company.Query().All(ctx)
	if err != nil {
		return r, err
	}
	for _, x := range comps {
		r.Companies[x.Slug] = x.ID
	}
	locs, err := c.Location.Query().All(ctx)
	if err != nil {
		return r, err
	}
	for _, x := range locs {
		r.Locations[x.Slug] = x.ID
	}
	skills, err := c.Skill.Query().All(ctx)
	if err != nil {
		return r, err
	}
	for _, x := range skills {
		r.Skills[x.Slug] = x.ID
	}
	return r, nil
}

type writer struct {
	db *database.DB
	ow *seed.OpeningWriter
}

func (w *writer) write(ctx context.Context, specs []seed.OpeningSpec) error {
	if w.db.Dialect == dialect.Postgres {
		return w.copyPostgres(ctx, specs)
	}
	tx, err := w.db.Client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := w.ow.Insert(ctx, tx, specs); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// copyPostgres reserves IDs from the openings sequence and COPYs openings and their skills in
// one transaction.
func (w *writer) copyPostgres(ctx context.Context, specs []seed.OpeningSpec) error {
	tx, err := w.db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	ids, err := pgseq.ReserveIDs(ctx, tx, "openings", len(specs))
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn("openings", "id", "created_at", "updated_at", "source", "external_id",
		"title", "description", "role_id", "company_id", "location_id", "work_mode", "employment_type",
		"experience_min_years", "experience_max_years", "salary_min", "salary_max", "salary_currency", "salary_period",
		"posted_at", "valid_through", "status", "skill_count", "search_text"))
	if err != nil {
		return err
	}
	ref := w.ow.Refs()
	for i, o := range specs {
		var loc, smin, smax, cur, per any
		if o.Location != "" {
			loc = ref.Locations[o.Location]
		}
		if o.SalaryMin != nil {
			smin, smax, cur, per = *o.SalaryMin, *o.SalaryMax, o.SalaryCurrency, string(opening.SalaryPeriodYEAR)
		}
		if _, err := stmt.ExecContext(ctx, ids[i], now, now, "sample", o.ExternalID, o.Title, o.Description,
			ref.Roles[o.Role], ref.Companies[o.Company], loc, string(o.WorkMode), string(o.EmploymentType),
			o.ExpMin, *o.ExpMax, smin, smax, cur, per, o.PostedAt, o.ValidThrough, string(o.Status), len(o.Skills), w.ow.Document(o)); err != nil {
			return err
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return err
	}
	if err := stmt.Close(); err != nil {
		return err
	}
	stmt, err = tx.PrepareContext(ctx, pq.CopyIn("opening_skills", "opening_id", "skill_id", "essential"))
	if err != nil {
		return err
	}
	for i, o := range specs {
		for _, s := range o.Skills {
			if _, err := stmt.ExecContext(ctx, ids[i], ref.Skills[s], !slices.Contains(o.Preferred, s)); err != nil {
				return err
			}
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return err
	}
	if err := stmt.Close(); err != nil {
		return err
	}
	return tx.Commit()
}
