// Package respcache keeps the responses of anonymous read-only operations for a moment, so that
// the pages every visitor asks for (a role's cluster page, the role list, a skill's page) are
// answered without running again while nothing has changed.
//
// What it keeps, and for how long:
//
//   - Only queries, only for anonymous viewers (a signed-in viewer may see more than the
//     public does, and an editor must see their own edits at once), only when the operation
//     charged its cost and the response has no error, and never an operation that reads a
//     visitor's own input (match, roleFit and profileFromText take a profile or a CV, which
//     is personal data and is never kept: see Personal).
//   - Keyed by the document's text, the operation name and the coerced variables (SHA-256).
//   - For at most the TTL (RESPONSE_CACHE_TTL, 1 s by default), and only while no write has
//     been committed since it was computed: every committed write bumps a generation, here
//     at once and on the other replicas when the change reaches them (internal/live's bus:
//     LISTEN/NOTIFY on PostgreSQL, a few tens of milliseconds). An entry computed while a
//     write committed is stale on arrival and is never served. The TTL bounds what no
//     message announces: a write made around the graph client (psql, `careergraph gen`
//     against a running server) shows within the TTL.
//   - Bounded in bytes (RESPONSE_CACHE_BYTES, 32 MiB); one response larger than a sixteenth
//     of that is not kept.
//
// The cost limits and the rate limit run before it: a hit is charged as a miss would be, so
// the cache changes how fast the server answers, never how much a client may ask.
package respcache

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/maypok86/otter/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/careergraph/careergraph/internal/live"
	"github.com/careergraph/careergraph/internal/viewer"
)

// Defaults for the configuration variables.
const (
	DefaultTTL   = time.Second
	DefaultBytes = 32 << 20
)

// Personal are the root fields that read what the visitor sends about themselves (a profile,
// a CV's text): an operation asking for any of them is never kept.
var Personal = map[string]bool{"match": true, "roleFit": true, "profileFromText": true, "me": true}

// Cache is the response cache of one process. The zero value is not usable; use New.
type Cache struct {
	gen     atomic.Uint64
	store   *otter.Cache[[sha256.Size]byte, entry]
	maxItem int
	hits    atomic.Int64
	misses  atomic.Int64
}

type entry struct {
	gen  uint64
	data json.RawMessage
}

// New returns a cache keeping responses for ttl within maxBytes.
func New(maxBytes int64, ttl time.Duration) *Cache {
	return &Cache{
		store: otter.Must(&otter.Options[[sha256.Size]byte, entry]{
			MaximumWeight:    uint64(max(maxBytes, 1)),
			Weigher:          func(_ [sha256.Size]byte, e entry) uint32 { return uint32(len(e.data)) + 64 },
			ExpiryCalculator: otter.ExpiryWriting[[sha256.Size]byte, entry](ttl),
		}),
		maxItem: int(maxBytes / 16),
	}
}

// Invalidate makes every response kept so far stale: something was written.
func (c *Cache) Invalidate() {
	if c != nil {
		c.gen.Add(1)
	}
}

// Follow makes the messages of bus invalidate c: those this process publishes at once (its own
// writes), and those it receives from the other replicas when they arrive (Resync included).
func (c *Cache) Follow(bus *live.Bus) {
	bus.OnPublish(func(live.Message) { c.Invalidate() })
	bus.Handle(func(live.Message) { c.Invalidate() })
}

// Stats reports the hits and misses so far (metrics).
func (c *Cache) Stats() (hits, misses int64) { return c.hits.Load(), c.misses.Load() }

// Extension returns the gqlgen extension that answers from c. Register it after the rate
// limiter (so that hits are charged) and before the operation runs.
func (c *Cache) Extension() graphql.HandlerExtension { return extension{c} }

type extension struct{ c *Cache }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = extension{}

func (extension) ExtensionName() string                          { return "ResponseCache" }
func (extension) Validate(schema graphql.ExecutableSchema) error { return nil }

func (x extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	key, ok := keyOf(ctx)
	if !ok {
		return next(ctx)
	}
	gen := x.c.gen.Load() // before running: a write committed meanwhile makes the result stale
	if e, found := x.c.store.GetIfPresent(key); found && e.gen == gen {
		x.c.hits.Add(1)
		return &graphql.Response{Data: e.data}
	}
	x.c.misses.Add(1)
	resp := next(ctx)
	if resp != nil && len(resp.Errors) == 0 && len(graphql.GetErrors(ctx)) == 0 && len(resp.Data) > 0 &&
		len(resp.Data) <= x.c.maxItem {
		x.c.store.Set(key, entry{gen: gen, data: resp.Data})
	}
	return resp
}

// keyOf returns the cache key of the operation in ctx, or false when it must not be kept.
func keyOf(ctx context.Context) ([sha256.Size]byte, bool) {
	var key [sha256.Size]byte
	if viewer.From(ctx).SignedIn() || len(graphql.GetErrors(ctx)) > 0 || !graphql.HasOperationContext(ctx) {
		return key, false
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return key, false
	}
	if !public(&ast.InlineFragment{SelectionSet: oc.Operation.SelectionSet}) {
		return key, false
	}
	vars, err := json.Marshal(oc.Variables) // map keys sorted: one text per set of values
	if err != nil {
		return key, false
	}
	h := sha256.New()
	for _, part := range [][]byte{[]byte(oc.RawQuery), {0}, []byte(oc.OperationName), {0}, vars} {
		h.Write(part)
	}
	copy(key[:], h.Sum(nil))
	return key, true
}

// public reports whether a root selection reads nothing personal: no Personal field, directly
// or in a fragment.
func public(sel ast.Selection) bool {
	var set ast.SelectionSet
	switch s := sel.(type) {
	case *ast.Field:
		return !Personal[s.Name]
	case *ast.InlineFragment:
		set = s.SelectionSet
	case *ast.FragmentSpread:
		if s.Definition == nil {
			return false
		}
		set = s.Definition.SelectionSet
	}
	for _, c := range set {
		if !public(c) {
			return false
		}
	}
	return true
}
