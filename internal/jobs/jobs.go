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
	"bytes"
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
	"github.com/careergraph/careergraph/ent/importupload"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/database"
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
	// Upload: the document is the run's ImportUpload (an uploaded file kept in the
	// database), not Inputs.
	Upload bool `json:"upload,omitempty"`
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
	// AfterChunk, when set, is called after each chunk of an import with a run has committed
	// its checkpoint (tests stop the client there to play a crash).
	AfterChunk func(ctx context.Context, runID int, at importer.Cursor)
	// Written, when set, is told after each committed chunk that the importer wrote past the
	// graph client's hooks (COPY on PostgreSQL) which openings it created and updated, with the
	// run (0: none) whose counts the chunk moved: the server announces them (internal/live).
	Written func(ctx context.Context, runID int, created, updated []int)
	Log     *slog.Logger
}

// Runner is the River client and what it needs.
type Runner struct {
	client *river.Client[*sql.Tx]
	graph  *ent.Client
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
	river.AddWorker(workers, &importWorker{graph: graph, db: db, dia: dia, fetch: cfg.Fetch, log: cfg.Log, afterChunk: cfg.AfterChunk, written: cfg.Written})
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
	return &Runner{client: rc, graph: graph}, nil
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

// StartUpload records an ImportRun (QUEUED) with the uploaded document (an ImportUpload,
// kept until the run ends) and enqueues its job. name is the file's name (rejects name the
// document "upload <name>"), f its format.
func (in *Inserter) StartUpload(ctx context.Context, source string, full bool, name string, f importer.Format, content []byte) (*ent.ImportRun, error) {
	if err := importer.CheckSource(source); err != nil {
		return nil, err
	}
	c, err := in.riverClient(ctx)
	if err != nil {
		return nil, err
	}
	return startUpload(ctx, in.graph, c, source, full, name, f, content)
}

// StartUploadFrom reads an uploaded file (already bounded by the upload transport's
// MAX_UPLOAD_BYTES) and starts its import (StartUpload); the format comes from the file name's
// extension, else is sniffed. An empty file is a BAD_USER_INPUT on "file".
func (in *Inserter) StartUploadFrom(ctx context.Context, source string, full bool, name string, r io.Reader) (*ent.ImportRun, error) {
	if err := importer.CheckSource(source); err != nil {
		return nil, err
	}
	content, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("jobs: read upload: %w", err)
	}
	if len(bytes.TrimSpace(content)) == 0 {
		return nil, apperr.BadInput("file", "file: the uploaded file is empty")
	}
	return in.StartUpload(ctx, source, full, name, importer.FormatOf(name), content)
}

// StartUpload is Inserter.StartUpload on the runner's own client.
func (r *Runner) StartUpload(ctx context.Context, source string, full bool, name string, f importer.Format, content []byte) (*ent.ImportRun, error) {
	return startUpload(ctx, r.graph, r.client, source, full, name, f, content)
}

// StartImport is Inserter.StartImport on the runner's own client.
func (r *Runner) StartImport(ctx context.Context, source string, full bool, inputs []string) (*ent.ImportRun, error) {
	return startImport(ctx, r.graph, r.client, source, full, inputs)
}

// uploadName is how rejects and errors name an uploaded document.
func uploadName(name string) string { return "upload " + name }

func startUpload(ctx context.Context, graph *ent.Client, c *river.Client[*sql.Tx], source string, full bool, name string, f importer.Format, content []byte) (*ent.ImportRun, error) {
	if len(name) > 200 {
		name = name[:200]
	}
	if name == "" {
		name = "file"
	}
	run, err := graph.ImportRun.Create().SetSource(source).SetFull(full).SetInputs([]string{uploadName(name)}).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("jobs: record import run: %w", err)
	}
	fail := func(err error) (*ent.ImportRun, error) {
		_ = run.Update().SetStatus(importrun.StatusFAILED).SetError("could not be queued").Exec(ctx)
		_, _ = graph.ImportUpload.Delete().Where(importupload.RunID(run.ID)).Exec(ctx)
		return nil, err
	}
	if err := graph.ImportUpload.Create().SetRunID(run.ID).SetName(name).SetFormat(formatName(f)).SetContent(content).Exec(ctx); err != nil {
		return fail(fmt.Errorf("jobs: store upload: %w", err))
	}
	res, err := c.Insert(ctx, ImportArgs{Source: source, Full: full, Inputs: run.Inputs, RunID: run.ID, Upload: true}, nil)
	if err != nil {
		return fail(fmt.Errorf("jobs: insert import: %w", err))
	}
	return queued(ctx, run, res.Job.ID)
}

// queued records the job that works run and returns run as it was queued. The job may have
// started, or even finished a small import, before this returns; reading the run back would
// make the answer depend on that race, so the caller gets the state it queued (QUEUED) and
// follows the run's progress through importRuns.
func queued(ctx context.Context, run *ent.ImportRun, jobID int64) (*ent.ImportRun, error) {
	if err := run.Update().SetJobID(jobID).Exec(ctx); err != nil {
		return nil, fmt.Errorf("jobs: record import job: %w", err)
	}
	run.JobID = &jobID
	return run, nil
}

var formatNames = map[importer.Format]string{importer.FormatAuto: "auto", importer.FormatJSON: "json",
	importer.FormatJSONLines: "jsonl", importer.FormatHTML: "html"}

