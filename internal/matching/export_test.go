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

// ScoreInParts makes the index score in up to workers parts of at least size entries, as a
// large index does on as many cores (see scanParts).
func (m *Matcher) ScoreInParts(size, workers int) {
	m.index.mu.Lock()
	defer m.index.mu.Unlock()
	m.index.scanPart, m.index.scanWorkers = size, workers
}

// ScanParts is scanParts.
func ScanParts(n, minPart, workers int) [][2]int { return scanParts(n, minPart, workers) }
