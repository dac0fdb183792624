package live

import (
	"context"
	"fmt"
	"sync"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
)

// Install adds the hook that publishes every committed change on bus to client's mutations.
func Install(client *ent.Client, bus *Bus) { client.Use(Hook(bus)) }

// Hook returns the ent hook that turns changes into messages on bus, published once the
// transaction they ran in commits (ent's Tx.OnCommit: a rolled-back transaction, or one retried
// by txretry, publishes nothing), or at once for a statement outside a transaction.
//
// It reads nothing for single-row changes. A bulk update or delete of openings (the expiry
// sweep, a full import closing what its feed dropped, a role's deletion) reads the ids it will
// touch first: one statement.
func Hook(bus *Bus) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			switch m.Type() {
			case "Opening", "Role", "ImportRun", "SalaryRecord", "InterviewQuestion", "CareerRoute":
			case "User", "APIToken", "AuditLog", "ImportUpload", "OpeningTombstone":
				// Private (accounts, tokens, whose last use a request writes, the audit log,
				// uploaded files), or announced with the opening it follows.
				return next.Mutate(ctx, m)
			default:
				// Other public data: response caches go stale (Message.Data).
				v, err := next.Mutate(ctx, m)
				if err == nil {
					afterCommit(bus, m, Message{Data: true})
				}
				return v, err
			}
			var bulk []int
			var before []int // roles of the row a delete removes
			if m.Op().Is(ent.OpUpdate|ent.OpDelete) && (m.Type() == "Opening" || m.Type() == "Role") {
				ids, err := m.(interface {
					IDs(context.Context) ([]int, error)
				}).IDs(ctx)
				if err != nil {
					return nil, fmt.Errorf("live: %w", err)
				}
				if len(ids) == 0 {
					return next.Mutate(ctx, m)
				}
				bulk = ids
			}
			if m.Op().Is(ent.OpDeleteOne) {
				var err error
				if before, err = rolesOf(ctx, m); err != nil {
					return nil, fmt.Errorf("live: %w", err)
				}
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			msg := messageOf(m, v, bulk, before)
			if msg.Empty() {
				return v, nil
			}
			afterCommit(bus, m, msg)
			return v, nil
		})
	}
}

// afterCommit publishes msg on bus once m's transaction commits, merged with the other
// changes of that transaction, or now when m runs outside one.
func afterCommit(bus *Bus, m ent.Mutation, msg Message) {
	txm, ok := m.(interface{ Tx() (*ent.Tx, error) })
	if !ok {
		bus.Publish(msg)
		return
	}
	tx, err := txm.Tx()
	if err != nil { // not in a transaction: the statement has committed
		bus.Publish(msg)
		return
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			// The commit hooks of one transaction run nested in one Commit call, with the same
			// *ent.Tx: the outermost publishes what all of them collected, as one message.
			v, _ := commits.LoadOrStore(tx, &collected{})
			c := v.(*collected)
			c.mu.Lock()
			c.depth++
			c.mu.Unlock()
			err := next.Commit(ctx, tx)
			c.mu.Lock()
			c.depth--
			if err == nil {
				c.msg.merge(msg)
			}
			outermost := c.depth == 0
			c.mu.Unlock()
			if outermost {
				commits.Delete(tx)
				if err == nil {
					bus.Publish(c.msg.compact())
				}
			}
			return err
		})
	})
}

// commits holds, per transaction being committed, what its hooks collected.
var commits sync.Map // *ent.Tx → *collected

type collected struct {
	mu    sync.Mutex
	depth int
	msg   Message
}

