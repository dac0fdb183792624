package graph_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/importer"
	"github.com/careergraph/careergraph/internal/jobs"
	"github.com/careergraph/careergraph/internal/testenv"
)

type importRun struct {
	ID                      string
	Source, Status          string
	Full                    bool
	Inputs                  []string
	Read, Created, Rejected int
	Unclassified, Attempts  int
	Error                   *string
	Rejects                 []struct{ Document, Position, Reason string }
	StartedAt, FinishedAt   *time.Time
}

const runFields = `id source status full inputs read created rejected unclassified attempts error
	rejects { document position reason } startedAt finishedAt`

// workers starts a real River client on env's database and returns a channel of finished
// import jobs.
func workers(t *testing.T, env *testenv.Env, allowPrivate bool) <-chan *river.Event {
	t.Helper()
	ctx := context.Background()
	r, err := jobs.New(ctx, env.DB.Client, env.DB.SQL, env.DB.Dialect, jobs.Config{
		SweepInterval: time.Hour, OpeningValidity: 60 * 24 * time.Hour, PollInterval: 50 * time.Millisecond,
		Fetch: importer.FetchOptions{AllowPrivate: allowPrivate},
	})
	require.NoError(t, err)
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobCancelled, river.EventKindJobFailed)
	require.NoError(t, r.Start(ctx))
	t.Cleanup(func() {
		cancel()
		sctx, done := context.WithTimeout(ctx, 10*time.Second)
		defer done()
		_ = r.Stop(sctx)
	})
	out := make(chan *river.Event, 8)
	go func() {
		for e := range events {
			if e.Job.Kind == "import" && e.Kind != river.EventKindJobFailed {
				out <- e
			}
		}
	}()
	return out
}

func awaitImport(t *testing.T, events <-chan *river.Event) {
	t.Helper()
	select {
	case <-events:
	case <-time.After(60 * time.Second):
		t.Fatal("the import job did not finish within 60 s")
	}
}

// TestImportOpeningsThroughTheAPI: an editor starts an import of a careers page by URL; the
// job queue works it; importRuns shows the counts and the reject with its position.
func TestImportOpeningsThroughTheAPI(t *testing.T) {
	page, err := os.ReadFile("../internal/importer/testdata/careers.html")
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write(page)
	}))
	t.Cleanup(srv.Close)
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		events := workers(t, env, true)
		_, token := env.User(t, "editor@example.com", "EDITOR")
		mutation := `mutation($url: String!, $source: String) { importOpenings(url: $url, source: $source, full: true) { ` + runFields + ` } }`

		anon := testenv.Post(t, h, mutation, map[string]any{"url": srv.URL + "/careers"})
		assert.Equal(t, "UNAUTHENTICATED", anon.Code())
		bad := testenv.PostAs(t, h, token, mutation, map[string]any{"url": "file:///etc/passwd"})
		assert.Equal(t, "BAD_USER_INPUT", bad.Code())
		assert.Contains(t, bad.String(), `"field":"url"`)
		bad = testenv.PostAs(t, h, token, mutation, map[string]any{"url": srv.URL, "source": "Not Valid"})
		assert.Equal(t, "BAD_USER_INPUT", bad.Code())
		assert.Contains(t, bad.String(), `"field":"source"`)

		var started struct {
			ImportOpenings importRun `json:"importOpenings"`
		}
		testenv.PostAs(t, h, token, mutation, map[string]any{"url": srv.URL + "/careers", "source": "vaidyanet"}).MustData(t, &started)
		assert.Equal(t, "vaidyanet", started.ImportOpenings.Source)
		assert.True(t, started.ImportOpenings.Full)
		assert.Equal(t, []string{srv.URL + "/careers"}, started.ImportOpenings.Inputs)
		awaitImport(t, events)

		var runs struct {
			ImportRuns struct {
				TotalCount int `json:"totalCount"`
				Edges      []struct {
					Node importRun `json:"node"`
				} `json:"edges"`
			} `json:"importRuns"`
		}
		q := `{ importRuns(first: 10) { totalCount edges { node { ` + runFields + ` } } } }`
		assert.Equal(t, "UNAUTHENTICATED", testenv.Post(t, h, q, nil).Code(), "runs are for editors")
		testenv.PostAs(t, h, token, q, nil).MustData(t, &runs)
		require.Equal(t, 1, runs.ImportRuns.TotalCount)
		run := runs.ImportRuns.Edges[0].Node
		assert.Equal(t, started.ImportOpenings.ID, run.ID)
		assert.Equal(t, "SUCCEEDED", run.Status)
		assert.Equal(t, []int{3, 2, 1, 1}, []int{run.Read, run.Created, run.Rejected, run.Attempts})
		require.Len(t, run.Rejects, 1)
		assert.Equal(t, "script 3", run.Rejects[0].Position)
		assert.Contains(t, run.Rejects[0].Reason, "malformed JSON")
		require.NotNil(t, run.StartedAt)
		require.NotNil(t, run.FinishedAt)
		assert.False(t, run.FinishedAt.Before(*run.StartedAt))
		assert.Nil(t, run.Error)
	})
}

