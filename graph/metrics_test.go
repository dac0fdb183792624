package graph_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/metrics"
	"github.com/careergraph/careergraph/internal/respcache"
	"github.com/careergraph/careergraph/internal/testenv"
	"github.com/careergraph/careergraph/internal/txretry"
)

// scrape reads the metrics as Prometheus would, through the handler, and returns the text.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, 200, rec.Code)
	return rec.Body.String()
}

// sample returns the value of the series name{labels} (a counter's value or a histogram's
// count), or -1 when there is none.
func sample(t *testing.T, m *metrics.Metrics, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := m.Registry().Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, s := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range s.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue next
				}
			}
			return value(s)
		}
	}
	return -1
}

func value(s *dto.Metric) float64 {
	switch {
	case s.Counter != nil:
		return s.Counter.GetValue()
	case s.Gauge != nil:
		return s.Gauge.GetValue()
	case s.Histogram != nil:
		return float64(s.Histogram.GetSampleCount())
	}
	return -1
}

// TestMetricsMoveWithRequests: after a few requests through the production handler the
// scraped metrics show them: durations by operation and outcome (anonymous and unparsable
// requests under fixed labels), errors by code, rate-limit refusals, a mutation retry, the
// match index and the database pool. The public handler does not serve /metrics.
func TestMetricsMoveWithRequests(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		_, tok := env.User(t, "editor@example.com", "EDITOR")
		m := metrics.New(env.DB.SQL)
		d := deadlocks{field: "createCompany", left: &atomic.Int64{}, calls: &atomic.Int64{}}
		h := env.HandlerWith(t, func(o *httpserver.Options) {
			o.Metrics = m
			o.Extensions = []graphql.HandlerExtension{d}
			o.Retry = txretry.Policy{Attempts: 3}
		})

		testenv.Post(t, h, `query RolePage { roles(first: 2) { edges { node { slug } } } }`, nil).MustData(t, &struct{}{})
		testenv.Post(t, h, `query RolePage { roles(first: 1) { edges { node { slug } } } }`, nil).MustData(t, &struct{}{})
		testenv.Post(t, h, `{ roles(first: 1) { totalCount } }`, nil).MustData(t, &struct{}{})
		bad := testenv.Post(t, h, `query Broken { nope }`, nil)
		require.Equal(t, "GRAPHQL_VALIDATION_FAILED", bad.Code(), bad.String())
		unparsable := testenv.Post(t, h, `query {`, nil)
		require.Equal(t, "GRAPHQL_PARSE_FAILED", unparsable.Code(), unparsable.String())
		testenv.Post(t, h, `query Match { match(profile: {skills: ["Go"], experienceYears: 3}, first: 3) { totalCount } }`, nil).MustData(t, &struct{}{})
		d.left.Store(1)
		res := testenv.PostAs(t, h, tok, `mutation AddCo { createCompany(input: {slug: "metrics-co", name: "Metrics Co"}) { id } }`, nil)
		require.Empty(t, res.Errors, res.String())

		dur := "careergraph_graphql_request_duration_seconds"
		assert.EqualValues(t, 2, sample(t, m, dur, map[string]string{"operation": "RolePage", "outcome": "ok"}))
		assert.EqualValues(t, 1, sample(t, m, dur, map[string]string{"operation": "anonymous", "outcome": "ok"}))
		// The lost run is not a response: the client saw one answer.
		assert.EqualValues(t, 1, sample(t, m, dur, map[string]string{"operation": "AddCo", "outcome": "ok"}))
		assert.EqualValues(t, -1, sample(t, m, dur, map[string]string{"operation": "AddCo", "outcome": "error"}))
		assert.EqualValues(t, -1, sample(t, m, "careergraph_graphql_errors_total", map[string]string{"code": "CONFLICT"}))
		// A document that does not validate or parse never became a named operation.
		assert.EqualValues(t, 2, sample(t, m, dur, map[string]string{"operation": "unknown", "outcome": "error"}))
		assert.EqualValues(t, 1, sample(t, m, "careergraph_graphql_errors_total", map[string]string{"code": "GRAPHQL_VALIDATION_FAILED"}))
		assert.EqualValues(t, 1, sample(t, m, "careergraph_graphql_errors_total", map[string]string{"code": "GRAPHQL_PARSE_FAILED"}))
		assert.EqualValues(t, 1, sample(t, m, "careergraph_mutation_retries_total", nil), "the lost run was retried once")
		assert.EqualValues(t, 0, sample(t, m, "careergraph_rate_limit_refusals_total", nil))
		assert.Greater(t, sample(t, m, "go_sql_max_open_connections", map[string]string{"db_name": "careergraph"}), 0.0, "pool stats")
		assert.Greater(t, sample(t, m, "careergraph_match_index_openings", nil), 0.0, "the match query built the index")

		text := scrape(t, m)
		for _, name := range []string{dur + "_bucket", "careergraph_match_index_openings", "careergraph_match_index_age_seconds", "go_goroutines"} {
			assert.Contains(t, text, name)
		}

		// A spent budget counts a refusal.
		tight := env.HandlerWith(t, func(o *httpserver.Options) {
			o.Metrics = m
			o.Limits.RatePoints = 1
		})
		for range 3 {
			testenv.Post(t, tight, `{ roles(first: 1) { totalCount } }`, nil)
		}
		// The first is allowed and spends the budget; the next two are refused before GraphQL.
		assert.EqualValues(t, 2, sample(t, m, "careergraph_rate_limit_refusals_total", nil))

		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		assert.Equal(t, http.StatusNotFound, rec.Code, "the public handler does not serve metrics")
		assert.False(t, strings.Contains(rec.Body.String(), "careergraph_"), "no metrics on the public port")
	})
}

