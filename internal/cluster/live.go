package cluster

import "github.com/careergraph/careergraph/internal/display"

// LiveOpenings is the number of a role's live openings, with the page's words for it.
type LiveOpenings struct {
	Count int
}

// Display is the count as the page shows it ("47,000+ live jobs"; see display.LiveJobs).
func (l LiveOpenings) Display() string { return display.LiveJobs(l.Count) }
