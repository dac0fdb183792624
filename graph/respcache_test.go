package graph_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/live"
	"github.com/careergraph/careergraph/internal/respcache"
	"github.com/careergraph/careergraph/internal/testenv"
)

const cachedPage = `query($slug: String!) { role(slug: $slug) { title coreSkills { name }
	openings(first: 5, where: {status: LIVE}, orderBy: {field: POSTED_AT, direction: DESC}) { edges { node { title } } } } }`

// withResponses returns the production handler with a response cache following the env's live
// bus, as server.go wires it.
func withResponses(t *testing.T, env *testenv.Env, ttl time.Duration, adjust func(*httpserver.Options)) (*respcache.Cache, *live.Bus, func(token, query string, vars map[string]any) *testenv.Response) {
	t.Helper()
	bus, _ := env.Live(t)
	rc := respcache.New(1<<20, ttl)
	rc.Follow(bus)
	h := env.HandlerWith(t, func(o *httpserver.Options) {
		o.ResponseCache = rc
		if adjust != nil {
			adjust(o)
		}
	})
	return rc, bus, func(token, query string, vars map[string]any) *testenv.Response {
		return testenv.PostAs(t, h, token, query, vars)
	}
}

// TestResponseCache: an anonymous reader's repeat of a query is answered without a statement
// while nothing changed; other variables, a signed-in viewer and the personal fields always
// run; a write through the API, or through the graph client to data no subscription carries
// (a skill's name), is seen by the very next read.
func TestResponseCache(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		_, editor := env.User(t, "editor@example.com", "EDITOR")
		rc, _, post := withResponses(t, env, time.Minute, nil)
		statements := func(token, query string, vars map[string]any) (int, string) {
			env.Statements.Reset()
			r := post(token, query, vars)
			require.Empty(t, r.Errors, r.String())
			return env.Statements.Count(), string(r.Data)
		}
		backend := map[string]any{"slug": "backend-developer"}
		n, first := statements("", cachedPage, backend)
		require.Positive(t, n)
		n, again := statements("", cachedPage, backend)
		assert.Zero(t, n, "the repeat is answered from the cache:\n%s", env.Statements.Statements())
		assert.Equal(t, first, again)

		n, other := statements("", cachedPage, map[string]any{"slug": "frontend-developer"})
		assert.Positive(t, n, "other variables are another entry")
		assert.NotEqual(t, first, other)

		for range 2 {
			n, _ = statements(editor, cachedPage, backend)
			assert.Positive(t, n, "a signed-in viewer is never answered from the cache")
		}
		n, _ = statements("", cachedPage, backend)
		assert.Zero(t, n, "the editor's token use (its last_used_at, written by that first request) changed no public data")

		// A CV is personal data: never kept, so never served again.
		for _, q := range []struct {
			query string
			vars  map[string]any
		}{
			{`query { profileFromText(text: "Go and PostgreSQL developer, 4 years") { skills { name } } }`, nil},
			{`query($p: ProfileInput!) { match(profile: $p, first: 1) { edges { node { fitScore opening { title } } } } }`,
				map[string]any{"p": map[string]any{"cvText": "Java developer with Spring Boot, 4 years of experience"}}},
			{`query($p: ProfileInput!) { ...F } fragment F on Query { role(slug: "backend-developer") { title } match(profile: $p, first: 1) { totalCount } }`,
				map[string]any{"p": map[string]any{"cvText": "Java developer with Spring Boot, 4 years of experience"}}},
			{`query($p: ProfileInput!) { roles(first: 1) { totalCount } ... on Query { ... on Query { match(profile: $p, first: 1) { totalCount } } } }`,
				map[string]any{"p": map[string]any{"cvText": "Java developer with Spring Boot, 4 years of experience"}}},
		} {
			hits, misses := rc.Stats()
			for range 2 {
				r := post("", q.query, q.vars)
				require.Empty(t, r.Errors, r.String())
			}
			h2, m2 := rc.Stats()
			assert.Equal(t, hits, h2, "never a hit: %s", q.query)
			assert.Equal(t, misses, m2, "never even looked up: %s", q.query)
		}

		// A write through the API: the next anonymous read sees it.
		var id struct {
			Role struct{ ID string } `json:"role"`
		}
		post("", `query { role(slug: "backend-developer") { id } }`, nil).MustData(t, &id)
		r := post(editor, `mutation($id: ID!) { updateRole(id: $id, input: {title: "Backend Engineer"}) { id } }`, map[string]any{"id": id.Role.ID})
		require.Empty(t, r.Errors, r.String())
		var page struct {
			Role struct {
				Title      string
				CoreSkills []struct{ Name string } `json:"coreSkills"`
			} `json:"role"`
		}
		post("", cachedPage, backend).MustData(t, &page)
		assert.Equal(t, "Backend Engineer", page.Role.Title, "the edit shows at once")

		// A write through the graph client to a skill (no subscription carries skills).
		ctx := context.Background()
		s := env.DB.Client.Skill.Query().Where(skill.Name(page.Role.CoreSkills[0].Name)).OnlyX(ctx)
		env.DB.Client.Skill.UpdateOne(s).SetName("Renamed skill").ExecX(ctx)
		post("", cachedPage, backend).MustData(t, &page)
		assert.Equal(t, "Renamed skill", page.Role.CoreSkills[0].Name, "a skill's new name shows at once")
	})
}

