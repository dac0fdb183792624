package matching

import (
	"cmp"
	"container/heap"
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	"golang.org/x/sync/errgroup"

	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/pay"
)

// Index is a compact, in-memory image of every live opening: what scoring needs and nothing
// else (a 64-byte entry, and its skills as 4-byte numbers in one shared array: about 100 MB
// for 840,000 live openings of 8.7 skills each, whatever the size of the vocabulary; two dense
// bitmaps per opening, as before, took 48 bytes each at 152 skills and 688 at 2,740).
// Matching and skill demand scan it instead of the database, which at a million openings is
// the difference between milliseconds and seconds.
//
// It stays current: every read first asks the database for openings updated since the last
// look (one indexed statement, normally returning nothing, re-reading a safety margin so a
// slow transaction is not missed), so creates, edits and status changes show at once. The same
// statement reads the tombstones deleted openings leave (ent/schema.OpeningTombstone), so
// deletes drop out at once too; a full rebuild runs every RebuildEvery, or when a read notices
// many changes.
type Index struct {
	db      Querier
	dialect string
	// ready is set once the first build has finished (Matcher.Ready).
	ready atomic.Bool

	mu      sync.RWMutex
	entries []entry // sorted by id for the rebuilt part, then appended
	// scanPart is the fewest entries a scoring goroutine takes (0: minScanPart), scanWorkers
	// the most goroutines (0: GOMAXPROCS); tests set both to score a small index in parts.
	scanPart, scanWorkers int
	// skills holds every entry's skills: entries[i]'s are skills[at:at+n], each a skill's bit
	// plus one, negated when the opening asks for it as preferred (its other skills are
	// essential). A catch-up appends an opening's new list and leaves the old one unused
	// until the next rebuild.
	skills   []int32
	skillBit map[int]int // skill id -> bit (0, 1, …: a dense number for masks and counts)
	// sorted is how many entries, from the start, are sorted by id (the rebuilt part): they
	// are found by binary search. Openings a catch-up appends are found through extra.
	sorted int
	extra  map[int64]int // opening id -> index in entries, for entries[sorted:]
	live   int
	// roleLive is the number of live entries per role (0: unclassified), kept with live by
	// rebuild and catchUp, so a role's live count is a map read (Role.openings' totalCount
	// and liveOpenings ask for it on every cluster page).
	roleLive map[int64]int
	builtAt  time.Time
	// watermark is when the last successful look at the database began (this process's
	// clock, as updated_at is written by the servers' clocks); the next catch-up reads rows
	// updated since then, less the safety margin.
	watermark time.Time
	refreshMu sync.Mutex
	// rebuilding is set while a background rebuild runs; behind, when a catch-up found a bulk
	// load and left it to that rebuild.
	rebuilding, behind bool

	// images is set when the index stores images and starts from them (images.go);
	// imageReport hears of failures to store or read one. fromImage is set while the index is
	// one loaded from an image, storing while an image is being stored.
	images      bool
	imageReport func(error)
	fromImage   bool
	storing     atomic.Bool
	stores      sync.WaitGroup // the stores rebuilds started
	partSize    int            // the most bytes of a stored image a row holds (0: imagePart); tests set it
	// pageSize and bulkSize, when set (tests), replace pageChanges and bulkChanges.
	pageSize, bulkSize int
}

// entry is one opening. Location and role are database IDs; salary is annualised. 64 bytes.
type entry struct {
	id       int64
	role     int64
	company  int64
	location int64  // 0: none
	salary   int64  // annualised top of the advertised range; 0: none advertised
	mid      int64  // annualised midpoint of the advertised range; 0: none advertised
	at       uint32 // its skills are Index.skills[at : at+n]
	expMin   int16
	expMax   int16 // -1: no maximum
	currency [3]byte
	n        uint8 // how many skills it asks for (at most maxSkills)
	pref     uint8 // how many of them are preferred rather than essential
	mode     workMode
	live     bool
}

// maxSkills is the most skills the index keeps of one opening (an entry counts them in a
// byte); an opening asking for more is scored on its first maxSkills.
const maxSkills = 255

// skillsOf returns e's skills (see Index.skills).
func (x *Index) skillsOf(e *entry) []int32 { return x.skills[e.at : e.at+uint32(e.n)] }

