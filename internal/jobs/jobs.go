// Package jobs runs the work that happens outside a request on River (riverqueue), in the
// database the graph lives in: riverdatabasesql over lib/pq on PostgreSQL (River polls rather
// than listens over database/sql), riversqlite on the embedded SQLite. Two kinds of job:
//
//   - import: a feed import (internal/importer) of URLs or paths. A failed attempt is retried
//     by River with backoff (up to MaxAttempts); a retry or a job picked up again after a crash
//     re-runs the import, which is idempotent (postings identified by source and identifier,
//     unchanged ones not written), so it resumes in effect where it stopped.
//   - feed_refresh: every minute, an import job for each registered feed (FeedSource) whose
//     interval has passed.
//   - expiry_sweep: the periodic sweep of stale openings (internal/expiry), inserted every
//     Config.SweepInterval by River's leader and on start.
//
// River's tables are created by River's own migrations, which internal/migrate applies with
// the schema's files (`careergraph migrate`, or MIGRATE_ON_START); nothing here runs DDL.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/feedsource"
	"github.com/careergraph/careergraph/ent/importrun"
	"github.com/careergraph/careergraph/internal/expiry"
	"github.com/careergraph/careergraph/internal/importer"
)

// ImportArgs is an import job: what importer.Run gets, and the ImportRun it reports to (0:
// none, as for the CLI).
type ImportArgs struct {
	Source string   `json:"source"`
	Full   bool     `json:"full"`
	Inputs []string `json:"inputs"`
	RunID  int      `json:"run_id,omitempty"`
}

// Kind names the job kind in River's table.
func (ImportArgs) Kind() string { return "import" }

// FeedRefreshArgs is the periodic check for registered feeds (FeedSource) that are due: each
// due feed gets an import job.
type FeedRefreshArgs struct{}

// Kind names the job kind in River's table.
func (FeedRefreshArgs) Kind() string { return "feed_refresh" }

// ExpirySweepArgs is the periodic expiry sweep.
type ExpirySweepArgs struct{}

// Kind names the job kind in River's table.
func (ExpirySweepArgs) Kind() string { return "expiry_sweep" }

// Config configures the job runner.
type Config struct {
	// SweepInterval is how often the expiry sweep runs; OpeningValidity its default validity.
	SweepInterval, OpeningValidity time.Duration
	// FeedCheckInterval is how often registered feeds are checked for being due. Default 1m.
	FeedCheckInterval time.Duration
	// Fetch bounds what import jobs may fetch (AllowPrivate for tests and trusted networks).
	Fetch importer.FetchOptions
	// Workers is how many jobs run at once. Default 2.
	Workers int
	// PollInterval is how often idle workers look for jobs. Default 1s.
	PollInterval time.Duration
	// MaxAttempts bounds the attempts of one job. Default 5.
	MaxAttempts int
	Log         *slog.Logger
}

// Runner is the River client and what it needs.
type Runner struct {
	client *river.Client[*sql.Tx]
}

