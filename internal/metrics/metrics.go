// Package metrics keeps careergraph's Prometheus metrics (client_golang) in a registry of its
// own, served by Handler on a listener apart from the public one (METRICS_ADDR).
//
// Every method is safe on a nil *Metrics and does nothing, so code that reports can do so
// unconditionally while metrics are off.
//
// Labels are bounded: the operation label is the GraphQL operation's name for the first
// MaxOperationNames distinct names seen (capped at MaxNameBytes), "anonymous" for unnamed
// operations, "unknown" for requests that never became an operation (unparsable, refused
// before parsing), and "other" once the set is full, so that clients cannot grow the series
// without bound. Error codes are the closed set of extensions.code values the server writes.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vektah/gqlparser/v2/ast"
)

// Bounds on the operation label.
const (
	MaxOperationNames = 200
	MaxNameBytes      = 64
)

// Fixed operation labels.
const (
	OpAnonymous = "anonymous"
	OpUnknown   = "unknown"
	OpOther     = "other"
)

// Outcomes of an operation: ok (no errors) or error (at least one).
const (
	OutcomeOK    = "ok"
	OutcomeError = "error"
)

// Metrics is the set of careergraph's metrics and the registry that serves them.
type Metrics struct {
	reg         *prometheus.Registry
	duration    *prometheus.HistogramVec
	errors      *prometheus.CounterVec
	rateLimited prometheus.Counter
	retries     prometheus.Counter
	liveConns   *prometheus.GaugeVec
	liveSubs    *prometheus.GaugeVec

	namesMu sync.Mutex
	names   map[string]bool

	matchIndex atomic.Pointer[func() (live int, builtAt time.Time, fromImage bool)]
	responses  atomic.Pointer[func() (hits, misses int64)]
}

// New registers the metrics, with the Go runtime's, the process's and db's pool statistics
// (sql.DBStats, client_golang's go_sql_* series with db_name="careergraph"; db may be nil).
func New(db *sql.DB) *Metrics {
	m := &Metrics{
		reg:   prometheus.NewRegistry(),
		names: map[string]bool{},
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "careergraph_graphql_request_duration_seconds",
			Help:    "Time from a GraphQL request's arrival to its response, by operation name and outcome (ok, error).",
			Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation", "outcome"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "careergraph_graphql_errors_total",
			Help: "GraphQL errors sent to clients, by extensions.code.",
		}, []string{"code"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "careergraph_rate_limit_refusals_total",
			Help: "Requests refused because the caller's rate-limit budget was spent.",
		}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "careergraph_mutation_retries_total",
			Help: "Times a mutation that lost to concurrent writers ran again (txretry).",
		}),
		liveConns: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "careergraph_live_connections",
			Help: "Open live-update connections, by transport (websocket, sse).",
		}, []string{"transport"}),
		liveSubs: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "careergraph_live_subscriptions",
			Help: "Running subscriptions, by field (openingsChanged, roleChanged, importRunProgress).",
		}, []string{"field"}),
	}
	for _, t := range []string{"websocket", "sse"} {
		m.liveConns.WithLabelValues(t)
	}
	for _, f := range []string{"openingsChanged", "roleChanged", "importRunProgress"} {
		m.liveSubs.WithLabelValues(f)
	}
	m.reg.MustRegister(m.duration, m.errors, m.rateLimited, m.retries, m.liveConns, m.liveSubs,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "careergraph_match_index_openings",
			Help: "Live openings in this process's in-memory match index.",
		}, func() float64 {
			live, _, _ := m.matchStats()
			return float64(live)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "careergraph_match_index_age_seconds",
			Help: "Seconds since this process's match index was last built in full; 0 before the first build.",
		}, func() float64 {
			_, at, _ := m.matchStats()
			if at.IsZero() {
				return 0
			}
			return time.Since(at).Seconds()
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "careergraph_match_index_from_image",
			Help: "1 while this process's match index is one it loaded from a stored image (internal/matching, images.go) rather than built from the tables; 0 after its next full build.",
		}, func() float64 {
			if _, _, from := m.matchStats(); from {
				return 1
			}
			return 0
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "careergraph_response_cache_hits_total",
			Help: "Anonymous queries answered from the response cache (internal/respcache).",
		}, func() float64 { h, _ := m.responseStats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "careergraph_response_cache_misses_total",
			Help: "Anonymous queries the response cache could keep that ran (nothing kept, or kept before the last change).",
		}, func() float64 { _, mi := m.responseStats(); return float64(mi) }),
	)
	if db != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(db, "careergraph"))
	}
	return m
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the registry behind Handler, for tests and for adding collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// RateLimited counts a refusal for a spent budget.
func (m *Metrics) RateLimited() {
	if m != nil {
		m.rateLimited.Inc()
	}
}