// TestMetricsOperationLabelsAreBounded: distinct operation names beyond the cap share "other",
// and over-long names are cut.
func TestMetricsOperationLabelsAreBounded(t *testing.T) {
	env := testenv.Seeded(t, testenv.SQLite)
	m := metrics.New(nil)
	h := env.HandlerWith(t, func(o *httpserver.Options) {
		o.Metrics = m
		o.Limits.RatePoints = 1 << 30
	})
	for i := range metrics.MaxOperationNames + 5 {
		testenv.Post(t, h, `query Op`+strings.Repeat("x", i%3)+strconv.Itoa(i)+` { roles(first: 1) { totalCount } }`, nil)
	}
	mfs, err := m.Registry().Gather()
	require.NoError(t, err)
	ops := map[string]bool{}
	for _, mf := range mfs {
		if mf.GetName() == "careergraph_graphql_request_duration_seconds" {
			for _, s := range mf.GetMetric() {
				for _, l := range s.GetLabel() {
					if l.GetName() == "operation" {
						ops[l.GetValue()] = true
					}
				}
			}
		}
	}
	assert.Len(t, ops, metrics.MaxOperationNames+1, "the cap plus \"other\"")
	assert.True(t, ops["other"])
	assert.EqualValues(t, 5, sample(t, m, "careergraph_graphql_request_duration_seconds", map[string]string{"operation": "other"}))
}

// TestResponseCacheMetrics: the response cache's hits and misses reach /metrics.
func TestResponseCacheMetrics(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		m := metrics.New(env.DB.SQL)
		h := env.HandlerWith(t, func(o *httpserver.Options) {
			o.Metrics = m
			o.ResponseCache = respcache.New(1<<20, time.Minute)
		})
		for range 3 {
			testenv.Post(t, h, `{ roles(first: 2) { edges { node { slug } } } }`, nil).MustData(t, &struct{}{})
		}
		assert.EqualValues(t, 2, sample(t, m, "careergraph_response_cache_hits_total", nil))
		assert.EqualValues(t, 1, sample(t, m, "careergraph_response_cache_misses_total", nil))
	})
}
