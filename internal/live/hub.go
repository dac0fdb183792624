package live

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/importrun"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/matching"
)

// OpeningChange is one event of openingsChanged (GraphQL type OpeningChange).
type OpeningChange struct {
	Kind      Op
	OpeningID int
	// Opening is the opening after the change; nil when it was deleted.
	Opening *ent.Opening
}

// Buffer is how many events a subscriber may fall behind by; a subscriber further behind
// misses events (they are counted in Hub.Missed) rather than holding up the others.
const Buffer = 64

// Default limits (LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION, LIVE_MAX_CONNECTIONS_PER_CLIENT).
const (
	DefaultMaxSubscriptionsPerConnection = 10
	DefaultMaxConnectionsPerClient       = 8
)

// Hub keeps this process's subscriptions and feeds them from a Bus: for each message it reads
// the changed openings, roles or runs once (one statement per kind, only when someone here
// subscribes to them) and hands them to the subscribers whose filters match.
type Hub struct {
	client *ent.Client
	log    *slog.Logger
	work   chan Message

	mu       sync.Mutex
	openings map[*openingSub]bool
	roles    map[int]map[chan *ent.Role]bool
	imports  map[int]map[chan *ent.ImportRun]bool
	// sent is the run each import-run subscriber was last sent: a subscription reads the run
	// after registering, so a change committed in between reaches it twice (the read and the
	// notice), and the same state is sent once (sameRun).
	sent   map[chan *ent.ImportRun]*ent.ImportRun
	missed int64
	// OnSubscriptions, when set, is told of each subscription started (+1) and ended (-1),
	// by field name (metrics).
	OnSubscriptions func(field string, delta int)
}

type openingSub struct {
	ch        chan *OpeningChange
	role      int          // 0: any
	locations map[int]bool // nil: any
}

// NewHub returns a hub reading from client, fed by bus.
func NewHub(client *ent.Client, bus *Bus, log *slog.Logger) *Hub {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Hub{
		client: client, log: log, work: make(chan Message, 256),
		openings: map[*openingSub]bool{},
		roles:    map[int]map[chan *ent.Role]bool{},
		imports:  map[int]map[chan *ent.ImportRun]bool{},
		sent:     map[chan *ent.ImportRun]*ent.ImportRun{},
	}
	go h.run()
	bus.Handle(func(m Message) {
		select {
		case h.work <- m:
		default:
			h.mu.Lock()
			h.missed++
			h.mu.Unlock()
			h.log.Warn("live: hub queue full, message dropped")
		}
	})
	return h
}

// Missed counts events subscribers did not get because they (or the hub) fell behind.
func (h *Hub) Missed() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.missed
}

// Subscriptions is the number of subscriptions running in this process.
func (h *Hub) Subscriptions() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := len(h.openings)
	for _, m := range h.roles {
		n += len(m)
	}
	for _, m := range h.imports {
		n += len(m)
	}
	return n
}

func (h *Hub) count(field string, d int) {
	if h.OnSubscriptions != nil {
		h.OnSubscriptions(field, d)
	}
}

// Openings subscribes to opening changes, optionally of the role with slug roleSlug and in
// city (see matching.CityIDs). The channel closes when ctx ends.
func (h *Hub) Openings(ctx context.Context, roleSlug, city, country *string) (<-chan *OpeningChange, error) {
	s := &openingSub{ch: make(chan *OpeningChange, Buffer)}
	if roleSlug != nil {
		id, err := h.client.Role.Query().Where(role.Slug(strings.TrimSpace(*roleSlug))).OnlyID(ctx)
		if ent.IsNotFound(err) {
			return nil, apperr.BadInput("role", "unknown role %q: send a role's slug, such as \"backend-developer\"", *roleSlug)
		}
		if err != nil {
			return nil, err
		}
		s.role = id
	}
	if country != nil && city == nil {
		return nil, apperr.BadInput("country", "country narrows city: send city with it")
	}
	if city != nil {
		c := ""
		if country != nil {
			c = *country
		}
		ids, err := matching.CityIDs(ctx, h.client, "city", *city, c)
		if err != nil {
			return nil, err
		}
		s.locations = map[int]bool{}
		for _, id := range ids {
			s.locations[id] = true
		}
	}
	h.mu.Lock()
	h.openings[s] = true
	h.mu.Unlock()
	h.count("openingsChanged", 1)
	context.AfterFunc(ctx, func() {
		h.mu.Lock()
		delete(h.openings, s)
		close(s.ch)
		h.mu.Unlock()
		h.count("openingsChanged", -1)
	})
	return s.ch, nil
}

