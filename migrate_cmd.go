package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/careergraph/careergraph/internal/config"
	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/migrate"
)

// migrationsDir is where `migrate diff`, `check` and `hash` find the files: they are
// developer commands, run from the repository root. Applying uses the files embedded in the
// binary instead.
const migrationsDir = "migrations"

const migrateUsage = `usage:
  careergraph migrate [--baseline VERSION]  apply pending migrations to DATABASE_URL
  careergraph migrate status                list the pending migrations
  careergraph migrate diff NAME             write the next migration file for each dialect from the ent schema
  careergraph migrate check                 fail if the ent schema and the migration files disagree
  careergraph migrate hash                  rewrite atlas.sum after editing a migration by hand`

// runMigrate is `careergraph migrate ...`, writing its report to out.
func runMigrate(args []string, getenv func(string) string, out io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	sub := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		sub, args = args[0], args[1:]
	}
	devURL := getenv("DEV_DATABASE_URL")
	switch sub {
	case "", "up", "status":
		fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
		baseline := fs.String("baseline", "", "record the files up to this version as applied without running them")
		if err := fs.Parse(args); err != nil {
			return err
		}
		cfg, err := config.FromEnv(getenv)
		if err != nil {
			return err
		}
		db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{SkipCheck: true})
		if err != nil {
			return err
		}
		defer db.Close()
		if sub == "status" {
			p, err := migrate.Pending(ctx, db.SQL, db.Dialect)
			if err != nil {
				return err
			}
			r, err := migrate.RiverPending(ctx, db.SQL, db.Dialect)
			if err != nil {
				return err
			}
			if len(p) == 0 && len(r) == 0 {
				fmt.Fprintf(out, "%s: up to date\n", db.Dialect)
				return nil
			}
			for _, f := range p {
				fmt.Fprintf(out, "pending %s\n", f.Name)
			}
			for _, m := range r {
				fmt.Fprintf(out, "pending River migration %d (%s)\n", m.Version, m.Name)
			}
			return &migrate.BehindError{Pending: p, River: r}
		}
		riverApplied := 0
		applied, err := migrate.Apply(ctx, db.SQL, db.Dialect, migrate.Options{
			Baseline: *baseline,
			Applied: func(f migrate.File, n int) {
				if n == 0 && *baseline != "" {
					fmt.Fprintf(out, "baselined %s (not run)\n", f.Name)
					return
				}
				fmt.Fprintf(out, "applied %s (%d statements)\n", f.Name, n)
			},
			RiverApplied: func(m migrate.RiverMigration) {
				riverApplied++
				fmt.Fprintf(out, "applied River migration %d (%s)\n", m.Version, m.Name)
			},
		})
		if err != nil {
			return err
		}
		if len(applied) == 0 && riverApplied == 0 {
			fmt.Fprintf(out, "%s: up to date, nothing to apply\n", db.Dialect)
		}
		return nil
	case "diff":
		if len(args) != 1 || args[0] == "" {
			return errors.New("migrate diff NAME: give the migration a name, e.g. `careergraph migrate diff add_opening_source`")
		}
		for _, dia := range migrate.Dialects {
			added, err := migrate.Diff(ctx, dia, devURL, migrationsDir+"/"+migrate.DirName(dia), args[0])
			if err != nil {
				return err
			}
			if len(added) == 0 {
				fmt.Fprintf(out, "%s: the files already match the ent schema\n", dia)
			}
			for _, n := range added {
				fmt.Fprintf(out, "wrote %s/%s/%s\n", migrationsDir, migrate.DirName(dia), n)
			}
		}
		return nil
	case "check":
		stale, err := migrate.Stale(ctx, migrationsDir, devURL)
		if err != nil {
			return err
		}
		if len(stale) == 0 {
			fmt.Fprintln(out, "migrations match the ent schema")
			return nil
		}
		dias := make([]string, 0, len(stale))
		for d := range stale {
			dias = append(dias, d)
		}
		sort.Strings(dias)
		for _, d := range dias {
			fmt.Fprintf(out, "-- %s: the ent schema needs:\n%s\n", d, stale[d])
		}
		return errors.New("the migration files are behind the ent schema: run `go run . migrate diff NAME` and commit the files it writes")
	case "hash":
		if err := migrate.Hash(migrationsDir); err != nil {
			return err
		}
		fmt.Fprintln(out, "rewrote atlas.sum")
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(out, migrateUsage)
		return nil
	}
	fmt.Fprintln(os.Stderr, migrateUsage)
	return fmt.Errorf("migrate: unknown command %q", sub)
}