// setSkills appends the skills of list ("12,-34": see signedSkill) to store as e's, giving a
// skill skillBit does not know yet the next bit, and returns the grown store.
func setSkills(store []int32, e *entry, list []byte, skillBit map[int]int) []int32 {
	e.at, e.n, e.pref = uint32(len(store)), 0, 0
	eachID(list, func(sid int) {
		if e.n == maxSkills {
			return
		}
		b, ok := skillBit[abs(sid)]
		if !ok {
			b = len(skillBit)
			skillBit[abs(sid)] = b
		}
		v := int32(b + 1)
		if sid < 0 {
			v = -v
			e.pref++
		}
		store = append(store, v)
		e.n++
	})
	return store
}

// workMode is an opening's work mode in one byte (the entry is kept small: one per live
// opening).
type workMode uint8

const (
	modeOnsite workMode = iota
	modeHybrid
	modeRemote
)

func modeOf(m opening.WorkMode) workMode {
	switch m {
	case opening.WorkModeHYBRID:
		return modeHybrid
	case opening.WorkModeREMOTE:
		return modeRemote
	}
	return modeOnsite
}

// position returns the index of opening id in entries.
func (x *Index) position(id int64) (int, bool) {
	if i, ok := slices.BinarySearchFunc(x.entries[:x.sorted], id, func(e entry, id int64) int { return cmp.Compare(e.id, id) }); ok {
		return i, true
	}
	i, ok := x.extra[id]
	return i, ok
}

// RebuildEvery is how often the index is built afresh (in the background).
const RebuildEvery = 10 * time.Minute

// pageChanges is how many changed openings one catch-up statement reads: small enough that its
// LIMIT makes the index scan the cheapest plan on any table (see catchUp). A catch-up reads as
// many pages as there are changes, up to bulkChanges.
const pageChanges = 1000

// bulkChanges is the most changed openings a catch-up applies one by one: at a million
// openings a page of a thousand took the database 6.2–7.5 ms (EXPLAIN ANALYZE), so twenty
// pages (an import of the benchmark's size) come to some 150 ms there, against 2–3 s for a
// rebuild on the same machine. More changes since the last look come from a
// bulk load, and the index is rebuilt instead, which reads everything in two statements: at
// once when the index is not ready yet, else in the background while reads answer from the
// index as it was (see catchUp).
const bulkChanges = 20 * pageChanges

// safety is how far back each catch-up re-reads, for transactions that commit late.
const safety = 5 * time.Second

// NewIndex returns an empty index over db; it builds on first use.
func NewIndex(db Querier, dia string) *Index { return &Index{db: db, dialect: dia} }

// ph returns the i-th placeholder for the dialect.
func (x *Index) ph(i int) string {
	if x.dialect == dialect.Postgres {
		return fmt.Sprintf("$%d", i)
	}
	return "?"
}

// lookKey marks a context in which the index looks at the database once (OneLook).
type lookKey struct{}

// looked records which indexes have caught up within one OneLook context.
type looked struct {
	mu sync.Mutex
	at map[*Index]bool
}

// OneLook returns ctx in which every index catches up with the database at most once: the
// reads of one query (a cluster page asks the index for its live count, its pay figures and
// its JSON-LD salary) see one moment of the database instead of catching up for each field.
// Use it for read-only operations; a mutation must see its own writes, so it goes without.
func OneLook(ctx context.Context) context.Context {
	return context.WithValue(ctx, lookKey{}, &looked{at: map[*Index]bool{}})
}

// fresh brings the index up to date: a full build when it has none or it is old, else a
// catch-up on recently updated openings (once per OneLook context).
func (x *Index) fresh(ctx context.Context) error {
	l, once := ctx.Value(lookKey{}).(*looked)
	if once {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.at[x] {
			return nil
		}
	}
	if err := x.look(ctx); err != nil {
		return err
	}
	if once {
		l.at[x] = true
	}
	return nil
}

// look is fresh without the once-per-context check.
func (x *Index) look(ctx context.Context) error {
	x.refreshMu.Lock()
	defer x.refreshMu.Unlock()
	x.mu.Lock()
	built := !x.builtAt.IsZero()
	if built && time.Since(x.builtAt) > RebuildEvery {
		// Later rebuilds run beside the reads, which keep catching up with the old image
		// meanwhile; the new image takes over with its own watermark.
		x.rebuildBeside()
	}
	images, report := x.images, x.imageReport
	x.mu.Unlock()
	if !built {
		// The first read waits for the index: a stored image and a catch-up when there is one
		// (images.go), else a build from the tables.
		if images {
			ok, err := x.loadImage(ctx)
			if err == nil && ok {
				return x.catchUp(ctx)
			}
			// An image that cannot be read is no reason not to start: build instead, and say
			// why the image was not used.
			if err != nil && report != nil {
				report(err)
			}
		}
		return x.rebuild(ctx)
	}
	return x.catchUp(ctx)
}

