package graph_test

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/testenv"
)

// Memory bounds of the hostile corpus (README, Protection): what the server keeps after the
// corpus has run many times, and what it allocates per hostile request on average.
const (
	maxRetainedGrowth    = 32 << 20 // bytes of live heap after GC
	maxAllocPerRequest   = 8 << 20  // bytes allocated per request, averaged over the corpus
	hostileCorpusRepeats = 10
)

// TestHostileCorpusMemoryBound runs every request of the attack suite hostileCorpusRepeats
// times through the production handler and measures the Go heap (runtime.ReadMemStats after
// a GC, not RSS, which depends on when the runtime returns memory to the OS): the live heap
// grows by less than maxRetainedGrowth and requests allocate less than maxAllocPerRequest
// each on average. Before the limits, one unpaged openings query on 1M rows took RSS from
// 90 MB to 2.1 GB.
func TestHostileCorpusMemoryBound(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the attack corpus many times")
	}
	env := testenv.Seeded(t, testenv.SQLite)
	h := env.HandlerWith(t, func(o *httpserver.Options) { o.Limits.RatePoints = 1 << 30 })
	cases := abuseCases()
	// One warm-up round fills the caches (parsed queries, prepared lookups) that are bounded
	// by count and would otherwise be counted as growth.
	for _, tc := range cases {
		send(t, h, tc)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := 0
	for range hostileCorpusRepeats {
		for _, tc := range cases {
			res := send(t, h, tc)
			require.Less(t, res.Status, 500)
			n++
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	growth := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	perRequest := (after.TotalAlloc - before.TotalAlloc) / uint64(n)
	t.Logf("%d hostile requests: live heap %+d kB, %d kB allocated per request on average",
		n, growth>>10, perRequest>>10)
	assert.Less(t, growth, int64(maxRetainedGrowth))
	assert.Less(t, perRequest, uint64(maxAllocPerRequest))
}
