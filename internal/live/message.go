// Package live carries changes from the process that made them to every replica's subscribers,
// match index and caches.
//
// The pieces:
//
//   - Hook, an ent hook, turns each committed change to an opening, a role (or its page
//     content) or an import run into a Message: kinds and ids, never documents. It publishes
//     after the transaction commits (ent's OnCommit), never for one rolled back.
//   - Bus fans messages out. On SQLite it delivers them in process. On PostgreSQL it sends them
//     with pg_notify on a channel named after the database schema and receives them, its own
//     included, with lib/pq's Listener, so that every replica on the same schema hears every
//     change and replicas (or test runs) on other schemas hear none.
//   - Hub keeps this process's subscriptions (schema/live.graphql) and, for each message,
//     reads what changed once and hands it to the subscribers whose filters match.
//
// See README "Live updates" for the protocols, limits and failure behaviour.
package live

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// Op says what happened to an opening (GraphQL enum OpeningChangeKind).
type Op string

// The kinds of opening change.
const (
	Posted  Op = "POSTED"
	Updated Op = "UPDATED"
	Closed  Op = "CLOSED"
	Expired Op = "EXPIRED"
	Deleted Op = "DELETED"
)

var opCodes = map[Op]string{Posted: "P", Updated: "U", Closed: "C", Expired: "E", Deleted: "D"}

// MarshalGQL implements graphql.Marshaler.
func (o Op) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(o))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (o *Op) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	if _, ok := opCodes[Op(s)]; !ok {
		return fmt.Errorf("%v is not a valid OpeningChangeKind", v)
	}
	*o = Op(s)
	return nil
}

// Opening is one changed opening in a Message: its id, what happened, and its role and
// location after the change (0: none; Unknown: not read, the receiver reads the opening).
type Opening struct {
	ID, Role, Location int
	Op                 Op
}

// Unknown marks a role or location the publisher did not read (bulk updates and deletes).
const Unknown = -1

// MarshalJSON writes the opening as [id, op, role, location], e.g. [42,"U",7,0].
func (o Opening) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `[%d,%q,%d,%d]`, o.ID, opCodes[o.Op], o.Role, o.Location), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (o *Opening) UnmarshalJSON(b []byte) error {
	var a [4]json.RawMessage
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	var code string
	if err := json.Unmarshal(a[1], &code); err != nil {
		return err
	}
	for op, c := range opCodes {
		if c == code {
			o.Op = op
		}
	}
	if o.Op == "" {
		return fmt.Errorf("live: unknown opening op %q", code)
	}
	for i, dst := range []*int{&o.ID, &o.Role, &o.Location} {
		if err := json.Unmarshal(a[[]int{0, 2, 3}[i]], dst); err != nil {
			return err
		}
	}
	return nil
}

// Message is what travels between replicas: what changed, by id.
type Message struct {
	Openings []Opening `json:"o,omitempty"`
	// Roles whose cluster page changed: the role itself, its items or core skills (which move
	// its version), salary records, interview questions, career routes.
	Roles []int `json:"r,omitempty"`
	// Imports are import runs whose status or counts moved.
	Imports []int `json:"i,omitempty"`
	// Resync says changes may have been missed (the listener reconnected, the queue
	// overflowed): receivers catch up with the database.
	Resync bool `json:"x,omitempty"`
	// Data says other public data changed (a skill, a company, a city, a role's page items,
	// a trend snapshot…): nothing to send subscribers, but caches of responses are stale.
	Data bool `json:"d,omitempty"`
}

// Empty reports whether m says nothing.
func (m Message) Empty() bool {
	return len(m.Openings) == 0 && len(m.Roles) == 0 && len(m.Imports) == 0 && !m.Resync && !m.Data
}

// merge appends n to m.
func (m *Message) merge(n Message) {
	m.Openings = append(m.Openings, n.Openings...)
	m.Roles = append(m.Roles, n.Roles...)
	m.Imports = append(m.Imports, n.Imports...)
	m.Resync = m.Resync || n.Resync
	m.Data = m.Data || n.Data
}

// rank orders what happened to an opening when one message says several things about it:
// the strongest wins (a post then an edit in one transaction is a post).
var rank = map[Op]int{Updated: 0, Closed: 1, Expired: 1, Posted: 2, Deleted: 3}

// compact says each opening, role and run once: an opening with the strongest of its ops and
// the last role and location known.
func (m Message) compact() Message {
	out := Message{Resync: m.Resync, Data: m.Data}
	at := map[int]int{}
	for _, o := range m.Openings {
		i, seen := at[o.ID]
		if !seen {
			at[o.ID] = len(out.Openings)
			out.Openings = append(out.Openings, o)
			continue
		}
		p := &out.Openings[i]
		if rank[o.Op] >= rank[p.Op] {
			p.Op = o.Op
		}
		if o.Role != Unknown {
			p.Role, p.Location = o.Role, o.Location
		}
	}
	out.Roles = distinct(m.Roles)
	out.Imports = distinct(m.Imports)
	return out
}

func distinct(ids []int) []int {
	var out []int
	seen := map[int]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// MaxPayload bounds one notification's payload in bytes (PostgreSQL refuses more than 8000).
const MaxPayload = 7000

// split encodes m as payloads of at most max bytes each.
func split(m Message, max int) [][]byte {
	var out [][]byte
	var cur Message
	size := 2 // {}
	flush := func() {
		if cur.Empty() {
			return
		}
		b, _ := json.Marshal(cur)
		out = append(out, b)
		cur, size = Message{}, 2
	}
	// Room for the three keys with their brackets and commas: "o":[],"r":[],"i":[],
	const keyLen = 24
	add := func(n int) {
		if size+n+keyLen > max {
			flush()
		}
		size += n + 1
	}
	if m.Resync {
		cur.Resync = true
		size += 8
	}
	if m.Data {
		cur.Data = true
		size += 8
	}
	for _, o := range m.Openings {
		b, _ := o.MarshalJSON()
		add(len(b))
		cur.Openings = append(cur.Openings, o)
	}
	for _, id := range m.Roles {
		add(len(strconv.Itoa(id)))
		cur.Roles = append(cur.Roles, id)
	}
	for _, id := range m.Imports {
		add(len(strconv.Itoa(id)))
		cur.Imports = append(cur.Imports, id)
	}
	flush()
	return out
}
