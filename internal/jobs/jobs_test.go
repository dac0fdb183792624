package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/importer"
	"github.com/careergraph/careergraph/internal/jobs"
	"github.com/careergraph/careergraph/internal/testenv"
)

func start(t *testing.T, env *testenv.Env, sweep time.Duration) (*jobs.Runner, <-chan *river.Event) {
	t.Helper()
	return startWith(t, env, jobs.Config{
		SweepInterval: sweep, OpeningValidity: 60 * 24 * time.Hour, PollInterval: 50 * time.Millisecond,
		Fetch: importer.FetchOptions{AllowPrivate: true},
	})
}

// testLog sends the job runner's warnings to the test's log.
func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(logWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func startWith(t *testing.T, env *testenv.Env, cfg jobs.Config) (*jobs.Runner, <-chan *river.Event) {
	t.Helper()
	ctx := context.Background()
	r, err := jobs.New(ctx, env.DB.Client, env.DB.SQL, env.DB.Dialect, cfg)
	require.NoError(t, err)
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	require.NoError(t, r.Start(ctx))
	t.Cleanup(func() {
		cancel()
		stopCtx, done := context.WithTimeout(ctx, 10*time.Second)
		defer done()
		_ = r.Stop(stopCtx)
	})
	return r, events
}

// await returns the first event of a job of kind that is final (completed, or failed on its
// last attempt, or cancelled), waiting generously: River polls, and retries after a backoff.
func await(t *testing.T, events <-chan *river.Event, kind string, attemptsFailed *int) *river.Event {
	t.Helper()
	deadline := time.After(90 * time.Second)
	for {
		select {
		case e := <-events:
			if e.Job.Kind != kind {
				continue
			}
			if e.Kind == river.EventKindJobFailed && e.Job.State != rivertype.JobStateDiscarded {
				if attemptsFailed != nil {
					*attemptsFailed++
				}
				continue
			}
			return e
		case <-deadline:
			t.Fatalf("no final %s job event within 90 s", kind)
			return nil
		}
	}
}

func output(t *testing.T, e *river.Event) jobs.ImportResult {
	t.Helper()
	var out jobs.ImportResult
	require.NoError(t, json.Unmarshal(e.Job.Output(), &out))
	return out
}

func feed(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"@type":"JobPosting","title":"Backend Developer","description":"Go and PostgreSQL.","identifier":"J-%d","datePosted":"2026-11-20","validThrough":"2030-01-01","hiringOrganization":"Stackmanthan","jobLocation":{"address":{"addressLocality":"Pune","addressCountry":"IN"}}}`+"\n", i)
	}
	return b.String()
}

// TestImportJobKilledHalfwayResumes: the feed's connection dies after 300 of 450 postings; the
// job fails, River retries it, and the retry imports the rest without duplicating the first
// 300 (they are unchanged).
func TestImportJobKilledHalfwayResumes(t *testing.T) {
	body := feed(450)
	cut := 0
	for i := 0; i < 300; i++ {
		cut += strings.IndexByte(body[cut:], '\n') + 1
	}
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		var requests atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			if requests.Add(1) == 1 {
				_, _ = w.Write([]byte(body[:cut])) // then the handler returns: the connection is cut short
				return
			}
			_, _ = w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		ctx := context.Background()
		env := testenv.Seeded(t, b)
		r, events := start(t, env, time.Hour)
		_, err := r.Import(ctx, jobs.ImportArgs{Source: "killed", Full: true, Inputs: []string{srv.URL + "/feed.jsonl"}})
		require.NoError(t, err)
		failed := 0
		e := await(t, events, "import", &failed)
		require.Equal(t, rivertype.JobStateCompleted, e.Job.State, "errors: %v", e.Job.Errors)
		assert.Equal(t, 1, failed, "the first attempt failed")
		assert.Equal(t, int32(2), requests.Load())
		out := output(t, e)
		assert.Equal(t, []int{450, 150, 300}, []int{out.Read, out.Created, out.Unchanged})
		assert.Equal(t, 450, env.DB.Client.Opening.Query().Where(opening.Source("import:killed")).CountX(ctx), "no duplicates")
	})
}

// TestImportJobFromFile runs an import job of a fixture file on a real River client.
func TestImportJobFromFile(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		env := testenv.Seeded(t, b)
		r, events := start(t, env, time.Hour)
		_, err := r.Import(ctx, jobs.ImportArgs{Source: "files", Inputs: []string{"../importer/testdata/array.json", "../importer/testdata/broken.jsonl"}})
		require.NoError(t, err)
		e := await(t, events, "import", nil)
		require.Equal(t, rivertype.JobStateCompleted, e.Job.State)
		out := output(t, e)
		assert.Equal(t, []int{13, 5, 8}, []int{out.Read, out.Created, out.Rejected})
		require.Len(t, out.Rejects, 8)
		assert.Equal(t, "line 2", out.Rejects[0].Position)
		assert.Equal(t, 5, env.DB.Client.Opening.Query().Where(opening.Source("import:files")).CountX(ctx))
	})
}

// TestPeriodicSweep: River's periodic expiry job runs on start and expires an overdue opening.
func TestPeriodicSweep(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		env := testenv.Seeded(t, b)
		c := env.DB.Client
		o := c.Opening.Query().Where(opening.Source("sample"), opening.StatusEQ(opening.StatusLIVE)).FirstX(ctx)
		overdue := c.Opening.Create().SetSource("manual").SetExternalID("overdue").SetTitle("Backend Developer").
			SetCompanyID(o.CompanyID).SetWorkMode(opening.WorkModeREMOTE).SetPostedAt(time.Now().Add(-90 * 24 * time.Hour)).
			SetValidThrough(time.Now().Add(-time.Hour)).SaveX(ctx)
		_, events := start(t, env, time.Hour)
		e := await(t, events, "expiry_sweep", nil)
		require.Equal(t, rivertype.JobStateCompleted, e.Job.State)
		assert.Equal(t, opening.StatusEXPIRED, c.Opening.GetX(ctx, overdue.ID).Status)
		assert.Equal(t, opening.StatusLIVE, c.Opening.GetX(ctx, o.ID).Status, "sample openings are left alone")
	})
}

// TestImportResumesFromCheckpoint: an uploaded feed of 1,800 postings is imported in chunks
// of 500; after the second chunk has committed, the River client is stopped (the job's
// context cancelled, as a crash or a shutdown would), and a new client on the same database
// resumes the job from the committed cursor: the resumed attempt reads and writes only the
// last 800, nothing is duplicated, and the run's counts are those of one clean import.
func TestImportResumesFromCheckpoint(t *testing.T) {
	body := []byte(feed(1800))
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		env := testenv.Seeded(t, b)
		cfg := jobs.Config{SweepInterval: time.Hour, OpeningValidity: 60 * 24 * time.Hour, PollInterval: 50 * time.Millisecond,
			Log: testLog(t)}
		var first *jobs.Runner
		var chunks atomic.Int32
		stopped := make(chan struct{})
		cfg.AfterChunk = func(jobCtx context.Context, runID int, at importer.Cursor) {
			if chunks.Add(1) == 2 {
				go func() {
					defer close(stopped)
					_ = first.Client().StopAndCancel(ctx)
				}()
				// The job's context is cancelled by the stop; the import ends at its next record.
				<-jobCtx.Done()
			}
		}
		var err error
		first, err = jobs.New(ctx, env.DB.Client, env.DB.SQL, env.DB.Dialect, cfg)
		require.NoError(t, err)
		require.NoError(t, first.Start(ctx))
		run, err := first.StartUpload(ctx, "resumed", true, "feed.jsonl", importer.FormatJSONLines, body)
		require.NoError(t, err)
		select {
		case <-stopped:
		case <-time.After(90 * time.Second):
			t.Fatal("the import did not reach its second chunk")
		}
		c := env.DB.Client
		mid := c.ImportRun.GetX(ctx, run.ID)
		assert.Equal(t, []int{0, 1000}, []int{mid.CursorInput, mid.CursorRecord}, "two chunks committed")
		assert.Equal(t, []int{1000, 1000}, []int{mid.Read, mid.Created})
		assert.Equal(t, 1000, c.Opening.Query().Where(opening.Source("import:resumed")).CountX(ctx), "nothing half-written")
		assert.Equal(t, 1, c.ImportUpload.Query().CountX(ctx), "the document survives for the resume")

		// A new process: a new client on the same database picks the job up again.
		cfg.AfterChunk = nil
		_, events := startWith(t, env, cfg)
		e := await(t, events, "import", nil)
		require.Equal(t, rivertype.JobStateCompleted, e.Job.State, "errors: %v", e.Job.Errors)
		done := c.ImportRun.GetX(ctx, run.ID)
		assert.Equal(t, "SUCCEEDED", string(done.Status))
		assert.Equal(t, []int{1800, 1800, 0, 0}, []int{done.Read, done.Created, done.Unchanged, done.Updated},
			"the resumed attempt created the last 800 and found none of the first 1,000 again")
		assert.GreaterOrEqual(t, done.Attempts, 1)
		assert.Equal(t, 1800, c.Opening.Query().Where(opening.Source("import:resumed")).CountX(ctx), "no duplicates")
		var links, skillCount int
		require.NoError(t, env.DB.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM opening_skills WHERE opening_id IN (SELECT id FROM openings WHERE source = 'import:resumed')`).Scan(&links))
		require.NoError(t, env.DB.SQL.QueryRowContext(ctx, `SELECT SUM(skill_count) FROM openings WHERE source = 'import:resumed'`).Scan(&skillCount))
		assert.Equal(t, 2*1800, skillCount, "Go and PostgreSQL on each")
		assert.Equal(t, skillCount, links, "no link written twice or half")
		assert.Zero(t, c.ImportUpload.Query().CountX(ctx), "the document is deleted once the run is over")
	})
}
