package matching

import "time"

// AgeIndex makes the index look built d ago, so that the next read starts a rebuild.
func (m *Matcher) AgeIndex(d time.Duration) {
	m.index.mu.Lock()
	defer m.index.mu.Unlock()
	m.index.builtAt = time.Now().Add(-d)
}

// IndexRebuilt reports whether no rebuild is running and the index is younger than RebuildEvery.
func (m *Matcher) IndexRebuilt() bool {
	m.index.mu.RLock()
	defer m.index.mu.RUnlock()
	return !m.index.rebuilding && time.Since(m.index.builtAt) < RebuildEvery
}