// LiveConnection moves the count of open live connections of transport (websocket, sse).
func (m *Metrics) LiveConnection(transport string, delta int) {
	if m != nil {
		m.liveConns.WithLabelValues(transport).Add(float64(delta))
	}
}

// LiveSubscription moves the count of running subscriptions to field; it has the signature of
// live.Hub.OnSubscriptions. field is one of the schema's three subscription fields.
func (m *Metrics) LiveSubscription(field string, delta int) {
	if m != nil {
		m.liveSubs.WithLabelValues(field).Add(float64(delta))
	}
}

// Retried counts a mutation run again after losing to concurrent writers.
func (m *Metrics) Retried() {
	if m != nil {
		m.retries.Inc()
	}
}

// SetMatchIndex names where the match index gauges read from: a function returning the
// live openings indexed, when the index was last built, and whether it came from a stored
// image.
func (m *Metrics) SetMatchIndex(stats func() (live int, builtAt time.Time, fromImage bool)) {
	if m != nil {
		m.matchIndex.Store(&stats)
	}
}

// SetResponseCache gives the metrics the response cache's counts.
func (m *Metrics) SetResponseCache(stats func() (hits, misses int64)) {
	if m != nil {
		m.responses.Store(&stats)
	}
}

func (m *Metrics) responseStats() (int64, int64) {
	if f := m.responses.Load(); f != nil {
		return (*f)()
	}
	return 0, 0
}

func (m *Metrics) matchStats() (int, time.Time, bool) {
	if f := m.matchIndex.Load(); f != nil {
		return (*f)()
	}
	return 0, time.Time{}, false
}

// operation returns the bounded label for an operation name.
func (m *Metrics) operation(oc *graphql.OperationContext) string {
	if oc == nil || oc.Operation == nil {
		return OpUnknown
	}
	name := oc.Operation.Name
	if name == "" {
		return OpAnonymous
	}
	if len(name) > MaxNameBytes {
		name = name[:MaxNameBytes]
	}
	m.namesMu.Lock()
	defer m.namesMu.Unlock()
	if m.names[name] {
		return name
	}
	if len(m.names) >= MaxOperationNames {
		return OpOther
	}
	m.names[name] = true
	return name
}

// Extension returns the gqlgen extension that times every GraphQL response and counts its
// errors by code. Install it first (outermost), so that it sees what clients see.
func (m *Metrics) Extension() graphql.HandlerExtension { return extension{m} }

type extension struct{ m *Metrics }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = extension{}

func (extension) ExtensionName() string                   { return "Metrics" }
func (extension) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation times an operation's response as the client gets it: outermost, it wraps
// the retry of a lost mutation, whose discarded runs are not responses.
func (e extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	h := next(context.WithValue(ctx, operationKey{}, true))
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		e.observe(ctx, resp)
		return resp
	}
}

type operationKey struct{}

// InterceptResponse sees the responses that never became an operation (a document that does
// not parse or validate, a refused persisted query): gqlgen answers those without running
// the operation interceptors.
func (e extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if ctx.Value(operationKey{}) == nil {
		e.observe(ctx, resp)
	}
	return resp
}

func (e extension) observe(ctx context.Context, resp *graphql.Response) {
	if e.m == nil || resp == nil {
		return
	}
	var oc *graphql.OperationContext
	start := time.Time{}
	if graphql.HasOperationContext(ctx) {
		oc = graphql.GetOperationContext(ctx)
		start = oc.Stats.OperationStart
	}
	outcome := OutcomeOK
	if len(resp.Errors) > 0 {
		outcome = OutcomeError
	}
	for _, err := range resp.Errors {
		code, _ := err.Extensions["code"].(string)
		if code == "" || len(code) > 40 {
			code = "NONE" // every error the server writes has a code; keep the label set closed
		}
		e.m.errors.WithLabelValues(code).Inc()
	}
	// A subscription's events are not requests: timing them from the subscribe would fill the
	// histogram with how long clients stay subscribed (careergraph_live_subscriptions counts
	// them instead). Their errors are counted above.
	if oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
		return
	}
	if !start.IsZero() {
		e.m.duration.WithLabelValues(e.m.operation(oc), outcome).Observe(time.Since(start).Seconds())
	}
}
