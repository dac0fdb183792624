package search

import (
	"context"
	"fmt"
	"slices"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/predicate"
	"github.com/careergraph/careergraph/ent/skill"
)

// Hook keeps every opening's derived fields (search_text, skill_count, and through them the
// PostgreSQL tsvector, the SQLite FTS5 row and updated_at, by which the match index catches
// up) in step with what they are derived from, whichever way the change is made: a single-row
// or bulk create, update or delete of an opening, a company, a location or a skill, including
// the rows the database changes by itself (a deleted skill's opening_skills rows cascade, a
// deleted city's openings lose their location_id). Install it once with client.Use; no
// resolver or job needs to remember to reindex.
//
// Deleted openings leave a tombstone (ent/schema.OpeningTombstone) that the match index reads
// to drop them at its next catch-up.
//
// It works in two halves around the mutation: before it, the openings the change will touch
// are found (a delete must look before the rows are gone; a bulk update before its predicate
// stops matching); after it, they are reindexed through the mutation's own client, so in the
// same transaction. The reindex's own writes set search_text and are left alone, which ends
// the recursion; so are trusted bulk writers (internal/seed.OpeningWriter) that set search_text
// themselves because they already know every name.
func Hook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			im, ok := m.(idMutation)
			if !ok {
				return next.Mutate(ctx, m)
			}
			var deleted []int
			if m.Type() == "Opening" && m.Op().Is(ent.OpDelete|ent.OpDeleteOne) {
				ids, err := im.IDs(ctx)
				if err != nil {
					return nil, fmt.Errorf("search: %w", err)
				}
				deleted = ids
			}
			affected, err := before(ctx, im)
			if err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			if err := bury(ctx, im.Client(), deleted); err != nil {
				return nil, err
			}
			if m.Type() == "Opening" && m.Op().Is(ent.OpCreate) && touchesOpening(m) {
				if id, ok := im.ID(); ok {
					affected = append(affected, id)
				}
			}
			if len(affected) == 0 {
				return v, nil
			}
			slices.Sort(affected)
			return v, reindexIDs(ctx, im.Client(), slices.Compact(affected))
		})
	}
}

type idMutation interface {
	ent.Mutation
	ID() (int, bool)
	IDs(context.Context) ([]int, error)
	Client() *ent.Client
}

// before returns the openings a change is about to make stale (for an opening create, none
// yet: the new row's id is known only after it).
func before(ctx context.Context, m idMutation) ([]int, error) {
	if m.Op().Is(ent.OpCreate) {
		// A new skill made a member of existing groups changes those groups' documents.
		if sm, ok := m.(*ent.SkillMutation); ok && len(sm.GroupsIDs()) > 0 {
			return m.Client().Opening.Query().Where(opening.HasSkillsWith(skill.IDIn(sm.GroupsIDs()...))).IDs(ctx)
		}
		return nil, nil
	}
	deleting := m.Op().Is(ent.OpDelete | ent.OpDeleteOne)
	var where func(ids []int) predicate.Opening
	switch mm := m.(type) {
	case *ent.OpeningMutation:
		if deleting || !touchesOpening(mm) {
			return nil, nil // a deleted opening takes its FTS row and vector with it
		}
		return mm.IDs(ctx)
	case *ent.CompanyMutation:
		if !deleting && !changed(mm, "name") {
			return nil, nil
		}
		where = func(ids []int) predicate.Opening { return opening.CompanyIDIn(ids...) }
	case *ent.LocationMutation:
		if !deleting && !changed(mm, "city") {
			return nil, nil
		}
		where = func(ids []int) predicate.Opening { return opening.LocationIDIn(ids...) }
	case *ent.SkillMutation:
		// Openings are found by their skills' names and synonyms, and a group by its members'.
		_, appended := mm.AppendedSynonyms()
		groups := append(mm.GroupsIDs(), mm.RemovedGroupsIDs()...)
		if !deleting && !appended && !changed(mm, "name", "synonyms") && len(groups) == 0 &&
			len(mm.MembersIDs()) == 0 && len(mm.RemovedMembersIDs()) == 0 && !mm.MembersCleared() && !mm.GroupsCleared() {
			return nil, nil
		}
		where = func(ids []int) predicate.Opening {
			return opening.HasSkillsWith(skill.Or(skill.IDIn(ids...), skill.HasMembersWith(skill.IDIn(ids...)), skill.IDIn(groups...)))
		}
	default:
		return nil, nil
	}
	ids, err := m.IDs(ctx)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return m.Client().Opening.Query().Where(where(ids)).IDs(ctx)
}

// touchesOpening reports whether an opening mutation changes what its document is made of.
// One that sets search_text itself is the reindex or a trusted bulk writer.
func touchesOpening(m ent.Mutation) bool {
	if _, ok := m.Field(opening.FieldSearchText); ok {
		return false
	}
	if changed(m, opening.FieldTitle, opening.FieldDescription, opening.FieldCompanyID, opening.FieldLocationID) {
		return true
	}
	for _, e := range append(append(m.AddedEdges(), m.RemovedEdges()...), m.ClearedEdges()...) {
		if e == opening.EdgeSkills || e == opening.EdgeCompany || e == opening.EdgeLocation {
			return true
		}
	}
	return m.Op().Is(ent.OpCreate)
}

// changed reports whether m sets or clears any of fields.
func changed(m ent.Mutation, fields ...string) bool {
	for _, f := range fields {
		if _, ok := m.Field(f); ok || m.FieldCleared(f) {
			return true
		}
	}
	return false
}

// reindexIDs reindexes openings in batches, so that an IN list stays well below the databases'
// bound on parameters however many openings a rename touches.
func reindexIDs(ctx context.Context, client *ent.Client, ids []int) error {
	for start := 0; start < len(ids); start += 500 {
		if err := Reindex(ctx, client, ids[start:min(start+500, len(ids))]...); err != nil {
			return err
		}
	}
	return nil
}

// bury leaves a tombstone for each deleted opening, for the match index (see
// ent/schema.OpeningTombstone).
func bury(ctx context.Context, client *ent.Client, ids []int) error {
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		bs := make([]*ent.OpeningTombstoneCreate, len(batch))
		for i, id := range batch {
			bs[i] = client.OpeningTombstone.Create().SetOpeningID(id)
		}
		if err := client.OpeningTombstone.CreateBulk(bs...).Exec(ctx); err != nil {
			return fmt.Errorf("search: tombstones: %w", err)
		}
	}
	return nil
}