// rebuildBeside starts a rebuild in the background, unless one runs. x.mu is held.
func (x *Index) rebuildBeside() {
	if x.rebuilding {
		return
	}
	x.rebuilding = true
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		err := x.rebuild(ctx)
		x.mu.Lock()
		if err != nil {
			x.builtAt = time.Now() // try again after another interval
		}
		x.rebuilding = false
		x.mu.Unlock()
	}()
}

// cols are an entry's columns, computed by the database as numbers where it can (a live flag,
// the work mode's code, pay per year), so that reading a million of them allocates no strings
// but the currency. An unclassified opening (no role) reads as role 0.
var cols = `id, COALESCE(role_id, 0), company_id, COALESCE(location_id, 0), status = 'LIVE',
	CASE work_mode WHEN 'HYBRID' THEN 1 WHEN 'REMOTE' THEN 2 ELSE 0 END,
	experience_min_years, COALESCE(experience_max_years, -1),
	COALESCE(salary_max, salary_min, 0) * ` + perYear + `,
	(COALESCE(salary_min, 0) + COALESCE(salary_max, salary_min, 0)) / 2 * ` + perYear + `,
	COALESCE(salary_currency, '')`

// perYear is the SQL factor that makes an opening's pay per year (pay.Annual's rule).
var perYear = `CASE WHEN salary_period = 'MONTH' THEN ` + strconv.Itoa(pay.MonthsPerYear) + ` ELSE 1 END`

