package editing

import (
	"context"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/careerroute"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/roleitem"
	"github.com/careergraph/careergraph/ent/roleskill"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/apperr"
)

// The bounds of the plain (unpaged) lists the API returns. A read of such a list is priced
// at its bound (gqlext.ListBounds, which must agree), so the bound is enforced where the
// list is written: a mutation that would exceed one fails with BAD_USER_INPUT naming the
// input field, and its transaction rolls back. The seed stays well inside them (at most 10
// core skills, 8 items of a kind, 8 routes and 5 group members per role or group).
const (
	MaxOpeningSkills    = 30 // Opening.skills
	MaxGroupMembers     = 10 // Skill.members
	MaxSkillGroups      = 10 // Skill.groups
	MaxCoreSkills       = 20 // Role.coreSkills
	MaxRoleItemsPerKind = 50 // Role.responsibilities, Role.requirements, Role.faqs
	MaxRoleRoutes       = 30 // Role.careerRoutes: routes into and out of one role
	MaxAliases          = 20 // Role.aliases
	MaxSynonyms         = 30 // Skill.synonyms
)

// AtMost refuses with BAD_USER_INPUT naming field when count, run after the write inside
// the mutation's transaction, finds more than max items; what names the list.
func AtMost(ctx context.Context, field, what string, max int, count func(context.Context) (int, error)) error {
	n, err := count(ctx)
	if err != nil {
		return err
	}
	if n > max {
		return apperr.BadInput(field, "%s: at most %d %s; this change would make %d", leaf(field), max, what, n)
	}
	return nil
}

// Room refuses adding one more item to a list that count, run before the write, finds
// already holding max items; what names the list.
func Room(ctx context.Context, field, what string, max int, count func(context.Context) (int, error)) error {
	n, err := count(ctx)
	if err != nil {
		return err
	}
	if n >= max {
		return apperr.BadInput(field, "%s: at most %d %s; this change would make %d", leaf(field), max, what, n+1)
	}
	return nil
}

// ListLen refuses a list argument longer than max.
func ListLen(field, what string, max, n int) error {
	if n > max {
		return apperr.BadInput(field, "%s: at most %d %s; this change would make %d", leaf(field), max, what, n)
	}
	return nil
}

// OpeningSkills checks the skills of opening id after a write that set or added them.
func OpeningSkills(ctx context.Context, c *ent.Client, field string, id int) error {
	return AtMost(ctx, field, "skills per opening", MaxOpeningSkills, c.Skill.Query().Where(skill.HasOpeningsWith(opening.ID(id))).Count)
}

// GroupBounds checks a group's members and, for each member, the groups it belongs to.
func GroupBounds(ctx context.Context, c *ent.Client, field string, s *ent.Skill) error {
	members, err := c.Skill.Query().Where(skill.HasGroupsWith(skill.ID(s.ID))).Limit(MaxGroupMembers + 1).IDs(ctx)
	if err != nil {
		return err
	}
	if err := ListLen(field, "members per group", MaxGroupMembers, len(members)); err != nil {
		return err
	}
	for _, m := range members {
		if err := AtMost(ctx, field, "groups per skill", MaxSkillGroups,
			c.Skill.Query().Where(skill.HasMembersWith(skill.ID(m))).Count); err != nil {
			return err
		}
	}
	return nil
}

// RoomForCoreSkill refuses a new core skill on a role that has MaxCoreSkills already.
func RoomForCoreSkill(ctx context.Context, c *ent.Client, roleID int) error {
	return Room(ctx, "input.roleID", "core skills per role", MaxCoreSkills,
		c.RoleSkill.Query().Where(roleskill.RoleID(roleID)).Count)
}

// RoomForItem refuses a new item on a role that has MaxRoleItemsPerKind of that kind already.
func RoomForItem(ctx context.Context, c *ent.Client, roleID int, kind roleitem.Kind) error {
	return Room(ctx, "input.kind", "items of kind "+string(kind)+" per role", MaxRoleItemsPerKind,
		c.RoleItem.Query().Where(roleitem.RoleID(roleID), roleitem.KindEQ(kind)).Count)
}

// RouteBounds checks, after a route was written, the routes into and out of both its roles.
func RouteBounds(ctx context.Context, c *ent.Client, fromID, toID int) error {
	for _, r := range []struct {
		field string
		id    int
	}{{"input.fromID", fromID}, {"input.toID", toID}} {
		if err := AtMost(ctx, r.field, "career routes into and out of one role", MaxRoleRoutes,
			c.CareerRoute.Query().Where(careerroute.Or(careerroute.FromRoleID(r.id), careerroute.ToRoleID(r.id))).Count); err != nil {
			return err
		}
	}
	return nil
}