// Role subscribes to the role with slug: each change sends it as it is now; nil when it was
// deleted, after which the channel closes. The channel closes when ctx ends.
func (h *Hub) Role(ctx context.Context, slug string) (<-chan *ent.Role, error) {
	id, err := h.client.Role.Query().Where(role.Slug(strings.TrimSpace(slug))).OnlyID(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.BadInput("slug", "unknown role %q: send a role's slug, such as \"backend-developer\"", slug)
	}
	if err != nil {
		return nil, err
	}
	ch := make(chan *ent.Role, Buffer)
	h.mu.Lock()
	add(h.roles, id, ch)
	h.mu.Unlock()
	h.count("roleChanged", 1)
	context.AfterFunc(ctx, func() {
		h.mu.Lock()
		remove(h.roles, id, ch, true)
		h.mu.Unlock()
		h.count("roleChanged", -1)
	})
	return ch, nil
}

// add registers ch under id. h.mu is held.
func add[T any](subs map[int]map[chan T]bool, id int, ch chan T) {
	if subs[id] == nil {
		subs[id] = map[chan T]bool{}
	}
	subs[id][ch] = true
}

// remove unregisters ch (closing it when closeIt and it was still registered). h.mu is held.
func remove[T any](subs map[int]map[chan T]bool, id int, ch chan T, closeIt bool) {
	if subs[id][ch] {
		delete(subs[id], ch)
		if closeIt {
			close(ch)
		}
	}
	if len(subs[id]) == 0 {
		delete(subs, id)
	}
}

// ImportRun subscribes to import run id: it sends the run as it is now at once, then again
// after each change, and closes after a finished one (SUCCEEDED or FAILED) or when ctx ends.
// An unknown run is a NOT_FOUND-style BAD_USER_INPUT error naming id.
func (h *Hub) ImportRun(ctx context.Context, id int) (<-chan *ent.ImportRun, error) {
	ch := make(chan *ent.ImportRun, Buffer)
	h.mu.Lock()
	add(h.imports, id, ch)
	h.mu.Unlock()
	// Registered before reading, so that a change committed in between is not missed (its
	// state is sent once: see sent).
	run, err := h.client.ImportRun.Get(ctx, id)
	if err != nil {
		h.mu.Lock()
		remove(h.imports, id, ch, false)
		delete(h.sent, ch)
		h.mu.Unlock()
		if ent.IsNotFound(err) {
			return nil, apperr.BadInput("id", "no import run has id %d", id)
		}
		return nil, err
	}
	h.count("importRunProgress", 1)
	h.mu.Lock()
	h.sendRun(ch, run, id)
	h.mu.Unlock()
	context.AfterFunc(ctx, func() {
		h.mu.Lock()
		remove(h.imports, id, ch, true)
		delete(h.sent, ch)
		h.mu.Unlock()
		h.count("importRunProgress", -1)
	})
	return ch, nil
}

// sendRun gives run to ch, unless ch was last sent the same state, and closes ch after a
// finished run. h.mu is held.
func (h *Hub) sendRun(ch chan *ent.ImportRun, run *ent.ImportRun, id int) {
	if !h.imports[id][ch] || sameRun(h.sent[ch], run) {
		return
	}
	select {
	case ch <- run:
		h.sent[ch] = run
	default:
		h.missed++
	}
	if run.Status == importrun.StatusSUCCEEDED || run.Status == importrun.StatusFAILED {
		delete(h.imports[id], ch)
		delete(h.sent, ch)
		close(ch)
	}
}