// read reads the openings that where (a SQL condition over openings) selects, into a slice
// of capacity size (a hint; 0 when unknown).
func (x *Index) read(ctx context.Context, size int, where string, args ...any) ([]entry, error) {
	rows, err := x.db.QueryContext(ctx, `SELECT `+cols+` FROM openings WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("match index: %w", err)
	}
	defer rows.Close()
	out := make([]entry, 0, size)
	var cur sql.RawBytes
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.id, &e.role, &e.company, &e.location, &e.live, &e.mode, &e.expMin, &e.expMax,
			&e.salary, &e.mid, &cur); err != nil {
			return nil, fmt.Errorf("match index: %w", err)
		}
		copy(e.currency[:], cur)
		out = append(out, e)
	}
	return out, rows.Err()
}

// change is an opening the catch-up read: its entry and its skills' signed ids as a list
// ("12,-34": see signedSkill), and where it stands in the catch-up's order (nil for a
// tombstone).
type change struct {
	entry
	skills []byte
	at     place
}

// place is an opening's place in the catch-up's (updated_at, id) order: its updated_at as the
// driver returned it, which is what the next page's statement compares with (a time.Time from
// PostgreSQL, the stored text from SQLite), and its id.
type place struct {
	updated any
	id      int64
}

// before reports whether p comes before q in the catch-up's order, as the database orders
// them: by time (PostgreSQL) or by the stored text (SQLite), then by id. The next page starts
// after the greatest place of the last, whatever order the statement returned its rows in.
func (p place) before(q place) bool {
	switch a := p.updated.(type) {
	case time.Time:
		if b, ok := q.updated.(time.Time); ok && !a.Equal(b) {
			return a.Before(b)
		}
	case string:
		if b, ok := q.updated.(string); ok && a != b {
			return a < b
		}
	}
	return p.id < q.id
}

// Scan implements sql.Scanner for the updated_at column.
func (p *place) Scan(src any) error {
	switch v := src.(type) {
	case []byte:
		p.updated = string(v)
	default:
		p.updated = v
	}
	return nil
}

// changes reads, in one statement, a page of the openings changed after after in (updated_at,
// id) order (at most limit of them) with their skills, and, when since is not nil, the openings
// deleted since then (their tombstones, as entries that are not live):
//
//	SELECT * FROM (SELECT <cols>, updated_at, (<the opening's skill ids as one text>) FROM openings
//	  WHERE (updated_at, id) > ($1, $2) ORDER BY updated_at, id LIMIT n) AS changed
//	UNION ALL SELECT opening_id, 0, …, NULL, NULL FROM opening_tombstones WHERE deleted_at > $3
//
// One statement rather than three (openings, tombstones, skills), since every read of the
// index runs it: a cluster page that counts its live openings on the index costs one statement
// more than its own, not three.
func (x *Index) changes(ctx context.Context, after place, since *time.Time, limit int) ([]change, error) {
	agg, no, updated := `string_agg((`+signedSkill+`)::text, ',')`, `FALSE`, `updated_at`
	if x.dialect != dialect.Postgres {
		// SQLite compares the stored text (the driver writes a time as Go prints it), so the
		// next page's statement is given that text back, exactly.
		agg, no, updated = `group_concat(`+signedSkill+`)`, `0`, `CAST(updated_at AS TEXT)`
	}
	q := `SELECT * FROM (SELECT ` + cols + `, ` + updated + `,
	(SELECT ` + agg + ` FROM opening_skills s WHERE s.opening_id = openings.id)
	FROM openings WHERE (updated_at, id) > (` + x.ph(1) + `, ` + x.ph(2) + `) ORDER BY updated_at, id LIMIT ` + strconv.Itoa(limit) + `) AS changed`
	args := []any{after.updated, after.id}
	if since != nil {
		q += `
UNION ALL SELECT opening_id, 0, 0, 0, ` + no + `, 0, 0, -1, 0, 0, '', NULL, NULL FROM opening_tombstones WHERE deleted_at > ` + x.ph(3)
		args = append(args, *since)
	}
	rows, err := x.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("match index: %w", err)
	}
	defer rows.Close()
	var out []change
	var cur, list sql.RawBytes
	for rows.Next() {
		var c change
		e := &c.entry
		if err := rows.Scan(&e.id, &e.role, &e.company, &e.location, &e.live, &e.mode, &e.expMin, &e.expMax,
			&e.salary, &e.mid, &cur, &c.at, &list); err != nil {
			return nil, fmt.Errorf("match index: %w", err)
		}
		copy(e.currency[:], cur)
		c.skills = slices.Clone(list)
		c.at.id = e.id
		out = append(out, c)
	}
	return out, rows.Err()
}

// signedSkill is an opening_skills row's skill id, negated when the skill is preferred: one
// number carries the link and its flag, in the aggregate a rebuild reads and in a catch-up.
const signedSkill = `CASE WHEN essential THEN skill_id ELSE -skill_id END`

// eachID calls fn with every decimal number in list ("12,-34,56"), sign included, parsed in
// place.
func eachID(list []byte, fn func(int)) {
	n, digits, neg := 0, false, false
	for k := 0; k <= len(list); k++ {
		if k < len(list) && list[k] >= '0' && list[k] <= '9' {
			n, digits = n*10+int(list[k]-'0'), true
			continue
		}
		if k < len(list) && list[k] == '-' && !digits {
			neg = true
			continue
		}
		if digits {
			if neg {
				n = -n
			}
			fn(n)
		}
		n, digits, neg = 0, false, false
	}
}

// TombstonesKept is how long an opening's tombstone is kept: long enough for every server's
// index to have caught up or rebuilt (RebuildEvery) several times over.
const TombstonesKept = 6 * RebuildEvery

// rebuild reads every live opening, and the skills of every opening grouped by opening, in two
// statements that run at once on two connections (the database works on one while this
// process decodes the other), then joins the two by id. The skills come one row per opening
// (its skill ids as one text) rather than one row per pair: a million rows to decode instead
// of nearly nine million, and no join in the database (which spilled to disk at a million
// openings).
func (x *Index) rebuild(ctx context.Context) error {
	start := time.Now()
	defer building()()
	// A rebuild reads no deleted opening; older tombstones have served every index. Pruning is
	// best effort: a read must not fail because the write did (a busy SQLite writer, a
	// read-only replica); what is left is pruned at a later rebuild, and tombstones are small.
	if ex, ok := x.db.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}); ok {
		_, _ = ex.ExecContext(ctx, `DELETE FROM opening_tombstones WHERE deleted_at < `+x.ph(1), start.Add(-TombstonesKept))
	}
	skillBit, err := x.skillBits(ctx)
	if err != nil {
		return err
	}
	// Sized up front: growing slices of a million entries by appending would leave several
	// times their size behind as garbage, and the process's peak memory with it.
	total, err := x.count(ctx)
	if err != nil {
		return err
	}
	var entries []entry
	var sets skillSets
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		entries, err = x.read(gctx, total, `status = `+x.ph(1), string(opening.StatusLIVE))
		return err
	})
	g.Go(func() (err error) {
		sets, err = x.readSkillSets(gctx, skillBit, total)
		return err
	})
	if err := g.Wait(); err != nil {
		return err
	}
	byID := func(a, b entry) int { return cmp.Compare(a.id, b.id) }
	if !slices.IsSortedFunc(entries, byID) { // a sequential scan is usually in id order already
		slices.SortFunc(entries, byID)
	}
	// The skills read become the index's store as they are: each live entry points at its
	// opening's run (the runs of openings that are not live stay unused).
	j := 0
	for i := range entries {
		e := &entries[i]
		for j < len(sets.ids) && sets.ids[j] < e.id {
			j++
		}
		if j < len(sets.ids) && sets.ids[j] == e.id {
			e.at, e.n, e.pref = sets.at[j], sets.n[j], 0
			for _, v := range sets.skills[e.at : e.at+uint32(e.n)] {
				if v < 0 {
					e.pref++
				}
			}
		}
	}
	x.mu.Lock()
	x.replace(entries, sets.skills, skillBit, start)
	x.fromImage, x.behind = false, false
	images, report := x.images, x.imageReport
	x.mu.Unlock()
	x.ready.Store(true)
	if images {
		x.stores.Add(1)
		go func() {
			defer x.stores.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := x.storeImage(ctx); err != nil && report != nil {
				report(err)
			}
		}()
	}
	return nil
}

// replace makes entries (live, ascending id), skills and skillBit the index, as of at: a
// rebuild's start or a stored image's watermark. x.mu is held.
func (x *Index) replace(entries []entry, skills []int32, skillBit map[int]int, at time.Time) {
	x.entries, x.skills, x.skillBit = entries, skills, skillBit
	x.sorted, x.extra = len(entries), map[int64]int{}
	x.live = len(entries)
	x.roleLive = map[int64]int{}
	for i := range entries {
		x.roleLive[entries[i].role]++
	}
	// The next full rebuild is due RebuildEvery after at.
	x.builtAt, x.watermark = at, at
}

// skillRoom is the capacity of a skill store that holds n skills: a tenth more, for catch-ups
// to append to, since growing an array of millions by appending leaves the old ones behind as
// garbage.
func skillRoom(n int) int { return n + n/10 + 4096 }

// count counts every opening, live or not: it sizes both the live entries (over by the closed
// share, some 9 MB at a million) and the skill sets, which are read for every opening.
func (x *Index) count(ctx context.Context) (int, error) {
	rows, err := x.db.QueryContext(ctx, `SELECT count(*) FROM openings`)
	if err != nil {
		return 0, fmt.Errorf("match index: %w", err)
	}
	defer rows.Close()
	var n int
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("match index: %w", err)
		}
	}
	return n, rows.Err()
}

func (x *Index) skillBits(ctx context.Context) (map[int]int, error) {
	rows, err := x.db.QueryContext(ctx, `SELECT id FROM skills ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("match index: %w", err)
	}
	defer rows.Close()
	skillBit := map[int]int{}
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("match index: %w", err)
		}
		skillBit[id] = len(skillBit)
	}
	return skillBit, rows.Err()
}

