package matching

import "time"

// IndexStats reports the match index's live openings and when it was last built in full
// (zero before the first build), for the metrics endpoint. It takes the read lock only.
func (m *Matcher) IndexStats() (live int, builtAt time.Time) {
	m.index.mu.RLock()
	defer m.index.mu.RUnlock()
	return m.index.live, m.index.builtAt
}
