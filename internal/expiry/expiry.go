// Package expiry takes stale openings out of circulation: a live opening past its
// validThrough, or, when it has none, posted longer ago than a default validity, becomes
// EXPIRED. Search, match, skill demand, salary insights and every LIVE count read the status,
// so they stop including it as soon as the sweep has run (the match index catches up on the
// updated_at the status change moves).
//
// Sample openings (source "sample", from the seed and `careergraph gen`) are left alone: their
// dates are anchored at a fixed epoch so that the demo data looks the same on every day, and
// sweeping them would empty the demo two months after that epoch.
package expiry

import (
	"context"
	"fmt"
	"time"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
)

// SampleSource is the provenance of generated sample openings, which the sweep leaves alone.
const SampleSource = "sample"

// Sweep expires the live openings that are stale at now and returns how many it expired. It
// is one UPDATE statement, so it is idempotent and safe to run from several processes.
func Sweep(ctx context.Context, client *ent.Client, now time.Time, defaultValidity time.Duration) (int, error) {
	n, err := client.Opening.Update().
		Where(opening.StatusEQ(opening.StatusLIVE), opening.SourceNEQ(SampleSource), opening.Or(
			opening.ValidThroughLT(now),
			opening.And(opening.ValidThroughIsNil(), opening.PostedAtLT(now.Add(-defaultValidity))),
		)).
		SetStatus(opening.StatusEXPIRED).Save(ctx)
	if err != nil {
		return 0, fmt.Errorf("expiry: sweep: %w", err)
	}
	return n, nil
}
