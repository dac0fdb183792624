// Package audit writes the audit log: an ent hook that records every create, update and delete
// made on behalf of a signed-in user (internal/viewer), with the changed fields, in the same
// transaction as the change itself. Changes without a viewer (the seed loader, the first-admin
// bootstrap, a login's session token) are not API edits and are not recorded.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/auditlog"
	"github.com/careergraph/careergraph/internal/changes"
	"github.com/careergraph/careergraph/internal/viewer"
)

// secret fields are recorded by name only, never by value.
var secret = map[string]bool{"password_hash": true, "token_hash": true}

// quiet are bookkeeping and derived fields: they are never listed in a diff, and a mutation
// that changes only these (internal/search rewriting an opening's document after a company
// rename) is not recorded. The change they derive from is recorded where it was made. The
// version (editing.VersionHook) moves with every change and is bookkeeping too: a role lock
// (editing.LockRole), which only bumps it, is not an edit of its own.
var quiet = map[string]bool{"updated_at": true, "last_used_at": true, "search_text": true, "skill_count": true, "version": true}

type clientMutation interface {
	ent.Mutation
	Client() *ent.Client
	ID() (int, bool)
	IDs(context.Context) ([]int, error)
}

// unaudited are the types that are bookkeeping, not content: the log itself and the
// tombstones deleted openings leave for the match index.
var unaudited = map[string]bool{"AuditLog": true, "OpeningTombstone": true}

type quietKey struct{}

// Quiet returns ctx in which the hook records nothing: for bookkeeping writes whose net effect
// the caller records itself with Record (internal/editing parks positions out of the way
// before setting them, and records only each row's old and new position).
func Quiet(ctx context.Context) context.Context { return context.WithValue(ctx, quietKey{}, true) }

func quietCtx(ctx context.Context) bool { q, _ := ctx.Value(quietKey{}).(bool); return q }

// Hook returns the ent hook; install it with client.Use(audit.Hook()).
//
// Every row a mutation changes gets its own audit row: single-row creates, updates and
// deletes, and each row a bulk update or delete touches (its ids and old values are read
// before the statement runs). A delete records every old value of the row; an update the
// changed fields with old and new values; fields in quiet (updated_at, derived columns) are
// left out, and an update of nothing else is not recorded at all.
func Hook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			v := viewer.From(ctx)
			cm, ok := m.(clientMutation)
			if !ok || !v.SignedIn() || unaudited[m.Type()] || quietCtx(ctx) {
				return next.Mutate(ctx, m)
			}
			var action auditlog.Action
			switch {
			case m.Op().Is(ent.OpCreate):
				action = auditlog.ActionCREATE
			case m.Op().Is(ent.OpUpdateOne | ent.OpUpdate):
				action = auditlog.ActionUPDATE
			default:
				action = auditlog.ActionDELETE
			}
			var rows []row
			if action != auditlog.ActionCREATE {
				var err error
				if rows, err = before(ctx, cm, action); err != nil {
					return nil, fmt.Errorf("audit: %w", err)
				}
				if len(rows) == 0 {
					return next.Mutate(ctx, m)
				}
			}
			val, err := next.Mutate(ctx, m)
			if err != nil {
				return val, err
			}
			if action == auditlog.ActionCREATE {
				id, ok := cm.ID()
				if !ok {
					return val, nil
				}
				rows = []row{{id, collect(ctx, m, action, nil)}}
			}
			for _, r := range rows {
				if err := write(ctx, cm.Client(), v, action, m.Type(), r.id, r.changes); err != nil {
					return nil, err
				}
			}
			return val, nil
		})
	}
}

// row is one audit row to write.
type row struct {
	id      int
	changes []changes.Change
}

// before reads, ahead of an update or delete, the rows it will change and what to record for
// each. An update that changes only quiet fields yields none.
func before(ctx context.Context, m clientMutation, action auditlog.Action) ([]row, error) {
	if action == auditlog.ActionUPDATE && m.Op().Is(ent.OpUpdateOne) {
		list := collect(ctx, m, action, nil)
		if len(list) == 0 {
			return nil, nil
		}
		id, _ := m.ID()
		return []row{{id, list}}, nil
	}
	if action == auditlog.ActionUPDATE && len(collect(ctx, m, action, nil)) == 0 {
		return nil, nil
	}
	ids, err := m.IDs(ctx)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	nodes, err := m.Client().Noders(ctx, ids)
	if ent.IsNotFound(err) {
		return nil, nil // the mutation itself reports what it cannot find
	}
	if err != nil {
		return nil, err
	}
	rows := make([]row, 0, len(nodes))
	for i, n := range nodes {
		if n == nil || reflect.TypeOf(n).Elem().Name() != m.Type() {
			continue // an id of another type: the mutation will not find it either
		}
		old := fieldsOf(n)
		if action == auditlog.ActionDELETE {
			rows = append(rows, row{ids[i], deleted(old)})
			continue
		}
		rows = append(rows, row{ids[i], collect(ctx, m, action, old)})
	}
	return rows, nil
}

// deleted lists every field of a deleted row with its old value (secrets by name only).
func deleted(old map[string]any) []changes.Change {
	names := make([]string, 0, len(old))
	for f := range old {
		names = append(names, f)
	}
	slices.Sort(names)
	out := make([]changes.Change, 0, len(names))
	for _, f := range names {
		if quiet[f] {
			continue
		}
		c := changes.Change{Field: f}
		if !secret[f] {
			c.Old = encode(old[f])
		}
		out = append(out, c)
	}
	return out
}

