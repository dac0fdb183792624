// Package importer brings schema.org JobPostings into the graph: from JSON-LD (one object, an
// array, an @graph), JSON Lines, or HTML pages (every <script type="application/ld+json">),
// read from files, directories, HTTP(S) URLs or request bodies, streamed.
//
// Each posting is mapped (posting.go: title → role through internal/titles, unclassified when
// none fits; hiringOrganization → Company by sameAs/url, else normalised name; jobLocation →
// Location with city aliases; TELECOMMUTE → remote; baseSalary annualised; description
// sanitised with bluemonday plus plain text; skills from the skills property and extracted
// from title and description by internal/extract) and synchronised by identity (source,
// identifier or url): new postings are created, changed ones updated, unchanged ones left
// alone (a content hash says which), and a full import closes the source's openings the feed
// no longer lists. A bad record is rejected with its position and reason and the rest goes
// on; records are written in batches, each batch in one transaction, so nothing is
// half-written.
package importer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/company"
	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/catalog"
	"github.com/careergraph/careergraph/internal/extract"
	"github.com/careergraph/careergraph/internal/rejects"
	"github.com/careergraph/careergraph/internal/search"
	"github.com/careergraph/careergraph/internal/skills"
	"github.com/careergraph/careergraph/internal/titles"
	"github.com/careergraph/careergraph/internal/txretry"
)

// Options configure an import run.
type Options struct {
	// Source names the feed; openings get the source "import:<Source>". Lower-case letters,
	// digits, ".", "-" and "_", at most 57 characters.
	Source string
	// Full says the documents are the feed's whole content: when every document was read to
	// its end, the source's live openings that none of them listed are closed.
	Full bool
	// DefaultCountry is the country of a jobLocation that names none (ISO 3166-1 alpha-2).
	// Default "IN".
	DefaultCountry string
	// BatchSize is how many postings one transaction writes: a chunk, the unit of
	// checkpoints. Default 500.
	BatchSize int
	// MaxRejects bounds the rejects a Report keeps (all are counted). Default 1000.
	MaxRejects int
	// Now is the clock (tests set it). Default time.Now.
	Now func() time.Time
	// Log receives what is not for the client (storage errors). Default: discarded.
	Log *slog.Logger
	// Progress, when set, is called after every record read with the report so far (a
	// progress bar).
	Progress func(Report)
	// Checkpoint, when set, is called inside each chunk's transaction, just before it
	// commits, with the position and the report as they will be once it has: what it writes
	// (the ImportRun's cursor and counts, in internal/jobs) is committed with the chunk or not
	// at all. Not called after a document could not be read to its end (the cursor would
	// pass records never imported).
	Checkpoint func(ctx context.Context, tx *ent.Client, at Checkpoint) error
	// Written, when set, is told after each chunk that was written past the graph client's
	// hooks (COPY on PostgreSQL, see SQL) has committed which openings it created and updated,
	// so that what the hooks would have announced (live updates) is announced still. Chunks
	// written through the client are announced by its hooks and not told here.
	Written func(ctx context.Context, created, updated []int)
	// Committed, when set, is called after each chunk that wrote a checkpoint has committed.
	Committed func(ctx context.Context, at Checkpoint)
	// Resume continues a run from a checkpoint: the records before its cursor are read again
	// only for their identities (so that duplicates are still refused and a full import does
	// not close them), not imported; the report starts from the checkpoint's.
	Resume *Checkpoint
	// SQL is the database client wraps and TxClient makes a graph client over one of its
	// transactions (database.ClientOnTx, with the client's hooks): with both, on PostgreSQL
	// (Dialect), new openings and their skill links are written with COPY (else through
	// ent's bulk insert, as on SQLite).
	SQL      *sql.DB
	Dialect  string
	TxClient func(dia string, tx *sql.Tx) *ent.Client
}

// Cursor is a position in an import's documents: record Record (0-based, in document order)
// of the Input-th document the run opened (0-based; Run opens them in argument order, a
// directory's files in name order).
type Cursor struct{ Input, Record int }

// Checkpoint is where a run stands after a committed chunk: every record before Cursor is
// done, and Report counts them.
type Checkpoint struct {
	Cursor Cursor
	Report Report
}

var sourcePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,56}$`)

// Reject is a record that was not imported.
type Reject = rejects.Reject

// Report is what an import did.
type Report struct {
	Source                                              string
	Read, Created, Updated, Unchanged, Closed, Rejected int
	Unclassified                                        int
	Rejects                                             []Reject
	// Incomplete is set when a document could not be read to its end; a full import then
	// closes nothing.
	Incomplete        bool
	Started, Finished time.Time
}

// Importer runs one import: feed it documents with Document, then call Finish.
type Importer struct {
	client   *ent.Client
	opts     Options
	source   string
	vocab    *skills.Vocabulary
	extract  *extract.Extractor
	titles   *titles.Normaliser
	roles    map[string]int
	bySite   map[string]int // SiteKey → company
	byName   map[string]int // CompanyKey → company
	compName map[int]string
	bySlug   map[string]int
	locs     map[string]int // country|lower(city) → location
	locCity  map[int]string
	locSlugs map[string]bool
	// seen holds every identity this run listed (a 64-bit hash of the external id → the
	// record's number in the run), for duplicates and the full close: some 30 bytes a posting
	// instead of the ids and positions themselves.
	seen    map[uint64]uint32
	pending []pending
	raw     []rawItem
	// preparing, when not nil, delivers the chunk being prepared in the background (chunk).
	preparing chan []rawItem
	// writing, when not nil, delivers the end (nil or an error) of the chunk being taken and
	// written in the background (chunk).
	writing chan error
	report  Report
	// input is the document being read (its index in the run, -1 before the first);
	// records the records read of it; position the records read in the run, skipped ones
	// included (what "record N of this run" counts).
	input, records, position int
	// taken is how many records of the input have been taken (written or rejected): what a
	// checkpoint may say is done, while the next chunk is read and prepared.
	taken int
	// created counts the openings this run created, analyzed how many of them the last
	// ANALYZE saw, nextAnalyze when the next is due (analyzeIfGrown).
	created, analyzed, nextAnalyze int
	// noCheckpoint is set once a document could not be read to its end.
	noCheckpoint bool
}

// idHash is an identity's key in Importer.seen (FNV-1a, 64 bits: a collision among a
// million identities has odds of about 1 in 36 million).
func idHash(id string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	return h.Sum64()
}

type pending struct {
	doc, pos string
	d        *Draft
	prep     *prepared
}

// prepared is what is worked out of a posting before it is written, independently of the
// others and of the database (so in parallel, see prepareAll): its skills, its role by title,
// the skill and description words of its search document, the hash of the draft.
type prepared struct {
	skills    []*ent.Skill
	preferred []int // see preferredOf
	role      string
	docTail   string
	draft     string
}

// rawItem is a record read and waiting for its chunk to be prepared.
type rawItem struct {
	doc      string
	it       Item
	position int
	records  int // Importer.records once it was read
	d        *Draft
	err      error
	prep     *prepared
}

// New prepares an import: it reads the skill vocabulary, the roles, companies and locations
// (small tables) once.
func New(ctx context.Context, client *ent.Client, opts Options) (*Importer, error) {
	if !sourcePattern.MatchString(opts.Source) {
		return nil, fmt.Errorf("importer: source %q: use 1-57 lower-case letters, digits, '.', '-' or '_'", opts.Source)
	}
	if opts.DefaultCountry == "" {
		opts.DefaultCountry = "IN"
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	if opts.MaxRejects <= 0 {
		opts.MaxRejects = 1000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	im := &Importer{client: client, opts: opts, source: "import:" + opts.Source,
		roles: map[string]int{}, bySite: map[string]int{}, byName: map[string]int{}, compName: map[int]string{},
		bySlug: map[string]int{}, locs: map[string]int{}, locCity: map[int]string{}, locSlugs: map[string]bool{},
		seen: map[uint64]uint32{}, input: -1}
	im.report.Source, im.report.Started = opts.Source, opts.Now()
	if opts.Resume != nil {
		im.report = opts.Resume.Report
		im.report.Source, im.report.Incomplete, im.report.Finished = opts.Source, false, time.Time{}
		im.report.Rejects = slices.Clone(im.report.Rejects)
		if im.report.Started.IsZero() {
			im.report.Started = opts.Now()
		}
	}
	all, err := client.Skill.Query().WithMembers(func(q *ent.SkillQuery) { q.Select(skill.FieldID) }).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("importer: read skills: %w", err)
	}
	im.vocab, im.extract = skills.New(all), extract.New(all)
	rs, err := client.Role.Query().Select(role.FieldID, role.FieldSlug, role.FieldTitle, role.FieldAliases).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("importer: read roles: %w", err)
	}
	trs := make([]titles.Role, len(rs))
	for i, r := range rs {
		im.roles[r.Slug] = r.ID
		trs[i] = titles.Role{Slug: r.Slug, Title: r.Title, Aliases: r.Aliases}
	}
	im.titles = titles.New(trs)
	cs, err := client.Company.Query().Select(company.FieldID, company.FieldSlug, company.FieldName, company.FieldWebsite).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("importer: read companies: %w", err)
	}
	for _, c := range cs {
		im.addCompany(c.ID, c.Slug, c.Name, c.Website)
	}
	ls, err := client.Location.Query().Select(location.FieldID, location.FieldSlug, location.FieldCity, location.FieldCountryCode).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("importer: read locations: %w", err)
	}
	for _, l := range ls {
		im.addLocation(l.ID, l.Slug, l.City, l.CountryCode)
	}
	return im, nil
}

func (im *Importer) addCompany(id int, slug, name, website string) {
	im.bySlug[slug], im.compName[id] = id, name
	if k := CompanyKey(name); k != "" {
		if _, ok := im.byName[k]; !ok {
			im.byName[k] = id
		}
	}
	if k := SiteKey(website); k != "" {
		if _, ok := im.bySite[k]; !ok {
			im.bySite[k] = id
		}
	}
}

func (im *Importer) addLocation(id int, slug, city, country string) {
	im.locs[country+"|"+strings.ToLower(City(city))] = id
	im.locCity[id], im.locSlugs[slug] = city, true
}

// Document imports the postings of one document (name says which, in rejects). It returns an
// error only when the document could not be read to its end or the database failed; rejected
// records are in the report.
func (im *Importer) Document(ctx context.Context, name string, r io.Reader, f Format) error {
	im.nextInput()
	skip := 0
	if res := im.opts.Resume; res != nil {
		if im.input < res.Cursor.Input {
			skip = math.MaxInt
		} else if im.input == res.Cursor.Input {
			skip = res.Cursor.Record
		}
	}
	err := Read(r, f, func(it Item) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		im.records++
		im.position++
		if im.records <= skip {
			// Done by an earlier attempt: only its identity counts (listed, and taken).
			if it.Err == nil {
				if id := rawIdentity(it.Raw); id != "" {
					if _, ok := im.seen[idHash(id)]; !ok {
						im.seen[idHash(id)] = uint32(im.position)
					}
				}
			}
			return nil
		}
		im.raw = append(im.raw, rawItem{doc: name, it: it, position: im.position, records: im.records})
		if len(im.raw) >= im.opts.BatchSize {
			if err := im.chunk(ctx); err != nil {
				return storeError{err}
			}
		}
		return nil
	})
	// What was read before a read error is written all the same: each posting is whole;
	// after a database error nothing more is written.
	var se storeError
	if ferr := im.drain(ctx, !errors.As(err, &se)); ferr != nil && err == nil {
		err = storeError{ferr}
	}
	if err != nil {
		im.report.Incomplete, im.noCheckpoint = true, true
		if errors.As(err, &se) {
			return fmt.Errorf("importer: %s: %w", name, se.error)
		}
		return &ReadError{Doc: name, Err: err}
	}
	return nil
}

// chunk hands the records read since the last chunk to be prepared in the background (in
// parallel), and has the chunk before them taken in order (rejects, duplicates) and written in
// one transaction with the checkpoint, also in the background, once the chunk before that is
// written: reading the next chunk, preparing this one and writing the one before overlap, so
// that the database is kept busy. At most three chunks are in memory. It returns the error of
// an earlier chunk's write, which ends the document. (Preparation reads only what New loaded;
// the writes run one at a time, in order, and drain waits for the last.)
func (im *Importer) chunk(ctx context.Context) error {
	raw := im.raw
	im.raw = make([]rawItem, 0, im.opts.BatchSize)
	done := make(chan []rawItem, 1)
	go func() {
		im.prepareAll(raw)
		done <- raw
	}()
	prev := im.preparing
	im.preparing = done
	if prev == nil {
		return nil
	}
	if err := im.waitWrite(); err != nil {
		return err
	}
	w := make(chan error, 1)
	im.writing = w
	go func() { w <- im.takeAndWrite(ctx, <-prev, -1) }()
	return nil
}

// waitWrite waits for the chunk being written in the background, if any, and returns its error.
func (im *Importer) waitWrite() error {
	w := im.writing
	im.writing = nil
	if w == nil {
		return nil
	}
	return <-w
}

// drain ends a document: it hands over what is left, waits for every chunk in preparation or
// being written and, when write is set, takes and writes the last; the checkpoint then covers
// every record read.
func (im *Importer) drain(ctx context.Context, write bool) error {
	var err error
	if write {
		err = im.chunk(ctx)
	} else if len(im.raw) > 0 {
		im.raw = im.raw[:0]
	}
	if werr := im.waitWrite(); err == nil {
		err = werr
	}
	p := im.preparing
	im.preparing = nil
	if p == nil {
		return err
	}
	raw := <-p
	if err != nil || !write {
		return err
	}
	return im.takeAndWrite(ctx, raw, im.records)
}

// takeAndWrite takes a prepared chunk in order and writes it. upTo is the records of the input
// taken once it is (-1: up to the chunk's last record).
func (im *Importer) takeAndWrite(ctx context.Context, raw []rawItem, upTo int) error {
	for _, x := range raw {
		im.take(x)
		im.taken = x.records
	}
	if upTo >= 0 {
		im.taken = upTo
	}
	return im.flush(ctx)
}

// prepareAll parses and prepares every record of a chunk, on as many goroutines as there are
// CPUs: the vocabulary, the extractor, the title normaliser and the sanitiser are read-only.
func (im *Importer) prepareAll(raw []rawItem) {
	workers := min(runtime.GOMAXPROCS(0), max(1, len(raw)/16))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(raw); i += workers {
				x := &raw[i]
				if x.it.Err != nil {
					continue
				}
				if x.d, x.err = parsePosting(x.it.Raw); x.err == nil {
					x.prep = im.prepare(x.d)
				}
			}
		}()
	}
	wg.Wait()
}

// take is one prepared record, in document order: rejected, refused as a duplicate of this
// run, or pending.
func (im *Importer) take(x rawItem) {
	im.report.Read++
	if im.opts.Progress != nil {
		defer im.opts.Progress(im.report)
	}
	if x.it.Err != nil {
		im.rejectItem(x.doc, x.it.Position, x.position, x.it.Err.Error(), nil)
		return
	}
	if x.err != nil {
		im.rejectItem(x.doc, x.it.Position, x.position, x.err.Error(), x.it.Raw)
		return
	}
	d := x.d
	if prev, dup := im.seen[idHash(d.ExternalID)]; dup {
		im.rejectItem(x.doc, x.it.Position, x.position, fmt.Sprintf("identifier: %q was already imported by record %d of this run", truncate(d.ExternalID, 60), prev), nil)
		return
	}
	im.seen[idHash(d.ExternalID)] = uint32(x.position)
	im.pending = append(im.pending, pending{doc: x.doc, pos: x.it.Position, d: d, prep: x.prep})
}

// nextInput moves to the next document of the run.
func (im *Importer) nextInput() { im.input, im.records, im.taken = im.input+1, 0, 0 }

// Unreadable notes a document that could not be opened: it still takes its place in the
// run's order (Cursor.Input), and no checkpoint passes it.
func (im *Importer) Unreadable() {
	im.nextInput()
	im.report.Incomplete, im.noCheckpoint = true, true
}

// storeError marks a database failure, as opposed to a document that could not be read.
type storeError struct{ error }

func (e storeError) Unwrap() error { return e.error }

// rejectItem records a reject (at: the record's number in the run). A rejected posting whose
// identity is known still counts as listed, so that a full import does not close an opening
// because its update was malformed.
func (im *Importer) rejectItem(doc, pos string, at int, reason string, raw json.RawMessage) {
	im.report.Rejected++
	if len(im.report.Rejects) < im.opts.MaxRejects {
		im.report.Rejects = append(im.report.Rejects, Reject{Document: doc, Position: pos, Reason: reason})
	}
	if raw != nil {
		if id := rawIdentity(raw); id != "" {
			if _, ok := im.seen[idHash(id)]; !ok {
				im.seen[idHash(id)] = uint32(at)
			}
		}
	}
}

// Finish closes what a full import no longer lists and returns the report.
func (im *Importer) Finish(ctx context.Context) (*Report, error) {
	if err := im.flush(ctx); err != nil {
		return nil, err
	}
	if im.opts.Full && !im.report.Incomplete {
		n, err := im.closeMissing(ctx)
		if err != nil {
			return nil, err
		}
		im.report.Closed = n
	}
	im.analyze(ctx) // what this run loaded, for the planner (see analyzeFirst)
	im.report.Finished = im.opts.Now()
	r := im.report
	return &r, nil
}

// closeMissing closes the source's live openings this run did not see, reading them in pages
// of ids so that memory follows the page, not the source.
func (im *Importer) closeMissing(ctx context.Context) (int, error) {
	closed, after := 0, 0
	for {
		page, err := im.client.Opening.Query().
			Where(opening.Source(im.source), opening.StatusEQ(opening.StatusLIVE), opening.IDGT(after)).
			Order(ent.Asc(opening.FieldID)).Limit(1000).Select(opening.FieldID, opening.FieldExternalID).All(ctx)
		if err != nil {
			return closed, fmt.Errorf("importer: close: %w", err)
		}
		if len(page) == 0 {
			return closed, nil
		}
		var gone []int
		for _, o := range page {
			if _, ok := im.seen[idHash(o.ExternalID)]; !ok {
				gone = append(gone, o.ID)
			}
			after = o.ID
		}
		if len(gone) > 0 {
			n, err := im.client.Opening.Update().Where(opening.IDIn(gone...), opening.StatusEQ(opening.StatusLIVE)).
				SetStatus(opening.StatusCLOSED).Save(ctx)
			if err != nil {
				return closed, fmt.Errorf("importer: close: %w", err)
			}
			closed += n
		}
	}
}

// flush writes the pending postings in one transaction. When that fails, each is tried on its
// own, so that one posting the database refuses is rejected and the others are written.
func (im *Importer) flush(ctx context.Context) error {
	batch := im.pending
	im.pending = nil
	if len(batch) == 0 {
		return nil
	}
	err := im.write(ctx, batch, true)
	if err == nil || ctx.Err() != nil {
		return err
	}
	im.opts.Log.Warn("import batch failed; retrying postings one by one", "source", im.opts.Source, "err", err)
	for _, p := range batch {
		if err := im.write(ctx, []pending{p}, false); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			im.opts.Log.Warn("import posting not stored", "source", im.opts.Source, "document", p.doc, "position", p.pos, "err", err)
			im.rejectItem(p.doc, p.pos, 0, "could not be stored (see the server log)", nil)
		}
	}
	// The postings went one by one, each in its own transaction; the checkpoint follows in
	// one of its own (a crash just before it re-imports them, unchanged).
	return im.write(ctx, nil, true)
}

// row is what one posting becomes, with database ids.
type row struct {
	p        pending
	roleID   *int
	company  int
	location *int
	skills   []*ent.Skill
	// preferred are the IDs among skills the posting asks for only as preferred.
	preferred []int
	status    opening.Status
	hash      string
	doc       string
}

// write writes a batch in one transaction, run again when it loses to concurrent writers (a
// deadlock with an editor or another import; txretry): nothing it changes outside the database
// is changed before the commit, so a second run starts clean.
func (im *Importer) write(ctx context.Context, batch []pending, checkpoint bool) error {
	if len(batch) == 0 && (!checkpoint || im.opts.Checkpoint == nil || im.noCheckpoint) {
		return nil
	}
	return txretry.Do(ctx, txretry.DefaultPolicy, func(ctx context.Context) error { return im.writeOnce(ctx, batch, checkpoint) })
}

// copyOpenings says whether new openings are written with COPY (PostgreSQL with SQL set).
func (im *Importer) copyOpenings() bool {
	return im.opts.SQL != nil && im.opts.TxClient != nil && im.opts.Dialect == dialect.Postgres
}

func (im *Importer) writeOnce(ctx context.Context, batch []pending, checkpoint bool) (err error) {
	tx, err := im.begin(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.rollback()
		}
	}()
	c := tx.client
	comps, newComps, err := im.ensureCompanies(ctx, c, batch)
	if err != nil {
		return err
	}
	locs, newLocs, err := im.ensureLocations(ctx, c, batch)
	if err != nil {
		return err
	}
	rows := make([]row, len(batch))
	ids := make([]string, len(batch))
	unclassified := 0
	for i, p := range batch {
		rows[i] = im.row(p, comps, locs)
		ids[i] = p.d.ExternalID
		if rows[i].roleID == nil {
			unclassified++
		}
	}
	existing, err := c.Opening.Query().Where(opening.Source(im.source), opening.ExternalIDIn(ids...)).
		Select(opening.FieldID, opening.FieldExternalID, opening.FieldContentHash, opening.FieldStatus).All(ctx)
	if err != nil {
		return err
	}
	byExt := map[string]*ent.Opening{}
	for _, o := range existing {
		byExt[o.ExternalID] = o
	}
	var creates, updatedRows []row
	var updatedIDs []int
	created, updated, unchanged := 0, 0, 0
	for _, r := range rows {
		o := byExt[r.p.d.ExternalID]
		if o == nil {
			creates = append(creates, r)
			created++
			continue
		}
		// A posting a full import closed is reopened when the feed lists it again.
		if o.ContentHash == r.hash && o.Status != opening.StatusCLOSED {
			unchanged++
			continue
		}
		if err := im.update(ctx, c, o.ID, r); err != nil {
			return err
		}
		updated++
		updatedIDs = append(updatedIDs, o.ID)
		updatedRows = append(updatedRows, r)
	}
	createdIDs, err := im.createOpenings(ctx, tx, creates)
	if err != nil {
		return err
	}
	var at *Checkpoint
	if checkpoint && im.opts.Checkpoint != nil && !im.noCheckpoint {
		a := Checkpoint{Cursor: Cursor{Input: max(im.input, 0), Record: im.taken}, Report: im.report}
		a.Report.Created += created
		a.Report.Updated += updated
		a.Report.Unchanged += unchanged
		a.Report.Unclassified += unclassified
		if err := im.opts.Checkpoint(ctx, c, a); err != nil {
			return err
		}
		at = &a
	}
	// Links COPY wrote carry their flag already; those ent wrote (updates, and creates on
	// SQLite) get it here. Unchanged postings' links are as they were.
	mark := updatedRows
	if tx.sql == nil {
		mark = append(mark, creates...)
	}
	if err := im.markPreferred(ctx, c, mark); err != nil {
		return err
	}
	if err := tx.commit(); err != nil {
		return err
	}
	if at != nil && im.opts.Committed != nil {
		defer im.opts.Committed(ctx, *at)
	}
	if tx.sql != nil && im.opts.Written != nil {
		// Written past the graph client's hooks: say what changed, now that it is committed.
		created := make([]int, len(createdIDs))
		for i, id := range createdIDs {
			created[i] = int(id)
		}
		im.opts.Written(ctx, created, updatedIDs)
	}
	for _, nc := range newComps {
		im.addCompany(comps[nc.key], nc.slug, nc.name, nc.site)
	}
	for _, nl := range newLocs {
		im.addLocation(locs[nl.key], nl.slug, nl.city, nl.country)
	}
	im.report.Created += created
	im.report.Updated += updated
	im.report.Unchanged += unchanged
	im.report.Unclassified += unclassified
	im.analyzeIfGrown(ctx, created)
	return nil
}

// Statistics during a long import. A chunk looks its postings up by (source, external id);
// with the statistics of a table a tenth of its size, PostgreSQL read every row of the source
// through the index's first column and filtered the 500 ids, instead of probing the index for
// each: 230 ms a chunk at 225,000 openings, growing with the table, so that a million-line
// import slowed from 2,700 to 900 postings a second after 200,000. (An ANALYZE takes about a
// quarter of a second; at 2,000 and each doubling it was a sixth of a 20,000-line import.)
// So an import analyses the
// tables it fills once it has created analyzeFirst openings, then each time it has doubled
// them (at most every analyzeEvery), and at its end (Finish).
const (
	analyzeFirst = 20_000
	analyzeEvery = 200_000
)

// analyzeColumns are the columns of openings an import's ANALYZE reads: every column but the
// long texts no statement filters, joins or sorts by (their statistics were half of the time
// of an ANALYZE: 0.5 of 1.05 s at 20,000 openings), plus the search vector, whose lexeme
// statistics estimate searches. Autovacuum's ANALYZE still covers every column.
var analyzeColumns = func() string {
	skip := map[string]bool{opening.FieldDescription: true, opening.FieldDescriptionHTML: true, opening.FieldSearchText: true,
		opening.FieldMetaTitle: true, opening.FieldMetaDescription: true, opening.FieldURL: true,
		opening.FieldApplicantLocationRequirements: true, opening.FieldContentHash: true}
	var cols []string
	for _, c := range opening.Columns {
		if !skip[c] {
			cols = append(cols, c)
		}
	}
	return strings.Join(append(cols, "search_vector"), ", ")
}()

// analyzeIfGrown counts created openings and analyses when they passed the next mark
// (PostgreSQL only; best effort: a failed ANALYZE costs speed, not data).
func (im *Importer) analyzeIfGrown(ctx context.Context, created int) {
	im.created += created
	if im.created >= max(im.nextAnalyze, analyzeFirst) {
		im.analyze(ctx)
	}
}

// analyze runs ANALYZE on the tables an import fills, if it created openings since the last.
func (im *Importer) analyze(ctx context.Context) {
	if im.opts.SQL == nil || im.opts.Dialect != dialect.Postgres || im.created == im.analyzed {
		return
	}
	if _, err := im.opts.SQL.ExecContext(ctx, "ANALYZE openings ("+analyzeColumns+"), opening_skills"); err != nil && im.opts.Log != nil {
		im.opts.Log.WarnContext(ctx, "import: ANALYZE", "err", err)
	}
	im.analyzed = im.created
	im.nextAnalyze = im.created + min(im.created, analyzeEvery)
}

type newCompany struct{ key, slug, name, site string }

// companyRef is how a posting's company is found: by site, else by normalised name.
func companyRef(o Org) (site, name string) { return SiteKey(o.URL), CompanyKey(o.Name) }

// ensureCompanies resolves every posting's company to an id, creating the missing ones
// (internal/catalog: by slug, existing rows untouched). The returned map is keyed by
// "site:<SiteKey>" or "name:<CompanyKey>".
func (im *Importer) ensureCompanies(ctx context.Context, c *ent.Client, batch []pending) (map[string]int, []newCompany, error) {
	out := map[string]int{}
	var missing []newCompany
	for _, p := range batch {
		site, name := companyRef(p.d.Org)
		key := "name:" + name
		if id, ok := im.bySite[site]; ok && site != "" {
			out["site:"+site] = id
			continue
		}
		if id, ok := im.byName[name]; ok {
			out[key] = id
			if site != "" {
				out["site:"+site] = id
			}
			continue
		}
		slug := slugify(name)
		if slug == "" {
			slug = "company-" + hashHex([]byte(name))[:12]
		}
		if id, ok := im.bySlug[slug]; ok {
			out[key] = id
			continue
		}
		if _, ok := out[key]; ok {
			continue
		}
		out[key] = 0
		missing = append(missing, newCompany{key: key, slug: slug, name: p.d.Org.Name, site: p.d.Org.URL})
	}
	if len(missing) == 0 {
		return out, nil, nil
	}
	in := make([]catalog.Company, len(missing))
	for i, m := range missing {
		in[i] = catalog.Company{Slug: m.slug, Name: m.name, Source: im.source}
	}
	ids, err := catalog.EnsureCompanies(ctx, c, in)
	if err != nil {
		return nil, nil, err
	}
	for _, m := range missing {
		id := ids[m.slug]
		out[m.key] = id
		if m.site != "" {
			if site := SiteKey(m.site); site != "" {
				out["site:"+site] = id
			}
			// Only a company this import created gets its site: editors own existing rows.
			if _, err := c.Company.Update().Where(company.ID(id), company.Or(company.WebsiteIsNil(), company.Website("")), company.Source(im.source)).
				SetWebsite(truncate(m.site, 290)).Save(ctx); err != nil {
				return nil, nil, err
			}
		}
		im.compName[id] = m.name
	}
	return out, missing, nil
}

func (im *Importer) companyID(comps map[string]int, o Org) int {
	site, name := companyRef(o)
	if id, ok := comps["site:"+site]; ok && site != "" {
		return id
	}
	if id, ok := comps["name:"+name]; ok {
		return id
	}
	return comps["site:"+site]
}

type newLocation struct{ key, slug, city, country string }

func (im *Importer) locationKey(a *Address) (key, city, country string) {
	country = Country(a.Country)
	if country == "" {
		country = im.opts.DefaultCountry
	}
	city = City(a.City)
	return country + "|" + strings.ToLower(city), city, country
}

func (im *Importer) ensureLocations(ctx context.Context, c *ent.Client, batch []pending) (map[string]int, []newLocation, error) {
	out := map[string]int{}
	var missing []newLocation
	var in []catalog.Location
	for _, p := range batch {
		if p.d.Address == nil {
			continue
		}
		key, city, country := im.locationKey(p.d.Address)
		if id, ok := im.locs[key]; ok {
			out[key] = id
			continue
		}
		if _, ok := out[key]; ok {
			continue
		}
		slug := slugify(city)
		if slug == "" || im.locSlugs[slug] {
			slug = strings.Trim(slug+"-"+strings.ToLower(country), "-")
		}
		if im.locSlugs[slug] {
			slug += "-" + hashHex([]byte(key))[:6]
		}
		out[key] = 0
		missing = append(missing, newLocation{key: key, slug: slug, city: city, country: country})
		in = append(in, catalog.Location{Slug: slug, City: city, Region: truncate(p.d.Address.Region, 100), CountryCode: country, Source: im.source})
	}
	if len(in) == 0 {
		return out, nil, nil
	}
	ids, err := catalog.EnsureLocations(ctx, c, in)
	if err != nil {
		return nil, nil, err
	}
	for _, m := range missing {
		out[m.key] = ids[m.slug]
		im.locCity[ids[m.slug]] = m.city
	}
	return out, missing, nil
}

// row resolves a posting: role, company, location, skills, status, and its content hash.
func (im *Importer) row(p pending, comps, locs map[string]int) row {
	d := p.d
	r := row{p: p, company: im.companyID(comps, d.Org), status: opening.StatusLIVE}
	pr := p.prep
	if pr == nil {
		pr = im.prepare(d)
	}
	if pr.role != titles.Unclassified {
		if id, ok := im.roles[pr.role]; ok {
			r.roleID = &id
		}
	}
	city := ""
	if d.Address != nil {
		key, _, _ := im.locationKey(d.Address)
		id := locs[key]
		r.location, city = &id, im.locCity[id]
	}
	if d.ValidThrough != nil && d.ValidThrough.Before(im.opts.Now()) {
		r.status = opening.StatusEXPIRED
	}
	r.skills, r.preferred = pr.skills, pr.preferred
	skillIDs := skillLinks(r)
	// search.Document is a list of words in order: the head (title, company, city) and the
	// tail (skills, description) are built apart and joined.
	r.doc = search.Document(d.Title, im.compName[r.company], city, "", nil)
	if r.doc != "" && pr.docTail != "" {
		r.doc += " "
	}
	r.doc += pr.docTail
	slices.Sort(skillIDs)
	h, _ := json.Marshal(struct {
		Draft    string
		Role     *int
		Company  int
		Location *int
		Skills   []int
		Status   opening.Status
	}{pr.draft, r.roleID, r.company, r.location, skillIDs, r.status})
	r.hash = hashHex(h)
	return r
}

// prepare works out what a posting needs that depends on neither the database nor the other
// postings (see prepared).
func (im *Importer) prepare(d *Draft) *prepared {
	p := &prepared{role: im.titles.Classify(d.Title)}
	var pref map[int]bool
	p.skills, pref = im.skillsOf(d)
	p.preferred = im.preferredOf(d, p.skills, pref)
	names := make([][]string, len(p.skills))
	for i, s := range p.skills {
		names[i] = append([]string{s.Name}, s.Synonyms...)
		for _, m := range im.vocab.Members(s.ID) {
			if ms := im.vocab.ByID(m); ms != nil {
				names[i] = append(append(names[i], ms.Name), ms.Synonyms...)
			}
		}
	}
	p.docTail = search.Document("", "", "", d.Description, names)
	h, _ := json.Marshal(d)
	p.draft = hashHex(h)
	return p
}

// skillsOf is the posting's skills: those its skills property names (known to the
// vocabulary; an unknown name is searched for known skills, "Golang, gRPC" → Go), then those
// extracted from its title and description, without duplicates.
//
// It also returns the skills the title and description ask for only as preferred
// (extract.Preferred; their mentions are found once for both), for preferredOf.
func (im *Importer) skillsOf(d *Draft) ([]*ent.Skill, map[int]bool) {
	var out []*ent.Skill
	seen := map[int]bool{}
	add := func(s *ent.Skill) {
		if s != nil && !seen[s.ID] {
			seen[s.ID] = true
			out = append(out, s)
		}
	}
	for _, n := range d.SkillNames {
		if s := im.vocab.Find(n); s != nil {
			add(s)
			continue
		}
		for _, s := range im.extract.Skills(n) {
			add(s)
		}
	}
	found, pref := im.extract.SkillsAndPreferred(d.Title + ".\n" + d.Description)
	for _, s := range found {
		add(s)
	}
	return out, pref
}

func (im *Importer) update(ctx context.Context, c *ent.Client, id int, r row) error {
	d := r.p.d
	u := c.Opening.UpdateOneID(id).SetTitle(d.Title).
		SetDescription(d.Description).SetDescriptionHTML(d.DescriptionHTML).SetURL(truncate(d.URL, 2000)).
		SetApplicantLocationRequirements(d.ApplicantLocations).SetContentHash(r.hash).
		SetCompanyID(r.company).SetWorkMode(d.WorkMode).SetEmploymentType(d.EmploymentType).
		SetExperienceMinYears(d.ExpMin).SetPostedAt(d.PostedAt).SetStatus(r.status).
		SetSkillCount(len(r.skills)).SetSearchText(r.doc).ClearSkills().AddSkillIDs(skillLinks(r)...)
	// A title that matches no role leaves the role alone: an editor may have classified it.
	if r.roleID != nil {
		u.SetRoleID(*r.roleID)
	}
	if r.location != nil {
		u.SetLocationID(*r.location)
	} else {
		u.ClearLocation()
	}
	if d.ExpMax != nil {
		u.SetExperienceMaxYears(*d.ExpMax)
	} else {
		u.ClearExperienceMaxYears()
	}
	if d.ValidThrough != nil {
		u.SetValidThrough(*d.ValidThrough)
	} else {
		u.ClearValidThrough()
	}
	if d.SalaryMin != nil {
		u.SetSalaryMin(*d.SalaryMin).SetSalaryMax(*d.SalaryMax).SetSalaryCurrency(d.SalaryCurrency).SetSalaryPeriod(d.SalaryPeriod)
	} else {
		u.ClearSalaryMin().ClearSalaryMax().ClearSalaryCurrency().ClearSalaryPeriod()
	}
	return u.Exec(ctx)
}