// skillSets are the skills of every opening, in ascending opening id order, as a rebuild
// reads them before it knows which openings are live: opening ids[i] has
// skills[at[i] : at[i]+n[i]] (see Index.skills).
type skillSets struct {
	ids    []int64
	at     []uint32
	n      []uint8
	skills []int32
}

// readSkillSets reads every opening's skills, one row per opening, in opening id order. A
// skill skillBit does not know (created since it was read) gets the next bit.
func (x *Index) readSkillSets(ctx context.Context, skillBit map[int]int, size int) (skillSets, error) {
	agg := `string_agg((` + signedSkill + `)::text, ',')`
	if x.dialect != dialect.Postgres {
		agg = `group_concat(` + signedSkill + `)`
	}
	rows, err := x.db.QueryContext(ctx, `SELECT opening_id, `+agg+` FROM opening_skills GROUP BY opening_id ORDER BY opening_id`)
	if err != nil {
		return skillSets{}, fmt.Errorf("match index: %w", err)
	}
	defer rows.Close()
	out := skillSets{ids: make([]int64, 0, size), at: make([]uint32, 0, size), n: make([]uint8, 0, size)}
	var list sql.RawBytes
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &list); err != nil {
			return skillSets{}, fmt.Errorf("match index: %w", err)
		}
		if len(out.ids) == 1024 {
			// Sized once from the first rows (skillRoom).
			per := float64(len(out.skills)) / 1024
			out.skills = append(make([]int32, 0, skillRoom(int(per*float64(size)))), out.skills...)
		}
		var e entry
		out.skills = setSkills(out.skills, &e, list, skillBit)
		out.ids, out.at, out.n = append(out.ids, id), append(out.at, e.at), append(out.n, e.n)
	}
	return out, rows.Err()
}

