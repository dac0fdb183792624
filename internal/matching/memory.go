package matching

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// The index is most of a server's heap (about 100 MB at a million openings), and building it
// is the moment that heap doubles: the new image beside the old one and a million decoded rows
// of garbage. Left to the defaults (GOGC 100, no memory limit) the runtime let the heap grow to
// twice what was live and kept the freed memory for minutes: the benchmark's peak resident
// memory was 365 MB for 104 MB live. So:
//
//   - a rebuild runs with GOGC at buildGCPercent (its image is pointer-free arrays the
//     collector does not scan, so the extra collections cost little) and without a memory
//     limit;
//   - after it, the freed memory goes back to the system at once, and, when AdaptMemoryLimit
//     is on (the server turns it on unless GOMEMLIMIT is set), Go's soft memory limit becomes
//     LimitFactor times the heap then live, at least MinLimit: the collector runs more often
//     as the heap nears twice what it must keep, instead of letting it grow by GOGC's rule
//     and keeping what it freed.

// buildGCPercent is GOGC while a rebuild runs.
const buildGCPercent = 25

// MinLimit and LimitFactor set the soft memory limit AdaptMemoryLimit keeps.
const (
	MinLimit    = 192 << 20
	LimitFactor = 2
)

// AdaptMemoryLimit, when set, makes every finished rebuild set Go's soft memory limit (see
// above). Off by default: it is a process-wide setting, for the server to choose.
var AdaptMemoryLimit atomic.Bool

var gcState struct {
	sync.Mutex
	depth int // rebuilds running (one per index; tests run several)
	saved int // the GOGC before the first of them
}

// building sets GOGC to buildGCPercent, unless it is lower already (or off), and lifts an
// adapted memory limit, until the returned function has been called by every rebuild that
// called building; the last one hands the freed memory back and adapts the limit.
func building() (done func()) {
	gcState.Lock()
	defer gcState.Unlock()
	if gcState.depth == 0 {
		gcState.saved = debug.SetGCPercent(buildGCPercent)
		if gcState.saved < buildGCPercent { // lower already, or off (-1): leave it
			debug.SetGCPercent(gcState.saved)
		}
		if AdaptMemoryLimit.Load() {
			debug.SetMemoryLimit(math.MaxInt64)
		}
	}
	gcState.depth++
	return func() {
		gcState.Lock()
		defer gcState.Unlock()
		if gcState.depth--; gcState.depth > 0 {
			return
		}
		debug.SetGCPercent(gcState.saved)
		debug.FreeOSMemory() // one collection: a few milliseconds
		if AdaptMemoryLimit.Load() {
			debug.SetMemoryLimit(max(MinLimit, LimitFactor*liveHeap()))
		}
	}
}

// liveHeap is the heap the last collection found live, in bytes.
func liveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}
