// Package audit writes the audit log: an ent hook that records every create, update and delete
// made on behalf of a signed-in user (internal/viewer), with the changed fields, in the same
// transaction as the change itself. Changes without a viewer (the seed loader, the first-admin
// bootstrap, a login's session token) are not API edits and are not recorded.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/auditlog"
	"github.com/careergraph/careergraph/internal/changes"
	"github.com/careergraph/careergraph/internal/viewer"
)

// secret fields are recorded by name only, never by value.
var secret = map[string]bool{"password_hash": true, "token_hash": true}

// quiet are bookkeeping and derived fields: they are never listed in a diff, and a mutation
// that changes only these (internal/search rewriting an opening's document after a company
// rename) is not recorded. The change they derive from is recorded where it was made.
var quiet = map[string]bool{"updated_at": true, "last_used_at": true, "search_text": true, "skill_count": true}

type clientMutation interface {
	ent.Mutation
	Client() *ent.Client
	ID() (int, bool)
}

// Hook returns the ent hook; install it with client.Use(audit.Hook()).
func Hook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			v := viewer.From(ctx)
			cm, ok := m.(clientMutation)
			if !ok || !v.SignedIn() || m.Type() == "AuditLog" {
				return next.Mutate(ctx, m)
			}
			var action auditlog.Action
			switch {
			case m.Op().Is(ent.OpCreate):
				action = auditlog.ActionCREATE
			case m.Op().Is(ent.OpUpdateOne):
				action = auditlog.ActionUPDATE
			case m.Op().Is(ent.OpDeleteOne):
				action = auditlog.ActionDELETE
			default:
				// Bulk updates and deletes are not used by the API on audited data; the
				// single-row mutations they come with are recorded instead.
				return next.Mutate(ctx, m)
			}
			list := collect(ctx, m, action)
			if action == auditlog.ActionUPDATE && len(list) == 0 {
				return next.Mutate(ctx, m)
			}
			val, err := next.Mutate(ctx, m)
			if err != nil {
				return val, err
			}
			id, ok := cm.ID()
			if !ok {
				return val, nil
			}
			err = cm.Client().AuditLog.Create().
				SetActorID(v.UserID).
				SetAction(action).
				SetEntityType(m.Type()).
				SetEntityID(id).
				SetChanges(list).
				SetRequestID(v.RequestID).
				Exec(ctx)
			if err != nil {
				return nil, fmt.Errorf("audit: %w", err)
			}
			return val, nil
		})
	}
}

// collect lists the fields and edges m sets, clears, adds or removes, with new values and,
// for single-row updates, old values.
func collect(ctx context.Context, m ent.Mutation, action auditlog.Action) []changes.Change {
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
				if ov, err := m.OldField(ctx, f); err == nil {
					c.Old = encode(ov)
				}
			}
		}
		out = append(out, c)
	}
	for _, f := range m.ClearedFields() {
		c := changes.Change{Field: f, New: encode(nil)}
		if action == auditlog.ActionUPDATE {
			if ov, err := m.OldField(ctx, f); err == nil {
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
		out = append(out, changes.Change{Field: e, New: encode(nil)})
	}
	return out
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
	return client.AuditLog.Create().SetActorID(v.UserID).SetAction(action).SetEntityType(entityType).
		SetEntityID(entityID).SetChanges(list).SetRequestID(v.RequestID).Exec(ctx)
}

// Change is a helper for Record: one field with old and new values.
func Change(field string, old, new any) changes.Change {
	return changes.Change{Field: field, Old: encode(old), New: encode(new)}
}