// fieldsOf returns an entity's fields by their JSON (column) names, zero values included,
// without its edges.
func fieldsOf(n any) map[string]any {
	v := reflect.ValueOf(n)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	out := map[string]any{}
	if v.Kind() != reflect.Struct {
		return out
	}
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "" || name == "-" || name == "edges" {
			continue
		}
		out[name] = v.Field(i).Interface()
	}
	return out
}

func write(ctx context.Context, client *ent.Client, v viewer.Viewer, action auditlog.Action, entityType string, id int, list []changes.Change) error {
	c := client.AuditLog.Create().SetActorID(v.UserID).SetAction(action).SetEntityType(entityType).
		SetEntityID(id).SetChanges(list).SetRequestID(v.RequestID)
	if v.ClientRequestID != "" {
		c.SetClientRequestID(v.ClientRequestID)
	}
	if v.TokenID != 0 {
		c.SetTokenID(v.TokenID)
	}
	if err := c.Exec(ctx); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// collect lists the fields and edges m sets, clears, adds or removes, with new values and,
// for updates, old values: from the row itself for a single-row update, from old (the row as
// read before a bulk update) otherwise.
func collect(ctx context.Context, m ent.Mutation, action auditlog.Action, old map[string]any) []changes.Change {
	oldOf := func(f string) (any, bool) {
		if old != nil {
			v, ok := old[f]
			return v, ok
		}
		if !m.Op().Is(ent.OpUpdateOne) {
			return nil, false
		}
		v, err := m.OldField(ctx, f)
		return v, err == nil
	}
	var out []changes.Change
	fields := m.Fields()
	slices.Sort(fields)
	for _, f := range fields {
		if quiet[f] || (action == auditlog.ActionCREATE && (f == "created_at" || f == "source")) {
			continue
		}
		c := changes.Change{Field: f}
		if !secret[f] {
			if nv, ok := m.Field(f); ok {
				c.New = encode(nv)
			}
			if action == auditlog.ActionUPDATE {
				if ov, ok := oldOf(f); ok {
					c.Old = encode(ov)
				}
			}
		}
		out = append(out, c)
	}
	added := m.AddedFields()
	slices.Sort(added)
	for _, f := range added {
		if quiet[f] {
			continue
		}
		c := changes.Change{Field: f}
		if d, ok := m.AddedField(f); ok {
			c.New = encode(map[string]any{"add": d})
		}
		if ov, ok := oldOf(f); ok {
			c.Old = encode(ov)
		}
		out = append(out, c)
	}
	out = append(out, appended(m, oldOf)...)
	for _, f := range m.ClearedFields() {
		c := changes.Change{Field: f, New: encode(nil)}
		if action == auditlog.ActionUPDATE {
			if ov, ok := oldOf(f); ok {
				c.Old = encode(ov)
			}
		}
		out = append(out, c)
	}
	for _, e := range m.AddedEdges() {
		ids := m.AddedIDs(e)
		if len(ids) == 0 || slices.Contains(fields, e+"_id") {
			continue // a unique edge set through its field is already listed
		}
		out = append(out, changes.Change{Field: e, New: encode(ids)})
	}
	for _, e := range m.RemovedEdges() {
		out = append(out, changes.Change{Field: e, Old: encode(m.RemovedIDs(e))})
	}
	for _, e := range m.ClearedEdges() {
		if m.FieldCleared(e + "_id") {
			continue // a unique edge cleared through its field is already listed
		}
		out = append(out, changes.Change{Field: e, New: encode(nil)})
	}
	return out
}

// appended lists the values appended to JSON list fields (a role's aliases, a skill's
// synonyms), which ent keeps apart from Fields: New is {"append": [...]}. ent generates an
// Appended<Field>() method per such field; they are found by name so that a list field added
// to the schema later is covered without a change here.
func appended(m ent.Mutation, oldOf func(string) (any, bool)) []changes.Change {
	var out []changes.Change
	v := reflect.ValueOf(m)
	for i := 0; i < v.NumMethod(); i++ {
		name := v.Type().Method(i).Name
		rest, ok := strings.CutPrefix(name, "Appended")
		if !ok || rest == "" {
			continue
		}
		fn := v.Method(i)
		if fn.Type().NumIn() != 0 || fn.Type().NumOut() != 2 || fn.Type().Out(1).Kind() != reflect.Bool {
			continue
		}
		res := fn.Call(nil)
		if !res[1].Bool() {
			continue
		}
		f := snake(rest)
		c := changes.Change{Field: f, New: encode(map[string]any{"append": res[0].Interface()})}
		if ov, ok := oldOf(f); ok {
			c.Old = encode(ov)
		}
		out = append(out, c)
	}
	return out
}

// snake turns a Go field name into ent's column name: "Synonyms" -> "synonyms".
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func encode(v any) *string {
	b, err := json.Marshal(v)
	if err != nil {
		s := fmt.Sprint(v)
		return &s
	}
	s := string(b)
	return &s
}

// Record writes one audit row for a change the hook cannot see as a single-row mutation (a
// reorder done with bulk updates). Without a signed-in viewer it records nothing.
func Record(ctx context.Context, client *ent.Client, action auditlog.Action, entityType string, entityID int, list []changes.Change) error {
	v := viewer.From(ctx)
	if !v.SignedIn() {
		return nil
	}
	return write(ctx, client, v, action, entityType, entityID, list)
}

// Change is a helper for Record: one field with old and new values.
func Change(field string, old, new any) changes.Change {
	return changes.Change{Field: field, Old: encode(old), New: encode(new)}
}