// rolesOf returns the roles whose page a row about to be deleted belongs to.
func rolesOf(ctx context.Context, m ent.Mutation) ([]int, error) {
	id, ok := m.(interface{ ID() (int, bool) }).ID()
	if !ok {
		return nil, nil
	}
	switch m := m.(type) {
	case *ent.SalaryRecordMutation:
		r, err := m.Client().SalaryRecord.Get(ctx, id)
		if err != nil {
			return nil, ignoreNotFound(err)
		}
		return []int{r.RoleID}, nil
	case *ent.InterviewQuestionMutation:
		r, err := m.Client().InterviewQuestion.Get(ctx, id)
		if err != nil {
			return nil, ignoreNotFound(err)
		}
		return []int{r.RoleID}, nil
	case *ent.CareerRouteMutation:
		r, err := m.Client().CareerRoute.Get(ctx, id)
		if err != nil {
			return nil, ignoreNotFound(err)
		}
		return []int{r.FromRoleID, r.ToRoleID}, nil
	}
	return nil, nil
}

func ignoreNotFound(err error) error {
	if ent.IsNotFound(err) {
		return nil
	}
	return err
}

// messageOf describes the change m made (v is what the mutation returned).
func messageOf(m ent.Mutation, v ent.Value, bulk, before []int) Message {
	var msg Message
	single := func() (int, bool) { return m.(interface{ ID() (int, bool) }).ID() }
	switch m.Type() {
	case "Opening":
		om := m.(*ent.OpeningMutation)
		op := Updated
		switch {
		case m.Op().Is(ent.OpCreate):
			op = Posted
		case m.Op().Is(ent.OpDelete | ent.OpDeleteOne):
			op = Deleted
		default:
			if s, ok := om.Status(); ok {
				switch s {
				case opening.StatusCLOSED:
					op = Closed
				case opening.StatusEXPIRED:
					op = Expired
				}
			}
		}
		if bulk != nil {
			msg.Openings = openingsBy(op, bulk)
			return msg
		}
		if o, ok := v.(*ent.Opening); ok && o != nil {
			msg.Openings = []Opening{{ID: o.ID, Op: op, Role: deref(o.RoleID), Location: deref(o.LocationID)}}
		} else if id, ok := single(); ok {
			msg.Openings = []Opening{{ID: id, Op: op, Role: Unknown, Location: Unknown}}
		}
	case "Role":
		if bulk != nil {
			msg.Roles = bulk
		} else if r, ok := v.(*ent.Role); ok && r != nil {
			msg.Roles = []int{r.ID}
		} else if id, ok := single(); ok {
			msg.Roles = []int{id}
		}
	case "ImportRun":
		if bulk != nil {
			msg.Imports = bulk
		} else if r, ok := v.(*ent.ImportRun); ok && r != nil {
			msg.Imports = []int{r.ID}
		} else if id, ok := single(); ok {
			msg.Imports = []int{id}
		}
	default: // page content of a role
		switch r := v.(type) {
		case *ent.SalaryRecord:
			msg.Roles = []int{r.RoleID}
		case *ent.InterviewQuestion:
			msg.Roles = []int{r.RoleID}
		case *ent.CareerRoute:
			msg.Roles = []int{r.FromRoleID, r.ToRoleID}
		default:
			msg.Roles = before
		}
	}
	return msg
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// openingsBy is what a message says of openings that op changed, by id alone: their roles and
// cities are not known to the writer (a bulk update, a COPY), so receivers treat them as any.
func openingsBy(op Op, ids []int) []Opening {
	out := make([]Opening, 0, len(ids))
	for _, id := range ids {
		out = append(out, Opening{ID: id, Op: op, Role: Unknown, Location: Unknown})
	}
	return out
}

// Written returns what tells bus about openings a writer wrote past the graph client's hooks
// (the importer's COPY chunks on PostgreSQL), once they are committed: created ones as POSTED,
// updated ones as UPDATED (their roles and cities read by the receivers), and the import run
// (0: none) whose counts the chunk moved.
func Written(bus *Bus) func(ctx context.Context, runID int, created, updated []int) {
	return func(_ context.Context, runID int, created, updated []int) {
		msg := Message{Openings: append(openingsBy(Posted, created), openingsBy(Updated, updated)...)}
		if runID != 0 {
			msg.Imports = []int{runID}
		}
		if !msg.Empty() {
			bus.Publish(msg.compact())
		}
	}
}