// catchUp applies openings updated since the watermark (less the safety margin). Rows in the
// margin are read again on the next look; applying a row twice is harmless.
func (x *Index) catchUp(ctx context.Context) error {
	start := time.Now()
	x.mu.RLock()
	since := x.watermark.Add(-safety)
	x.mu.RUnlock()
	x.mu.RLock()
	waiting := x.behind && x.rebuilding
	pageSize, bulk := pageChanges, bulkChanges
	if x.pageSize > 0 {
		pageSize, bulk = x.pageSize, x.bulkSize
	}
	x.mu.RUnlock()
	if waiting {
		// A bulk load is being read by a rebuild in the background: answer from the index as
		// it is until the rebuild takes over, rather than page through the load on every read.
		return nil
	}
	// ORDER BY … LIMIT makes the b-tree on (updated_at, id) the plan whatever the statistics
	// say: right after a bulk load, before any ANALYZE, PostgreSQL guesses that a third of the
	// table is newer than any date and plans a bare "updated_at > $1" as a sequential scan
	// (410 ms at a million openings, on every read). With the order and the limit, the index
	// scan that stops after the limit is the cheapest plan even on that guess
	// (TestCatchUpUsesTheIndexWithoutStatistics). The pages follow (updated_at, id), so that the
	// rows of one bulk write, which share a timestamp, are read once each. Deleted openings come
	// back from their tombstones (ent/schema.OpeningTombstone, read with the first page) as
	// entries that are not live, so deletes drop out at once too.
	var changed []change
	after := place{updated: since, id: 0}
	for first := true; ; first = false {
		var tombstonesSince *time.Time
		if first {
			tombstonesSince = &since
		}
		page, err := x.changes(ctx, after, tombstonesSince, pageSize)
		if err != nil {
			return err
		}
		changed = append(changed, page...)
		n := 0
		for _, c := range page {
			if c.at.updated != nil { // an opening, not a tombstone
				n++
				if after.before(c.at) {
					after = c.at
				}
			}
		}
		if n < pageSize {
			break
		}
		if len(changed) > bulk {
			// A bulk load: cheaper to start over.
			if !x.ready.Load() {
				return x.rebuild(ctx) // not serving yet: ready when built
			}
			x.mu.Lock()
			x.behind = true
			x.rebuildBeside()
			x.mu.Unlock()
			return nil
		}
	}
	if len(changed) == 0 {
		x.mu.Lock()
		if start.After(x.watermark) {
			x.watermark = start
		}
		x.mu.Unlock()
		x.ready.Store(true) // an index loaded from an image is ready once caught up
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, c := range changed {
		e := c.entry
		i, ok := x.position(e.id)
		if !ok {
			if !e.live {
				continue
			}
			i = len(x.entries)
			x.entries = append(x.entries, e)
			x.extra[e.id] = i
			x.live++
			x.roleLive[e.role]++
		} else {
			// The opening may have changed status, role or both.
			if old := x.entries[i]; old.live {
				x.live--
				x.roleLive[old.role]--
			}
			if e.live {
				x.live++
				x.roleLive[e.role]++
			}
			x.entries[i] = e
		}
		// A skill created since the build gets the next bit here, so the read that first sees
		// it already counts it. An opening that is no longer live keeps no skills.
		if e.live {
			x.skills = setSkills(x.skills, &x.entries[i], c.skills, x.skillBit)
		}
	}
	if start.After(x.watermark) {
		x.watermark = start
	}
	x.ready.Store(true)
	return nil
}

// scored is an opening's score in thousandths of a point, by part.
type scored struct {
	id                         int64
	skills, exp, loc, sal, sum int64
}

// less orders best first: higher score, then higher id.
func (a scored) better(b scored) bool {
	if a.sum != b.sum {
		return a.sum > b.sum
	}
	return a.id > b.id
}

type worstFirst []scored

func (h worstFirst) Len() int           { return len(h) }
func (h worstFirst) Less(i, j int) bool { return h[j].better(h[i]) }
func (h worstFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(v any)        { *h = append(*h, v.(scored)) }
func (h *worstFirst) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}

// top scores every live opening and returns the best k that rank after the cursor (score,
// id), with the number of live openings and, for the openings returned, the skills each asks
// for as preferred (so that the gaps say which are essential as the score counted them).
func (x *Index) top(ctx context.Context, pr *prepared, k int, afterScore *int64, afterID int64) ([]scored, int, map[int64]map[int]bool, error) {
	if err := x.fresh(ctx); err != nil {
		return nil, 0, nil, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	// weight[off+v] is what a stored skill v (see Index.skills) adds to the skills part's
	// numerator: EssentialWeight for an essential skill the profile satisfies,
	// PreferredWeight for a preferred one, 0 for a gap. One table lookup a skill, no branch.
	off := len(x.skillBit) + 1
	weight := make([]int64, 2*off+1)
	for _, id := range pr.satisfied {
		if b, ok := x.skillBit[id]; ok {
			weight[off+b+1], weight[off-b-1] = EssentialWeight, PreferredWeight
		}
	}
	cities := make([]int64, len(pr.cityIDs))
	for i, id := range pr.cityIDs {
		cities[i] = int64(id)
	}
	modes := map[workMode]bool{}
	for _, m := range pr.p.WorkModes {
		modes[modeOf(m)] = true
	}
	var want int64
	var cur [3]byte
	if e := pr.p.ExpectedSalary; e != nil {
		want = e.Annual()
		copy(cur[:], upper(e.Currency))
	}
	y := int64(pr.p.ExperienceYears)
	// scan keeps the best k of entries[lo:hi] (after the cursor) in a worst-first heap.
	scan := func(lo, hi int) worstFirst {
		h := make(worstFirst, 0, k+1)
		for i := lo; i < hi; i++ {
			e := &x.entries[i]
			if !e.live {
				continue
			}
			var s scored
			s.id = e.id
			if e.n > 0 {
				// 60 × (2 × essential matched + preferred matched) / (2 × essential + preferred)
				var num int64
				for _, v := range x.skills[e.at : e.at+uint32(e.n)] {
					num += weight[off+int(v)]
				}
				p := int64(e.pref)
				s.skills = roundDiv(int64(SkillsPoints)*1000*num, EssentialWeight*(int64(e.n)-p)+PreferredWeight*p)
			}
			switch {
			case int64(e.expMin) > y:
				// 15 × (1 − gap/3), at least 0
				s.exp = max(0, roundDiv(int64(ExperiencePoints)*1000*(3-(int64(e.expMin)-y)), 3))
			case e.expMax >= 0 && int64(e.expMax) < y:
				// 15 × (1 − excess/10), at least 7.5
				s.exp = max(int64(ExperiencePoints)*1000/2, roundDiv(int64(ExperiencePoints)*1000*(10-(y-int64(e.expMax))), 10))
			default:
				s.exp = ExperiencePoints * 1000
			}
			switch {
			case len(modes) > 0 && !modes[e.mode]:
				s.loc = 0
			case !pr.cityGiven, e.mode == modeRemote, slices.Contains(cities, e.location):
				s.loc = LocationPoints * 1000
			case e.mode == modeHybrid:
				s.loc = LocationPoints * 1000 / 4
			}
			switch {
			case want == 0:
				s.sal = SalaryPoints * 1000
			case e.salary == 0 || e.currency != cur:
				s.sal = SalaryPoints * 1000 / 2
			case e.salary >= want:
				s.sal = SalaryPoints * 1000
			default:
				s.sal = roundDiv(SalaryPoints*1000*e.salary, want)
			}
			s.sum = s.skills + s.exp + s.loc + s.sal
			if afterScore != nil && !(s.sum < *afterScore || (s.sum == *afterScore && s.id < afterID)) {
				continue
			}
			if len(h) < k {
				heap.Push(&h, s)
			} else if k > 0 && s.better(h[0]) {
				h[0] = s
				heap.Fix(&h, 0)
			}
		}
		return h
	}
	// The entries are scored in parts on every core (scanParts), each keeping its best k; the
	// best k of those are the best k of all, since better is a total order (ids are unique).
	parts := scanParts(len(x.entries), cmp.Or(x.scanPart, minScanPart), cmp.Or(x.scanWorkers, runtime.GOMAXPROCS(0)))
	best := make([]worstFirst, len(parts))
	var wg sync.WaitGroup
	for i, r := range parts {
		wg.Go(func() { best[i] = scan(r[0], r[1]) })
	}
	wg.Wait()
	var h worstFirst
	for _, b := range best {
		h = append(h, b...)
	}
	out := []scored(h)
	slices.SortFunc(out, func(a, b scored) int {
		if a.better(b) {
			return -1
		}
		if b.better(a) {
			return 1
		}
		return 0
	})
	if len(out) > k {
		out = out[:k]
	}
	prefs := map[int64]map[int]bool{}
	var skillOf []int // bit -> skill id, made when first needed
	for _, s := range out {
		i, ok := x.position(s.id)
		if !ok || x.entries[i].pref == 0 {
			continue
		}
		if skillOf == nil {
			skillOf = x.skillOf()
		}
		set := map[int]bool{}
		for _, v := range x.skillsOf(&x.entries[i]) {
			if v < 0 {
				set[skillOf[-v]] = true
			}
		}
		prefs[s.id] = set
	}
	return out, x.live, prefs, nil
}

// minScanPart is the fewest entries worth a goroutine of their own when scoring.
const minScanPart = 65536

// scanParts splits n entries into [lo, hi) ranges, at most workers of them (a core each) and
// none under minPart entries: a million openings on two cores score in two halves, at about
// half the time of one loop (issue 9's match goal is a single request's latency).
func scanParts(n, minPart, workers int) [][2]int {
	parts := max(1, min(workers, n/minPart))
	out := make([][2]int, parts)
	for i := range out {
		out[i] = [2]int{n * i / parts, n * (i + 1) / parts}
	}
	return out
}

// skillOf returns the skill id of every bit plus one (as the store numbers them). Callers hold
// x.mu.
func (x *Index) skillOf() []int {
	out := make([]int, len(x.skillBit)+1)
	for sid, b := range x.skillBit {
		out[b+1] = sid
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func abs32(n int32) int32 {
	if n < 0 {
		return -n
	}
	return n
}

// roundDiv is a/b rounded half away from zero, for non-negative b.
func roundDiv(a, b int64) int64 {
	if a >= 0 {
		return (2*a + b) / (2 * b)
	}
	return -((-2*a + b) / (2 * b))
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

// Demand counts, for the live openings that keep passes, how many ask for each skill.
func (x *Index) demand(ctx context.Context, keep func(role, location int64) bool) (map[int]int, int, error) {
	if err := x.fresh(ctx); err != nil {
		return nil, 0, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	counts := make([]int, len(x.skillBit)+1)
	total := 0
	for i := range x.entries {
		e := &x.entries[i]
		if !e.live || !keep(e.role, e.location) {
			continue
		}
		total++
		for _, v := range x.skillsOf(e) {
			counts[abs32(v)]++
		}
	}
	out := map[int]int{}
	for sid, b := range x.skillBit {
		if counts[b+1] > 0 {
			out[sid] = counts[b+1]
		}
	}
	return out, total, nil
}

// PayOpening is what salary questions see of one live opening that advertises pay.
type PayOpening struct {
	Role, Company, Location int // Location 0: none
	ExpMin                  int
	ExpMax                  int // -1: no maximum
	// Mid is the annualised midpoint of the advertised range.
	Mid int64
}

// Skills are one opening's skills as the index stores them: a view that stays valid, and
// unchanged, after the call that handed it out (the store is only appended to, and a rebuild
// makes a new one), so a caller may keep it instead of copying the ids.
type Skills struct {
	run []int32 // see Index.skills
	ids []int   // skill id of each bit plus one
}

// SkillList returns Skills holding ids (a salary record's one skill, say).
func SkillList(ids ...int) Skills {
	s := Skills{run: make([]int32, len(ids)), ids: make([]int, len(ids)+1)}
	for i, id := range ids {
		s.run[i], s.ids[i+1] = int32(i+1), id
	}
	return s
}

// Each calls fn with the id of every skill.
func (s Skills) Each(fn func(id int)) {
	for _, v := range s.run {
		fn(s.ids[abs32(v)])
	}
}

// payEach calls fn, under the read lock, for every live opening that advertises pay in
// currency. has reports whether the opening asks for a skill (by ID); it is one function for
// the whole call, answering for the opening fn is being called with. fn must not call back
// into the index. Nothing is allocated per opening (a question about one role's pay scans
// every live opening of the currency: 840,000 at a million).
func (x *Index) payEach(ctx context.Context, currency string, fn func(o PayOpening, has func(skill int) bool, skills Skills)) error {
	if err := x.fresh(ctx); err != nil {
		return err
	}
	var cur [3]byte
	copy(cur[:], upper(currency))
	x.mu.RLock()
	defer x.mu.RUnlock()
	var at *entry
	has := func(skill int) bool {
		b, ok := x.skillBit[skill]
		if ok {
			for _, v := range x.skillsOf(at) {
				if abs32(v) == int32(b+1) {
					return true
				}
			}
		}
		return false
	}
	ids := x.skillOf()
	for i := range x.entries {
		e := &x.entries[i]
		if !e.live || e.mid <= 0 || e.currency != cur {
			continue
		}
		at = e
		fn(PayOpening{Role: int(e.role), Company: int(e.company), Location: int(e.location),
			ExpMin: int(e.expMin), ExpMax: int(e.expMax), Mid: e.mid},
			has, Skills{run: x.skillsOf(e), ids: ids})
	}
	return nil
}

// liveCount is the number of live openings of role, as of a catch-up with the database.
func (x *Index) liveCount(ctx context.Context, role int64) (int, error) {
	if err := x.fresh(ctx); err != nil {
		return 0, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.roleLive[role], nil
}
