package matching

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Where images (image.go) are kept, and when they are used.
//
// Images live in the database the index reads (table match_images, ent/schema.MatchImage), so a
// fleet of stateless replicas shares them with no other service. After a rebuild, a replica
// that keeps images (KeepImages: the server does) stores one when the newest stored image of
// its format is older than imageEvery; images older than the new one are deleted in the same
// transaction. A replica that starts reads the newest image younger than imageMaxAge, then
// catches up from its watermark as every read does: openings updated since, and the
// tombstones of openings deleted since. When there is no such image, it cannot be read, or the
// catch-up finds a bulk load's worth of changes, the replica builds from the tables as before.
//
// An image is as correct as the index it was written from: a replica that loads one answers
// what the writer answered at the watermark, plus every change since. The full rebuild every
// RebuildEvery still runs, timed from the image's watermark, so nothing an image carries
// outlives a rebuild interval.

// imageMaxAge is the oldest image a starting replica uses. Its catch-up needs the tombstones
// of every opening deleted since the image's watermark, and rebuilds prune those older than
// TombstonesKept: half of that leaves a wide margin.
const imageMaxAge = TombstonesKept / 2

// imageEvery is how old the newest stored image may grow before a rebuild stores another.
const imageEvery = RebuildEvery / 2

// imagePart is the most bytes of an image one row holds.
const imagePart = 4 << 20

// KeepImages makes the index store images after its rebuilds and start from the newest stored
// one. report, when not nil, hears of every failure to store one (storing is best effort: the
// replica serves whatever its fate, TestStoringFailsQuietly) and of every stored image that
// could not be read at start (the index was built from the tables instead).
func (m *Matcher) KeepImages(report func(error)) {
	m.index.mu.Lock()
	defer m.index.mu.Unlock()
	m.index.images, m.index.imageReport = true, report
}

// FromImage reports whether the index was last loaded from a stored image (rather than built
// from the tables): after a start that found one, until the next full rebuild.
func (m *Matcher) FromImage() bool {
	_, _, from := m.IndexStats()
	return from
}

// txBeginner is the pool an index stores images through.
type txBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// loadImage replaces the (empty) index with the newest usable stored image, reporting whether
// there was one. The caller holds refreshMu and catches up next.
func (x *Index) loadImage(ctx context.Context) (bool, error) {
	// Memory as a rebuild leaves it (memory.go): the image's bytes are garbage once decoded.
	defer building()()
	oldest := time.Now().Add(-imageMaxAge).UnixNano()
	// One statement, so that the parts come from one snapshot even while a replica replaces the
	// image.
	rows, err := x.db.QueryContext(ctx, `SELECT part, parts, data FROM match_images
WHERE format = `+x.ph(1)+` AND generation = (SELECT max(generation) FROM match_images WHERE format = `+x.ph(2)+` AND generation > `+x.ph(3)+`)
ORDER BY part`, imageFormat, imageFormat, oldest)
	if err != nil {
		return false, fmt.Errorf("match index image: %w", err)
	}
	defer rows.Close()
	var data []byte
	n, parts := 0, 0
	for rows.Next() {
		var part, of int
		var b sql.RawBytes
		if err := rows.Scan(&part, &of, &b); err != nil {
			return false, fmt.Errorf("match index image: %w", err)
		}
		if part != n || n > 0 && of != parts {
			return false, errImage
		}
		if n == 0 {
			parts, data = of, make([]byte, 0, min(max(of, 1), 32)*imagePart)
		}
		data = append(data, b...)
		n++
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("match index image: %w", err)
	}
	if n == 0 {
		return false, nil // none stored, or none young enough
	}
	if n != parts {
		return false, errImage // parts missing
	}
	img, err := decodeImage(data)
	if err != nil {
		return false, err
	}
	x.install(img)
	return true, nil
}

// install makes img the index, as of its watermark (so the next full rebuild is due
// RebuildEvery after the image's own build).
func (x *Index) install(img *imageData) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.replace(img.entries, img.skills, img.skillBit, img.watermark)
	x.fromImage = true
}

// storeImage stores the index as an image when the newest stored one is older than imageEvery.
func (x *Index) storeImage(ctx context.Context) error {
	db, ok := x.db.(txBeginner)
	if !ok || !x.storing.CompareAndSwap(false, true) {
		return nil
	}
	defer x.storing.Store(false)
	var newest sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(generation) FROM match_images WHERE format = `+x.ph(1), imageFormat).Scan(&newest); err != nil {
		return fmt.Errorf("match index image: %w", err)
	}
	x.mu.RLock()
	gen := x.watermark.UnixNano()
	if newest.Valid && newest.Int64 > x.watermark.Add(-imageEvery).UnixNano() {
		x.mu.RUnlock()
		return nil
	}
	data := x.encodeImage()
	size := imagePart
	if x.partSize > 0 {
		size = x.partSize
	}
	x.mu.RUnlock()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("match index image: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it does nothing
	// Older images of this format go; so does any image too old to be used (another format's,
	// left by a rolling deploy). A newer image another replica stored meanwhile stays, and is
	// the one replicas read.
	if _, err := tx.ExecContext(ctx, `DELETE FROM match_images WHERE (format = `+x.ph(1)+` AND generation < `+x.ph(2)+`) OR generation < `+x.ph(3),
		imageFormat, gen, time.Now().Add(-imageMaxAge).UnixNano()); err != nil {
		return fmt.Errorf("match index image: %w", err)
	}
	parts := (len(data) + size - 1) / size
	for p := range parts {
		chunk := data[p*size : min(len(data), (p+1)*size)]
		if _, err := tx.ExecContext(ctx, `INSERT INTO match_images (format, generation, part, parts, data) VALUES (`+
			x.ph(1)+`, `+x.ph(2)+`, `+x.ph(3)+`, `+x.ph(4)+`, `+x.ph(5)+`)`, imageFormat, gen, p, parts, chunk); err != nil {
			return fmt.Errorf("match index image: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("match index image: %w", err)
	}
	return nil
}
