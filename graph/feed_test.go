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

	"github.com/careergraph/careergraph/ent/importrun"
	"github.com/careergraph/careergraph/internal/importer"
	"github.com/careergraph/careergraph/internal/jobs"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestRegisteredFeedIsImportedOnSchedule: an editor registers a feed; the job queue's feed
// check starts its import once, and not again before its interval has passed.
func TestRegisteredFeedIsImportedOnSchedule(t *testing.T) {
	page, err := os.ReadFile("../internal/importer/testdata/careers.html")
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write(page)
	}))
	t.Cleanup(srv.Close)
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		_, token := env.User(t, "editor@example.com", "EDITOR")
		create := `mutation($in: CreateFeedSourceInput!) { createFeedSource(input: $in) { id name url intervalMinutes full enabled lastEnqueuedAt } }`

		bad := testenv.PostAs(t, h, token, create, map[string]any{"in": map[string]any{"name": "vaidyanet", "url": "ftp://x"}})
		assert.Equal(t, "BAD_USER_INPUT", bad.Code())
		assert.Contains(t, bad.String(), `"field":"input.url"`)
		bad = testenv.PostAs(t, h, token, create, map[string]any{"in": map[string]any{"name": "Vaidyanet Careers", "url": srv.URL}})
		assert.Equal(t, "BAD_USER_INPUT", bad.Code())
		assert.Contains(t, bad.String(), `"field":"input.name"`)
		bad = testenv.PostAs(t, h, token, create, map[string]any{"in": map[string]any{"name": "vaidyanet", "url": srv.URL, "intervalMinutes": 1}})
		assert.Equal(t, "BAD_USER_INPUT", bad.Code(), "at least 5 minutes")

		var created struct {
			CreateFeedSource struct {
				ID              string
				IntervalMinutes int
				Full, Enabled   bool
				LastEnqueuedAt  *time.Time
			} `json:"createFeedSource"`
		}
		testenv.PostAs(t, h, token, create, map[string]any{"in": map[string]any{"name": "vaidyanet", "url": srv.URL + "/careers"}}).MustData(t, &created)
		assert.Equal(t, 24*60, created.CreateFeedSource.IntervalMinutes, "daily by default")
		assert.True(t, created.CreateFeedSource.Full)
		assert.Nil(t, created.CreateFeedSource.LastEnqueuedAt)
		dup := testenv.PostAs(t, h, token, create, map[string]any{"in": map[string]any{"name": "vaidyanet", "url": srv.URL}})
		assert.Equal(t, "BAD_USER_INPUT", dup.Code(), "names are unique")

		r, err := jobs.New(ctx, env.DB.Client, env.DB.SQL, env.DB.Dialect, jobs.Config{
			SweepInterval: time.Hour, OpeningValidity: 60 * 24 * time.Hour, PollInterval: 50 * time.Millisecond,
			FeedCheckInterval: 200 * time.Millisecond, Fetch: importer.FetchOptions{AllowPrivate: true},
		})
		require.NoError(t, err)
		events, cancel := r.Client().Subscribe(river.EventKindJobCompleted)
		require.NoError(t, r.Start(ctx))
		t.Cleanup(func() {
			cancel()
			sctx, done := context.WithTimeout(ctx, 10*time.Second)
			defer done()
			_ = r.Stop(sctx)
		})
		imports, checks := 0, 0
		deadline := time.After(90 * time.Second)
		for imports < 1 || checks < 3 {
			select {
			case e := <-events:
				switch e.Job.Kind {
				case "import":
					imports++
				case "feed_refresh":
					checks++
				}
			case <-deadline:
				t.Fatalf("after 90 s: %d imports, %d feed checks", imports, checks)
			}
		}
		c := env.DB.Client
		runs := c.ImportRun.Query().Where(importrun.Source("vaidyanet")).AllX(ctx)
		require.Len(t, runs, 1, "one import, however many checks ran")
		assert.Equal(t, importrun.StatusSUCCEEDED, runs[0].Status)
		assert.Equal(t, 2, runs[0].Created)
		assert.True(t, runs[0].Full)
		f := c.FeedSource.Query().OnlyX(ctx)
		require.NotNil(t, f.LastEnqueuedAt)

		var paused struct {
			UpdateFeedSource struct{ Enabled bool } `json:"updateFeedSource"`
		}
		testenv.PostAs(t, h, token, `mutation($id: ID!) { updateFeedSource(id: $id, input: {enabled: false}) { enabled } }`,
			map[string]any{"id": created.CreateFeedSource.ID}).MustData(t, &paused)
		assert.False(t, paused.UpdateFeedSource.Enabled)
		var list struct {
			FeedSources struct{ TotalCount int } `json:"feedSources"`
		}
		testenv.PostAs(t, h, token, `{ feedSources(first: 5) { totalCount } }`, nil).MustData(t, &list)
		assert.Equal(t, 1, list.FeedSources.TotalCount)
		assert.Equal(t, "UNAUTHENTICATED", testenv.Post(t, h, `{ feedSources(first: 5) { totalCount } }`, nil).Code())
	})
}