// New prepares a client over db (dia is dialect.Postgres or
// dialect.SQLite). Call Start to work jobs; a Runner that is never started can still insert
// them (a web process that leaves the work to workers).
func New(ctx context.Context, graph *ent.Client, db *sql.DB, dia string, cfg Config) (*Runner, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.FeedCheckInterval <= 0 {
		cfg.FeedCheckInterval = time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	drv, err := driver(db, dia)
	if err != nil {
		return nil, err
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &importWorker{graph: graph, fetch: cfg.Fetch, log: cfg.Log})
	river.AddWorker(workers, &sweepWorker{graph: graph, validity: cfg.OpeningValidity, log: cfg.Log})
	river.AddWorker(workers, &feedWorker{graph: graph, log: cfg.Log})
	rc, err := river.NewClient(drv, &river.Config{
		Logger:            cfg.Log,
		PollOnly:          true,
		FetchPollInterval: cfg.PollInterval,
		FetchCooldown:     min(cfg.PollInterval, river.FetchCooldownDefault),
		MaxAttempts:       cfg.MaxAttempts,
		JobTimeout:        -1, // an import takes as long as its feed; FetchOptions bound downloads
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:           workers,
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(cfg.SweepInterval),
			func() (river.JobArgs, *river.InsertOpts) { return ExpirySweepArgs{}, nil },
			&river.PeriodicJobOpts{ID: "expiry_sweep", RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(cfg.FeedCheckInterval),
				func() (river.JobArgs, *river.InsertOpts) { return FeedRefreshArgs{}, nil },
				&river.PeriodicJobOpts{ID: "feed_refresh", RunOnStart: true}),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Runner{client: rc}, nil
}

func driver(db *sql.DB, dia string) (riverdriver.Driver[*sql.Tx], error) {
	switch dia {
	case dialect.Postgres:
		return riverdatabasesql.New(db), nil
	case dialect.SQLite:
		return riversqlite.New(db), nil
	}
	return nil, fmt.Errorf("jobs: no River driver for %q", dia)
}

// Inserter enqueues jobs without working them: what the API holds, whether the jobs run in
// its process or in workers.
type Inserter struct {
	db     *sql.DB
	dia    string
	mu     sync.Mutex
	client *river.Client[*sql.Tx]
	graph  *ent.Client
}

// NewInserter prepares an Inserter over the database graph lives in.
func NewInserter(graph *ent.Client, db *sql.DB, dia string) *Inserter {
	return &Inserter{db: db, dia: dia, graph: graph}
}

func (in *Inserter) riverClient(ctx context.Context) (*river.Client[*sql.Tx], error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.client != nil {
		return in.client, nil
	}
	drv, err := driver(in.db, in.dia)
	if err != nil {
		return nil, err
	}
	c, err := river.NewClient(drv, &river.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	in.client = c
	return c, nil
}

// StartImport records an ImportRun (QUEUED) and enqueues its job. The run is written with
// the client given, outside any request transaction, before the job exists: a worker may pick
// the job up at once and must find its run.
func (in *Inserter) StartImport(ctx context.Context, source string, full bool, inputs []string) (*ent.ImportRun, error) {
	c, err := in.riverClient(ctx)
	if err != nil {
		return nil, err
	}
	return startImport(ctx, in.graph, c, source, full, inputs)
}

func startImport(ctx context.Context, graph *ent.Client, c *river.Client[*sql.Tx], source string, full bool, inputs []string) (*ent.ImportRun, error) {
	run, err := graph.ImportRun.Create().SetSource(source).SetFull(full).SetInputs(inputs).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("jobs: record import run: %w", err)
	}
	var res *rivertype.JobInsertResult
	res, err = c.Insert(ctx, ImportArgs{Source: source, Full: full, Inputs: inputs, RunID: run.ID}, nil)
	if err == nil {
		return run.Update().SetJobID(res.Job.ID).Save(ctx)
	}
	_ = run.Update().SetStatus(importrun.StatusFAILED).SetError("could not be queued").Exec(ctx)
	return nil, fmt.Errorf("jobs: insert import: %w", err)
}

// ImportNow imports one document read from r (a request's body) at once, recorded as an
// ImportRun like a queued import, and returns the finished run. It writes through graph, in
// the importer's own batch transactions, not in a request transaction.
func (in *Inserter) ImportNow(ctx context.Context, source string, full bool, name string, r io.Reader) (*ent.ImportRun, error) {
	if err := importer.CheckSource(source); err != nil {
		return nil, err
	}
	now := time.Now()
	run, err := in.graph.ImportRun.Create().SetSource(source).SetFull(full).SetInputs([]string{name}).
		SetStatus(importrun.StatusRUNNING).SetStartedAt(now).SetAttempts(1).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("jobs: record import run: %w", err)
	}
	log := slog.New(slog.DiscardHandler)
	im, err := importer.New(ctx, in.graph, importer.Options{Source: source, Full: full, MaxRejects: 100, Log: log})
	var rep *importer.Report
	if err == nil {
		err = im.Document(ctx, name, r, importer.FormatAuto)
		var ferr error
		if rep, ferr = im.Finish(ctx); ferr != nil && err == nil {
			err = ferr
		}
	}
	recordOutcome(in.graph, log, run.ID, rep, err, true)
	return in.graph.ImportRun.Get(ctx, run.ID)
}

// Client is the River client, to insert jobs or subscribe to their events.
func (r *Runner) Client() *river.Client[*sql.Tx] { return r.client }

// Start works jobs until Stop.
func (r *Runner) Start(ctx context.Context) error { return r.client.Start(ctx) }

// Stop waits for running jobs to finish (within ctx), then stops.
func (r *Runner) Stop(ctx context.Context) error {
	err := r.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return r.client.StopAndCancel(context.Background())
	}
	return err
}

// Import enqueues an import job and returns its id.
func (r *Runner) Import(ctx context.Context, args ImportArgs) (int64, error) {
	res, err := r.client.Insert(ctx, args, nil)
	if err != nil {
		return 0, fmt.Errorf("jobs: insert import: %w", err)
	}
	return res.Job.ID, nil
}

type importWorker struct {
	river.WorkerDefaults[ImportArgs]
	graph *ent.Client
	fetch importer.FetchOptions
	log   *slog.Logger
}

// ImportResult is recorded as the import job's output (River's metadata): what it did.
type ImportResult struct {
	Read, Created, Updated, Unchanged, Closed, Rejected, Unclassified int
	Rejects                                                           []importer.Reject
	Incomplete                                                        bool
}

func (w *importWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) (err error) {
	runID := job.Args.RunID
	if runID != 0 {
		now := time.Now()
		if err := w.graph.ImportRun.UpdateOneID(runID).SetStatus(importrun.StatusRUNNING).SetStartedAt(now).
			SetAttempts(job.Attempt).Exec(ctx); err != nil {
			return fmt.Errorf("import job: run %d: %w", runID, err)
		}
	}
	im, err := importer.New(ctx, w.graph, importer.Options{Source: job.Args.Source, Full: job.Args.Full, Log: w.log, MaxRejects: 100,
		Progress: progress(w.graph, w.log, runID, time.Now)})
	if err != nil {
		w.finish(runID, nil, err, true)
		// A bad source name will not get better on a retry.
		return river.JobCancel(err)
	}
	rep, err := importer.Run(ctx, im, job.Args.Inputs, w.fetch, nil)
	permanent := err != nil && importer.Permanent(err)
	w.finish(runID, rep, err, permanent || job.Attempt >= job.MaxAttempts)
	if rep != nil {
		if oerr := river.RecordOutput(ctx, ImportResult{Read: rep.Read, Created: rep.Created, Updated: rep.Updated,
			Unchanged: rep.Unchanged, Closed: rep.Closed, Rejected: rep.Rejected, Unclassified: rep.Unclassified,
			Rejects: rep.Rejects, Incomplete: rep.Incomplete}); oerr != nil {
			w.log.Warn("import job: recording output", "err", oerr)
		}
		w.log.Info("import job", "job", job.ID, "source", job.Args.Source, "read", rep.Read, "created", rep.Created,
			"updated", rep.Updated, "unchanged", rep.Unchanged, "closed", rep.Closed, "rejected", rep.Rejected)
	}
	if permanent {
		// A refused address or an oversized document will be the same on a retry.
		return river.JobCancel(err)
	}
	return err
}

// ProgressEvery is how often a running import writes its counts to its run, where
// importRunProgress subscribers (internal/live) and node(id:) readers on any replica see them.
const ProgressEvery = time.Second

// progress returns the importer's Progress callback for run runID: at most once per
// ProgressEvery it writes the counts so far to the run (one UPDATE outside the import's
// batches; a failure is logged and the import goes on).
func progress(graph *ent.Client, log *slog.Logger, runID int, now func() time.Time) func(importer.Report) {
	if runID == 0 {
		return nil
	}
	last := now()
	return func(rep importer.Report) {
		if t := now(); t.Sub(last) >= ProgressEvery {
			last = t
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := graph.ImportRun.UpdateOneID(runID).SetRead(rep.Read).SetCreated(rep.Created).SetUpdated(rep.Updated).
				SetUnchanged(rep.Unchanged).SetClosed(rep.Closed).SetRejected(rep.Rejected).SetUnclassified(rep.Unclassified).
				Exec(ctx); err != nil {
				log.Warn("import: recording progress", "run", runID, "err", err)
			}
		}
	}
}

// finish writes the run's outcome: the counts of this attempt, and SUCCEEDED, or FAILED with a
// reason a client may see (what could not be read, never database text), or back to QUEUED
// when River will try again.
func (w *importWorker) finish(runID int, rep *importer.Report, err error, last bool) {
	recordOutcome(w.graph, w.log, runID, rep, err, last)
}

func recordOutcome(graph *ent.Client, log *slog.Logger, runID int, rep *importer.Report, err error, last bool) {
	if runID == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u := graph.ImportRun.UpdateOneID(runID).SetFinishedAt(time.Now())
	if rep != nil {
		u.SetRead(rep.Read).SetCreated(rep.Created).SetUpdated(rep.Updated).SetUnchanged(rep.Unchanged).
			SetClosed(rep.Closed).SetRejected(rep.Rejected).SetUnclassified(rep.Unclassified).SetRejects(rep.Rejects)
	}
	switch {
	case err == nil:
		u.SetStatus(importrun.StatusSUCCEEDED).ClearError()
	case last:
		u.SetStatus(importrun.StatusFAILED).SetError(importer.Explain(err))
	default:
		u.SetStatus(importrun.StatusQUEUED).SetError(importer.Explain(err) + " (will retry)")
	}
	if uerr := u.Exec(ctx); uerr != nil {
		log.Error("import: recording the run", "run", runID, "err", uerr)
	}
}

type sweepWorker struct {
	river.WorkerDefaults[ExpirySweepArgs]
	graph    *ent.Client
	validity time.Duration
	log      *slog.Logger
}

func (w *sweepWorker) Work(ctx context.Context, job *river.Job[ExpirySweepArgs]) error {
	n, err := expiry.Sweep(ctx, w.graph, time.Now(), w.validity)
	if err != nil {
		return err
	}
	if n > 0 {
		w.log.Info("expired stale openings", "count", n)
	}
	return nil
}

type feedWorker struct {
	river.WorkerDefaults[FeedRefreshArgs]
	graph *ent.Client
	log   *slog.Logger
}

// Work starts an import of every enabled feed whose interval has passed since its last start.
// A feed is claimed by a conditional update of its last start, so two overlapping checks never
// start it twice.
func (w *feedWorker) Work(ctx context.Context, job *river.Job[FeedRefreshArgs]) error {
	c := river.ClientFromContext[*sql.Tx](ctx)
	now := time.Now()
	feeds, err := w.graph.FeedSource.Query().Where(feedsource.Enabled(true)).All(ctx)
	if err != nil {
		return err
	}
	for _, f := range feeds {
		if f.LastEnqueuedAt != nil && now.Sub(*f.LastEnqueuedAt) < time.Duration(f.IntervalMinutes)*time.Minute {
			continue
		}
		claim := w.graph.FeedSource.Update().Where(feedsource.ID(f.ID))
		if f.LastEnqueuedAt == nil {
			claim.Where(feedsource.LastEnqueuedAtIsNil())
		} else {
			claim.Where(feedsource.LastEnqueuedAt(*f.LastEnqueuedAt))
		}
		n, err := claim.SetLastEnqueuedAt(now).Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			continue // another check took it
		}
		if _, err := startImport(ctx, w.graph, c, f.Name, f.Full, []string{f.URL}); err != nil {
			return err
		}
		w.log.Info("feed import started", "feed", f.Name)
	}
	return nil
}