// TestResponseCacheAcrossReplicas: a replica's kept response goes stale when another replica's
// write reaches it over LISTEN/NOTIFY (PostgreSQL; on SQLite there is one process).
func TestResponseCacheAcrossReplicas(t *testing.T) {
	for _, b := range testenv.Backends(t) {
		if b != testenv.Postgres {
			continue // replicas share a PostgreSQL database; an SQLite file serves one process
		}
		t.Run(string(b), func(t *testing.T) { cacheAcrossReplicas(t, b) })
	}
}

func cacheAcrossReplicas(t *testing.T, b testenv.Backend) {
	env := testenv.Seeded(t, b)
	env.Live(t) // replica A: the hook on env's client publishes its writes
	// Replica B: its own listener and cache, and no hook (it writes nothing here).
	busB, err := live.NewPostgres(context.Background(), env.DB.SQL, env.URL, true, nil)
	require.NoError(t, err)
	t.Cleanup(busB.Close)
	rcB := respcache.New(1<<20, time.Minute)
	rcB.Follow(busB)
	hB := env.HandlerWith(t, func(o *httpserver.Options) { o.ResponseCache = rcB })
	title := func() string {
		var page struct {
			Role struct{ Title string } `json:"role"`
		}
		testenv.Post(t, hB, cachedPage, map[string]any{"slug": "backend-developer"}).MustData(t, &page)
		return page.Role.Title
	}
	require.Equal(t, "Backend Developer", title())
	hits, _ := rcB.Stats()
	require.Equal(t, "Backend Developer", title())
	h2, _ := rcB.Stats()
	require.Equal(t, hits+1, h2, "B keeps the page")

	ctx := context.Background()
	r := env.DB.Client.Role.Query().Where(role.Slug("backend-developer")).OnlyX(ctx)
	env.DB.Client.Role.UpdateOne(r).SetTitle("Backend Engineer").ExecX(ctx) // on A
	assert.Eventually(t, func() bool { return title() == "Backend Engineer" }, 5*time.Second, 20*time.Millisecond,
		"B serves the new title once A's notification arrives")
}

// TestResponseCacheHitsAreCharged plays the attacker who repeats one cached query to get past
// the rate limit: hits cost what the query costs, and the budget runs out as fast.
func TestResponseCacheHitsAreCharged(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		rc, _, post := withResponses(t, env, time.Minute, func(o *httpserver.Options) { o.Limits.RatePoints = 40 })
		var last *testenv.Response
		accepted, points := 0, 0
		for range 100 {
			if last = post("", cachedPage, map[string]any{"slug": "backend-developer"}); last.Code() == "RATE_LIMITED" {
				break
			}
			accepted++
			if points == 0 {
				points, _ = strconv.Atoi(last.Header.Get("X-RateLimit-Cost"))
				require.Positive(t, points, last.String())
			}
		}
		require.Equal(t, "RATE_LIMITED", last.Code(), last.String())
		hits, _ := rc.Stats()
		assert.Equal(t, int64(accepted-1), hits, "every accepted repeat was a hit")
		assert.Equal(t, 40/points, accepted, "each hit was charged the page's %d points, as the first run was", points)
	})
}