// sameRun reports whether a and b are the same state of a run: every field the API shows
// that can change (the rejects list grows with the rejected count, so its length stands for
// it). a may be nil (nothing sent yet).
func sameRun(a, b *ent.ImportRun) bool {
	if a == nil {
		return false
	}
	sameTime := func(x, y *time.Time) bool { return x == nil && y == nil || x != nil && y != nil && x.Equal(*y) }
	sameText := func(x, y *string) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	return a.Status == b.Status && a.Read == b.Read && a.Created == b.Created && a.Updated == b.Updated &&
		a.Unchanged == b.Unchanged && a.Closed == b.Closed && a.Rejected == b.Rejected &&
		a.Unclassified == b.Unclassified && len(a.Rejects) == len(b.Rejects) && a.Attempts == b.Attempts &&
		sameText(a.Error, b.Error) && sameTime(a.StartedAt, b.StartedAt) && sameTime(a.FinishedAt, b.FinishedAt)
}

func (h *Hub) run() {
	for m := range h.work {
		// Merge what is waiting: one read per kind for a burst of commits (an import).
		for n := 0; n < 64; n++ {
			select {
			case more := <-h.work:
				m.merge(more)
				continue
			default:
			}
			break
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := h.dispatch(ctx, m); err != nil {
			// The database is unreachable: these events are lost to this replica's subscribers.
			h.log.Warn("live: reading changes for subscribers", "err", err)
		}
		cancel()
	}
}

func (h *Hub) dispatch(ctx context.Context, m Message) error {
	var errs []error
	if len(m.Openings) > 0 && h.wantOpenings() {
		errs = append(errs, h.dispatchOpenings(ctx, m.Openings))
	}
	if roles := h.wanted(m.Roles, func(id int) bool { return len(h.roles[id]) > 0 }); len(roles) > 0 {
		errs = append(errs, h.dispatchRoles(ctx, roles))
	}
	if runs := h.wanted(m.Imports, func(id int) bool { return len(h.imports[id]) > 0 }); len(runs) > 0 {
		errs = append(errs, h.dispatchRuns(ctx, runs))
	}
	return errors.Join(errs...)
}

func (h *Hub) wantOpenings() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.openings) > 0
}

// wanted returns the distinct ids someone here subscribes to.
func (h *Hub) wanted(ids []int, has func(int) bool) []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []int
	for _, id := range ids {
		if has(id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func (h *Hub) dispatchOpenings(ctx context.Context, changes []Opening) error {
	ids := make([]int, 0, len(changes))
	for _, c := range changes {
		if c.Op != Deleted {
			ids = append(ids, c.ID)
		}
	}
	byID := map[int]*ent.Opening{}
	if len(ids) > 0 {
		slices.Sort(ids)
		ids = slices.Compact(ids)
		os, err := h.client.Opening.Query().Where(opening.IDIn(ids...)).All(ctx)
		if err != nil {
			return err
		}
		for _, o := range os {
			byID[o.ID] = o
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range changes {
		ev := &OpeningChange{Kind: c.Op, OpeningID: c.ID}
		roleID, loc := c.Role, c.Location
		if c.Op != Deleted {
			o := byID[c.ID]
			if o == nil {
				continue // deleted since; its deletion is another event
			}
			ev.Opening, roleID, loc = o, deref(o.RoleID), deref(o.LocationID)
		}
		for s := range h.openings {
			if s.role != 0 && roleID != s.role || s.locations != nil && !s.locations[loc] {
				continue
			}
			select {
			case s.ch <- ev:
			default:
				h.missed++
			}
		}
	}
	return nil
}

func (h *Hub) dispatchRoles(ctx context.Context, ids []int) error {
	rs, err := h.client.Role.Query().Where(role.IDIn(ids...)).All(ctx)
	if err != nil {
		return err
	}
	byID := map[int]*ent.Role{}
	for _, r := range rs {
		byID[r.ID] = r
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range ids {
		r := byID[id]
		for ch := range h.roles[id] {
			select {
			case ch <- r:
			default:
				h.missed++
			}
			if r == nil { // deleted: nothing more will come
				delete(h.roles[id], ch)
				close(ch)
			}
		}
	}
	return nil
}

func (h *Hub) dispatchRuns(ctx context.Context, ids []int) error {
	rs, err := h.client.ImportRun.Query().Where(importrun.IDIn(ids...)).All(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range rs {
		for ch := range h.imports[r.ID] {
			h.sendRun(ch, r, r.ID)
		}
	}
	return nil
}