func formatName(f importer.Format) string { return formatNames[f] }

func formatOf(name string) importer.Format {
	for f, n := range formatNames {
		if n == name {
			return f
		}
	}
	return importer.FormatAuto
}

func startImport(ctx context.Context, graph *ent.Client, c *river.Client[*sql.Tx], source string, full bool, inputs []string) (*ent.ImportRun, error) {
	run, err := graph.ImportRun.Create().SetSource(source).SetFull(full).SetInputs(inputs).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("jobs: record import run: %w", err)
	}
	var res *rivertype.JobInsertResult
	res, err = c.Insert(ctx, ImportArgs{Source: source, Full: full, Inputs: inputs, RunID: run.ID}, nil)
	if err == nil {
		return queued(ctx, run, res.Job.ID)
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
	im, err := importer.New(ctx, in.graph, importer.Options{Source: source, Full: full, MaxRejects: 100, Log: log,
		SQL: in.db, Dialect: in.dia, TxClient: database.ClientOnTx})
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
	graph      *ent.Client
	db         *sql.DB
	dia        string
	fetch      importer.FetchOptions
	log        *slog.Logger
	afterChunk func(ctx context.Context, runID int, at importer.Cursor)
	written    func(ctx context.Context, runID int, created, updated []int)
}

// ImportResult is recorded as the import job's output (River's metadata): what it did.
type ImportResult struct {
	Read, Created, Updated, Unchanged, Closed, Rejected, Unclassified int
	Rejects                                                           []importer.Reject
	Incomplete                                                        bool
}

// Work runs one attempt of an import. With a run, the import is chunked (importer batches,
// 500 postings): each chunk commits the run's cursor and counts with its postings, and an
// attempt after a failure, a crash or a restart resumes from the last committed chunk.
func (w *importWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) (err error) {
	runID := job.Args.RunID
	opts := importer.Options{Source: job.Args.Source, Full: job.Args.Full, Log: w.log, MaxRejects: 100,
		SQL: w.db, Dialect: w.dia, TxClient: database.ClientOnTx}
	if w.written != nil {
		opts.Written = func(ctx context.Context, created, updated []int) { w.written(ctx, runID, created, updated) }
	}
	if runID != 0 {
		run, err := w.graph.ImportRun.Get(ctx, runID)
		if err != nil {
			return fmt.Errorf("import job: run %d: %w", runID, err)
		}
		u := run.Update().SetStatus(importrun.StatusRUNNING).SetAttempts(job.Attempt)
		if run.StartedAt == nil {
			u.SetStartedAt(time.Now())
		}
		if err := u.Exec(ctx); err != nil {
			return fmt.Errorf("import job: run %d: %w", runID, err)
		}
		opts.Checkpoint = func(ctx context.Context, tx *ent.Client, at importer.Checkpoint) error {
			r := at.Report
			return tx.ImportRun.UpdateOneID(runID).SetCursorInput(at.Cursor.Input).SetCursorRecord(at.Cursor.Record).
				SetRead(r.Read).SetCreated(r.Created).SetUpdated(r.Updated).SetUnchanged(r.Unchanged).
				SetRejected(r.Rejected).SetUnclassified(r.Unclassified).SetRejects(r.Rejects).Exec(ctx)
		}
		if w.afterChunk != nil {
			opts.Committed = func(ctx context.Context, at importer.Checkpoint) { w.afterChunk(ctx, runID, at.Cursor) }
		}
		if run.CursorInput > 0 || run.CursorRecord > 0 {
			opts.Resume = &importer.Checkpoint{Cursor: importer.Cursor{Input: run.CursorInput, Record: run.CursorRecord},
				Report: importer.Report{Read: run.Read, Created: run.Created, Updated: run.Updated, Unchanged: run.Unchanged,
					Rejected: run.Rejected, Unclassified: run.Unclassified, Rejects: run.Rejects}}
			if run.StartedAt != nil {
				opts.Resume.Report.Started = *run.StartedAt
			}
		}
	}
	im, err := importer.New(ctx, w.graph, opts)
	if err != nil {
		w.finish(runID, nil, err, true)
		// A bad source name will not get better on a retry.
		return river.JobCancel(err)
	}
	var rep *importer.Report
	if job.Args.Upload {
		up, uerr := w.graph.ImportUpload.Query().Where(importupload.RunID(runID)).Only(ctx)
		if uerr != nil {
			if ent.IsNotFound(uerr) {
				err = errors.New("the uploaded document is gone")
				w.finish(runID, nil, err, true)
				return river.JobCancel(err)
			}
			return fmt.Errorf("import job: upload of run %d: %w", runID, uerr)
		}
		rep, err = importer.RunDocs(ctx, im, []importer.Doc{importer.BytesDoc(uploadName(up.Name), up.Content, formatOf(up.Format))})
	} else {
		rep, err = importer.Run(ctx, im, job.Args.Inputs, w.fetch, nil)
	}
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
	// The counts of an attempt that will be retried stay as its last checkpoint committed
	// them: the retry resumes from there.
	if rep != nil && (err == nil || last) {
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
	if err == nil || last {
		// The run is over: its uploaded document (if any) is no longer needed.
		if _, derr := graph.ImportUpload.Delete().Where(importupload.RunID(runID)).Exec(ctx); derr != nil {
			log.Error("import: deleting the run's upload", "run", runID, "err", derr)
		}
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
