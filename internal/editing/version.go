package editing

import (
	"context"
	"sync"

	"entgo.io/ent/dialect/sql"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/internal/apperr"
)

// VersionField is the argument and entity field of the version precondition, the same name
// on every type and mutation.
const VersionField = "version"

// derived are fields that other rows or the server keep in step: changing only these is not a
// change of the entity itself and does not bump its version. A role item's position and a
// core skill's rank belong to the role's order, which the role's version covers (LockRole).
var derived = map[string]bool{
	"updated_at": true, "search_text": true, "skill_count": true, "position": true, "rank": true,
}

// expectations are the version preconditions of one resolver call, by node id (ids are
// globally unique). Each is checked by the first update or delete of its node and then
// dropped, so later writes of the same node in the same call (a search reindex) pass.
type expectations struct {
	mu   sync.Mutex
	byID map[int]int
}

type expectKey struct{}

// Expect returns ctx carrying "id is at version" as a precondition for the next update or
// delete of id made through ctx; version nil (the client sent none) returns ctx unchanged.
// The check is part of that statement's WHERE clause (VersionHook), so it is atomic.
func Expect(ctx context.Context, id int, version *int) context.Context {
	if version == nil {
		return ctx
	}
	e, ok := ctx.Value(expectKey{}).(*expectations)
	if !ok {
		e = &expectations{byID: map[int]int{}}
		ctx = context.WithValue(ctx, expectKey{}, e)
	}
	e.mu.Lock()
	e.byID[id] = *version
	e.mu.Unlock()
	return ctx
}

func takeExpectation(ctx context.Context, id int) (int, bool) {
	e, ok := ctx.Value(expectKey{}).(*expectations)
	if !ok {
		return 0, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.byID[id]
	delete(e.byID, id)
	return v, ok
}

// versioned is what VersionHook needs of a mutation of a type with schema.Versioned.
type versioned interface {
	ent.Mutation
	ID() (int, bool)
	Client() *ent.Client
	WhereP(...func(*sql.Selector))
	AddVersion(int)
	AddedVersion() (int, bool)
}

// VersionHook keeps versions: every update of a versioned type that changes one of its own
// fields or edges adds one to version in the same statement, and an update or delete of a
// node with an Expect-ed version runs with "AND version = expected" in its WHERE clause. When
// that matches no row although the node exists, the answer is CONFLICT naming the current
// version. Install it after the audit hook (client.Use), so the audit log does not list the
// version among the changed fields.
func VersionHook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			vm, ok := m.(versioned)
			if !ok || m.Op().Is(ent.OpCreate) {
				return next.Mutate(ctx, m)
			}
			if m.Op().Is(ent.OpUpdate|ent.OpUpdateOne) && changesItself(m) {
				if _, set := vm.AddedVersion(); !set {
					vm.AddVersion(1)
				}
			}
			id, one := vm.ID()
			if !one || !m.Op().Is(ent.OpUpdateOne|ent.OpDeleteOne) {
				return next.Mutate(ctx, m)
			}
			want, ok := takeExpectation(ctx, id)
			if !ok {
				return next.Mutate(ctx, m)
			}
			vm.WhereP(sql.FieldEQ(VersionField, want))
			v, err := next.Mutate(ctx, m)
			// UpdateOne reports no matching row as not found; DeleteOne's hooks see a bulk
			// delete's count, and the builder says not found after them.
			missed := ent.IsNotFound(err) || (err == nil && m.Op().Is(ent.OpDeleteOne) && v == 0)
			if !missed {
				return v, err
			}
			current, lerr := vm.Client().VersionOf(ctx, id)
			if lerr != nil {
				return nil, lerr // gone altogether: not found
			}
			return nil, apperr.StaleVersion(VersionField, want, current)
		})
	}
}

// changesItself reports whether m sets, adds to or clears a field that is not derived, or
// changes an edge.
func changesItself(m ent.Mutation) bool {
	for _, list := range [][]string{m.Fields(), m.AddedFields(), m.ClearedFields()} {
		for _, f := range list {
			if !derived[f] && f != VersionField {
				return true
			}
		}
	}
	return len(m.AddedEdges()) > 0 || len(m.RemovedEdges()) > 0 || len(m.ClearedEdges()) > 0
}
