package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/importer"
	"github.com/careergraph/careergraph/internal/live"
	"github.com/careergraph/careergraph/internal/seed"
)

const importUsage = "usage: careergraph import [--source NAME] [--full] [--allow-private] [--cpuprofile FILE] PATH|URL…"

// runImport is `careergraph import`: it imports JobPostings from files, directories and URLs
// into the database DATABASE_URL names, showing a progress bar (on a terminal) or a line per
// document on stderr, and the report on stdout. Rejected records do not fail the command; a document that could not be read does
// (exit status 1), after the others were imported.
func runImport(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	source := fs.String("source", "", "the feed's name (default: the first argument's host or file name)")
	full := fs.Bool("full", false, "the arguments are the whole feed: close the source's openings they do not list")
	allowPrivate := fs.Bool("allow-private", false, "let URLs reach loopback, private and link-local addresses")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the import to this file (go tool pprof)")
	maxBytes := fs.Int64("max-bytes", 512<<20, "the largest document (file or URL) read, in bytes; a feed over it stops there, reported incomplete")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New(importUsage)
	}
	if *source == "" {
		*source = sourceName(fs.Arg(0))
	}
	cmd, err := openCommand(getenv)
	if err != nil {
		return err
	}
	defer cmd.Close()
	ctx, cfg, db := cmd.ctx, cmd.cfg, cmd.db
	if cfg.Seed {
		// Titles are classified against the roles: an empty database gets the seed's first.
		if _, err := seed.Load(ctx, db.Client); err != nil {
			return err
		}
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	// The servers' subscribers and match indexes hear of what this import writes.
	bus, err := startLive(ctx, cfg, db, false, log)
	if err != nil {
		return err
	}
	defer bus.Close()
	written := live.Written(bus)
	opts := importer.Options{Source: *source, Full: *full, Log: log, SQL: db.SQL, Dialect: db.Dialect, TxClient: database.ClientOnTx,
		Written: func(ctx context.Context, created, updated []int) { written(ctx, 0, created, updated) }}
	// On a terminal, a bar counts postings as they are read (the total of a stream is not
	// known); elsewhere (logs, CI) a line per document.
	var bar *progressbar.ProgressBar
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar = progressbar.NewOptions64(-1, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("importing"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("postings"),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		opts.Progress = func(r importer.Report) { _ = bar.Set(r.Read) }
	}
	im, err := importer.New(ctx, db.Client, opts)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	rep, runErr := importer.Run(ctx, im, fs.Args(), importer.FetchOptions{AllowPrivate: *allowPrivate, MaxBytes: *maxBytes},
		func(doc string, r importer.Report) {
			if bar != nil {
				bar.Describe("importing (" + filepath.Base(doc) + " done)")
				return
			}
			fmt.Fprintf(stderr, "import: %s: %d read, %d created, %d updated, %d unchanged, %d rejected so far (%s)\n",
				doc, r.Read, r.Created, r.Updated, r.Unchanged, r.Rejected, time.Since(start).Round(time.Millisecond))
		})
	if bar != nil {
		_ = bar.Finish()
	}
	if rep == nil {
		return runErr
	}
	printReport(stdout, rep, *full)
	if runErr != nil {
		return fmt.Errorf("import incomplete: %w", runErr)
	}
	return nil
}

func printReport(w io.Writer, r *importer.Report, full bool) {
	fmt.Fprintf(w, "source import:%s\n", r.Source)
	fmt.Fprintf(w, "read %d, created %d, updated %d, unchanged %d, closed %d, rejected %d (unclassified %d)\n",
		r.Read, r.Created, r.Updated, r.Unchanged, r.Closed, r.Rejected, r.Unclassified)
	if full && r.Incomplete {
		fmt.Fprintln(w, "full import: a document was not read to its end, so nothing was closed")
	}
	for _, rj := range r.Rejects {
		fmt.Fprintf(w, "rejected %s, %s: %s\n", rj.Document, rj.Position, rj.Reason)
	}
	if len(r.Rejects) < r.Rejected {
		fmt.Fprintf(w, "… and %d more rejects\n", r.Rejected-len(r.Rejects))
	}
	d := r.Finished.Sub(r.Started)
	rate := 0.0
	if d > 0 {
		rate = float64(r.Read) / d.Seconds()
	}
	fmt.Fprintf(w, "took %s (%.0f postings/s)\n", d.Round(time.Millisecond), rate)
}

var nonSource = regexp.MustCompile(`[^a-z0-9._-]+`)

// sourceName derives a feed name from a URL's host or a path's base name.
func sourceName(arg string) string {
	name := arg
	if u, err := url.Parse(arg); err == nil && u.Host != "" {
		name = strings.TrimPrefix(u.Hostname(), "www.")
	} else {
		name = strings.TrimSuffix(filepath.Base(filepath.Clean(arg)), filepath.Ext(arg))
	}
	name = strings.Trim(nonSource.ReplaceAllString(strings.ToLower(name), "-"), "-._")
	if len(name) > 57 {
		name = name[:57]
	}
	if name == "" {
		name = "feed"
	}
	return name
}
