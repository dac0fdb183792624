package matching

import (
	"context"
	"time"
)

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

// Seen is an entry as scoring sees it (see view).
type Seen = seen

// Seen returns every live entry of the index by opening id.
func (m *Matcher) Seen() map[int64]Seen { return view(m.index) }

// StoreImage stores the index as an image now, as a rebuild does in the background.
func (m *Matcher) StoreImage(ctx context.Context) error { return m.index.storeImage(ctx) }

// LoadImage loads the newest usable stored image, as a first read does.
func (m *Matcher) LoadImage(ctx context.Context) (bool, error) { return m.index.loadImage(ctx) }

// Watermark is the index's watermark.
func (m *Matcher) Watermark() time.Time {
	m.index.mu.RLock()
	defer m.index.mu.RUnlock()
	return m.index.watermark
}

// MoveWatermark moves the index's watermark by d, as time passing does.
func (m *Matcher) MoveWatermark(d time.Duration) {
	m.index.mu.Lock()
	defer m.index.mu.Unlock()
	m.index.watermark = m.index.watermark.Add(d)
}

// SetImagePartSize sets the most bytes of a stored image one row holds.
func (m *Matcher) SetImagePartSize(n int) {
	m.index.mu.Lock()
	defer m.index.mu.Unlock()
	m.index.partSize = n
}

// CopyThroughImage makes to's index what m's is, through an image.
func (m *Matcher) CopyThroughImage(to *Matcher) error {
	m.index.mu.RLock()
	data := m.index.encodeImage()
	m.index.mu.RUnlock()
	img, err := decodeImage(data)
	if err != nil {
		return err
	}
	to.index.install(img)
	return nil
}

// Image timings.
const (
	ImageEvery  = imageEvery
	ImageMaxAge = imageMaxAge
)

// Skills are the entry's skills as signed skill ids (negative: preferred).
func (s seen) Skills() []int { return s.skills }

// WaitImageStored waits for the images rebuilds store in the background.
func (m *Matcher) WaitImageStored() { m.index.stores.Wait() }

// CatchUpInPages makes the index's catch-ups read pages of size changes and rebuild past bulk.
func (m *Matcher) CatchUpInPages(size, bulk int) {
	m.index.mu.Lock()
	defer m.index.mu.Unlock()
	m.index.pageSize, m.index.bulkSize = size, bulk
}

// Rebuilding reports whether a rebuild runs in the background.
func (m *Matcher) Rebuilding() bool {
	m.index.mu.RLock()
	defer m.index.mu.RUnlock()
	return m.index.rebuilding
}
