package matching

import "time"

// IndexStats reports the match index's live openings, when it was last built in full (zero
// before the first build; for an index loaded from a stored image, when that image's index was
// built), and whether it was loaded from a stored image, for the metrics endpoint. It takes
// the read lock only.
func (m *Matcher) IndexStats() (live int, builtAt time.Time, fromImage bool) {
	m.index.mu.RLock()
	defer m.index.mu.RUnlock()
	return m.index.live, m.index.builtAt, m.index.fromImage
}