// TestImportOpeningsRefusesPrivateAddresses: with the production fetch options, a URL on
// loopback fails at once (no retries) with a reason, not a stack of network errors.
func TestImportOpeningsRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the server was reached")
	}))
	t.Cleanup(srv.Close)
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		events := workers(t, env, false)
		_, token := env.User(t, "editor@example.com", "EDITOR")
		var started struct {
			ImportOpenings importRun `json:"importOpenings"`
		}
		testenv.PostAs(t, h, token, `mutation($url: String!) { importOpenings(url: $url) { `+runFields+` } }`,
			map[string]any{"url": srv.URL + "/internal"}).MustData(t, &started)
		assert.Equal(t, "127.0.0.1", started.ImportOpenings.Source, "the source defaults to the host")
		awaitImport(t, events)
		var d struct {
			Node importRun `json:"node"`
		}
		testenv.PostAs(t, h, token, `query($id: ID!) { node(id: $id) { ... on ImportRun { `+runFields+` } } }`,
			map[string]any{"id": started.ImportOpenings.ID}).MustData(t, &d)
		assert.Equal(t, "FAILED", d.Node.Status)
		require.NotNil(t, d.Node.Error)
		assert.Contains(t, *d.Node.Error, "address not allowed")
		assert.Equal(t, 1, d.Node.Attempts)
	})
}

// TestImportDocumentFromTheRequestBody: a feed sent in the request is imported at once.
func TestImportDocumentFromTheRequestBody(t *testing.T) {
	content, err := os.ReadFile("../internal/importer/testdata/broken.jsonl")
	require.NoError(t, err)
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		_, token := env.User(t, "editor@example.com", "EDITOR")
		m := `mutation($c: String!, $s: String!) { importDocument(content: $c, source: $s) { ` + runFields + ` } }`
		assert.Equal(t, "UNAUTHENTICATED", testenv.Post(t, h, m, map[string]any{"c": string(content), "s": "pasted"}).Code())
		bad := testenv.PostAs(t, h, token, m, map[string]any{"c": string(content), "s": "Pasted Feed"})
		assert.Equal(t, "BAD_USER_INPUT", bad.Code())
		assert.Contains(t, bad.String(), `"field":"source"`)

		var d struct {
			ImportDocument importRun `json:"importDocument"`
		}
		testenv.PostAs(t, h, token, m, map[string]any{"c": string(content), "s": "pasted"}).MustData(t, &d)
		run := d.ImportDocument
		assert.Equal(t, "SUCCEEDED", run.Status)
		assert.Equal(t, []int{10, 2, 8}, []int{run.Read, run.Created, run.Rejected})
		assert.Equal(t, []string{"request body"}, run.Inputs)
		require.Len(t, run.Rejects, 8)
		assert.Equal(t, "request body", run.Rejects[0].Document)
		assert.Equal(t, "line 2", run.Rejects[0].Position)
	})
}
