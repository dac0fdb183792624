package editing

import (
	"context"
	"slices"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/auditlog"
	"github.com/careergraph/careergraph/ent/roleitem"
	"github.com/careergraph/careergraph/ent/roleskill"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/audit"
	"github.com/careergraph/careergraph/internal/changes"
)

// parking is added to positions and ranks while they move, so that the unique indexes on
// (role, kind, position) and (role, rank) never see two rows at one place, on either
// database, whatever order the rows are updated in.
const parking = 1_000_000

// Items orders one kind of a role's items: positions 0..n-1.
type Items struct {
	Client *ent.Client
	RoleID int
	Kind   roleitem.Kind
}

func (o Items) update() *ent.RoleItemUpdate {
	return o.Client.RoleItem.Update().Where(roleitem.RoleID(o.RoleID), roleitem.KindEQ(o.Kind))
}

// IDs returns the items' ids in position order.
func (o Items) IDs(ctx context.Context) ([]int, error) {
	return o.Client.RoleItem.Query().Where(roleitem.RoleID(o.RoleID), roleitem.KindEQ(o.Kind)).
		Order(ent.Asc(roleitem.FieldPosition)).IDs(ctx)
}

// OpenAt makes room at pos (clamped to 0..n) by moving later items down one place, and
// returns the position to use.
func (o Items) OpenAt(ctx context.Context, pos int) (int, error) {
	ids, err := o.IDs(ctx)
	if err != nil {
		return 0, err
	}
	pos = min(max(pos, 0), len(ids))
	return pos, o.Set(ctx, slices.Insert(ids, pos, 0), 0)
}

// Set gives ids positions base, base+1, ... in order; a zero id leaves its place empty. Every
// item whose position changes gets an audit row with its old and new position; the parking
// moves in between are bookkeeping and are not recorded.
func (o Items) Set(ctx context.Context, ids []int, base int) error {
	old, err := o.Client.RoleItem.Query().Where(roleitem.RoleID(o.RoleID), roleitem.KindEQ(o.Kind)).All(ctx)
	if err != nil {
		return err
	}
	was := make(map[int]int, len(old))
	for _, it := range old {
		was[it.ID] = it.Position
	}
	qctx := audit.Quiet(ctx)
	if err := o.update().AddPosition(parking).Exec(qctx); err != nil {
		return err
	}
	for i, id := range ids {
		if id == 0 {
			continue
		}
		if err := o.update().Where(roleitem.ID(id)).SetPosition(base + i).Exec(qctx); err != nil {
			return err
		}
		if p, ok := was[id]; ok && p != base+i {
			if err := audit.Record(ctx, o.Client, auditlog.ActionUPDATE, "RoleItem", id,
				[]changes.Change{audit.Change("position", p, base+i)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// CoreSkills orders a role's core skills: ranks 1..n.
type CoreSkills struct {
	Client *ent.Client
	RoleID int
}

func (o CoreSkills) update() *ent.RoleSkillUpdate {
	return o.Client.RoleSkill.Update().Where(roleskill.RoleID(o.RoleID))
}

// IDs returns the RoleSkill ids in rank order.
func (o CoreSkills) IDs(ctx context.Context) ([]int, error) {
	return o.Client.RoleSkill.Query().Where(roleskill.RoleID(o.RoleID)).Order(ent.Asc(roleskill.FieldRank)).IDs(ctx)
}

// OpenAt makes room at rank (clamped to 1..n+1) and returns the rank to use.
func (o CoreSkills) OpenAt(ctx context.Context, rank int) (int, error) {
	ids, err := o.IDs(ctx)
	if err != nil {
		return 0, err
	}
	rank = min(max(rank, 1), len(ids)+1)
	return rank, o.Set(ctx, slices.Insert(ids, rank-1, 0))
}

// Set gives ids ranks 1, 2, ... in order; a zero id leaves its rank empty. Every core skill
// whose rank changes gets an audit row with its old and new rank, as Items.Set does.
func (o CoreSkills) Set(ctx context.Context, ids []int) error {
	old, err := o.Client.RoleSkill.Query().Where(roleskill.RoleID(o.RoleID)).All(ctx)
	if err != nil {
		return err
	}
	was := make(map[int]int, len(old))
	for _, l := range old {
		was[l.ID] = l.Rank
	}
	qctx := audit.Quiet(ctx)
	if err := o.update().AddRank(parking).Exec(qctx); err != nil {
		return err
	}
	for i, id := range ids {
		if id == 0 {
			continue
		}
		if err := o.update().Where(roleskill.ID(id)).SetRank(i + 1).Exec(qctx); err != nil {
			return err
		}
		if r, ok := was[id]; ok && r != i+1 {
			if err := audit.Record(ctx, o.Client, auditlog.ActionUPDATE, "RoleSkill", id,
				[]changes.Change{audit.Change("rank", r, i+1)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// SameSet checks that want lists exactly the ids in have, each once, for a reorder.
func SameSet(field string, have, want []int) error {
	if len(have) != len(want) {
		return apperr.BadInput(field, "%s: list each of the %d ids exactly once (got %d)", leaf(field), len(have), len(want))
	}
	a, b := slices.Clone(have), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		return apperr.BadInput(field, "%s: list each of the %d ids exactly once, and no others", leaf(field), len(have))
	}
	return nil
}

// Move returns ids with id moved to index to (clamped).
func Move(ids []int, id, to int) []int {
	i := slices.Index(ids, id)
	if i < 0 {
		return ids
	}
	ids = slices.Delete(slices.Clone(ids), i, i+1)
	to = min(max(to, 0), len(ids))
	return slices.Insert(ids, to, id)
}
