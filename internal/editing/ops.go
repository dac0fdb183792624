package editing

import (
	"context"
	"slices"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/auditlog"
	"github.com/careergraph/careergraph/ent/careerroute"
	"github.com/careergraph/careergraph/ent/company"
	"github.com/careergraph/careergraph/ent/interviewquestion"
	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/openingskill"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/roleitem"
	"github.com/careergraph/careergraph/ent/roleskill"
	"github.com/careergraph/careergraph/ent/salaryrecord"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/audit"
	"github.com/careergraph/careergraph/internal/changes"
)

// The operations below are the editing API's rules, one function per mutation. Each takes the
// client to write through, which is the mutation's transaction (ent.FromContext) when called
// from a resolver, and runs its checks before and after the save; a failed check returns an
// *apperr.Error and the caller's transaction rolls back. Derived data (search documents, skill
// counts, updated_at) is kept by internal/search.Hook and the audit trail by internal/audit,
// so no operation writes either by hand.
//
// Operations on a role's ordered parts (items, core skills) and the deletion of the role take
// the role's aggregate lock (LockRole) first, before any read of the order, so concurrent
// writers of one role queue instead of deadlocking. Lists the API returns unpaged are bounded
// here, at write time (bounds.go).

// ---- Role

// CreateRole creates a role with a unique, well-formed slug.
func CreateRole(ctx context.Context, c *ent.Client, input ent.CreateRoleInput) (*ent.Role, error) {
	if err := First(Slug("input.slug", input.Slug),
		Unique(ctx, "input.slug", input.Slug, c.Role.Query().Where(role.Slug(input.Slug)).Count),
		ListLen("input.aliases", "aliases", MaxAliases, len(input.Aliases))); err != nil {
		return nil, err
	}
	return checked(c.Role.Create().SetInput(input).Save(ctx))(Role)
}

// UpdateRole changes a role; a new slug must be well formed and free.
func UpdateRole(ctx context.Context, c *ent.Client, id int, input ent.UpdateRoleInput) (*ent.Role, error) {
	if s := input.Slug; s != nil {
		if err := First(Slug("input.slug", *s),
			Unique(ctx, "input.slug", *s, c.Role.Query().Where(role.Slug(*s), role.IDNEQ(id)).Count)); err != nil {
			return nil, err
		}
	}
	u := c.Role.UpdateOneID(id)
	// entgql v0.7.0's UpdateRoleInput.Mutate appends input.aliases, not input.appendAliases.
	if a := input.AppendAliases; a != nil {
		input.AppendAliases = nil
		u.AppendAliases(a)
	}
	return checked(u.SetInput(input).Save(ctx))(func(r *ent.Role) error {
		return First(Role(r), ListLen("input.appendAliases", "aliases", MaxAliases, len(r.Aliases)))
	})
}

// DeleteRole deletes a role and what belongs to it: items, core skills, salary records,
// openings, interview questions and the career routes into and out of it. Each dependent row
// is deleted on its own, so that the audit log records every one with its old values (and the
// search hook leaves a tombstone for every opening); a role has tens to a few thousand such
// rows, which one transaction deletes row by row in well under the request timeout.
func DeleteRole(ctx context.Context, c *ent.Client, id int) error {
	if err := LockRole(ctx, c, id); err != nil {
		return err
	}
	type kind struct {
		ids func(context.Context) ([]int, error)
		del func(context.Context, int) error
	}
	kinds := []kind{
		{c.RoleItem.Query().Where(roleitem.RoleID(id)).IDs, func(ctx context.Context, x int) error { return c.RoleItem.DeleteOneID(x).Exec(ctx) }},
		{c.RoleSkill.Query().Where(roleskill.RoleID(id)).IDs, func(ctx context.Context, x int) error { return c.RoleSkill.DeleteOneID(x).Exec(ctx) }},
		{c.SalaryRecord.Query().Where(salaryrecord.RoleID(id)).IDs, func(ctx context.Context, x int) error { return c.SalaryRecord.DeleteOneID(x).Exec(ctx) }},
		{c.Opening.Query().Where(opening.RoleID(id)).IDs, func(ctx context.Context, x int) error { return c.Opening.DeleteOneID(x).Exec(ctx) }},
		{c.InterviewQuestion.Query().Where(interviewquestion.RoleID(id)).IDs, func(ctx context.Context, x int) error { return c.InterviewQuestion.DeleteOneID(x).Exec(ctx) }},
		{c.CareerRoute.Query().Where(careerroute.Or(careerroute.FromRoleID(id), careerroute.ToRoleID(id))).IDs,
			func(ctx context.Context, x int) error { return c.CareerRoute.DeleteOneID(x).Exec(ctx) }},
	}
	for _, k := range kinds {
		ids, err := k.ids(ctx)
		if err != nil {
			return err
		}
		for _, x := range ids {
			if err := k.del(ctx, x); err != nil {
				return err
			}
		}
	}
	return c.Role.DeleteOneID(id).Exec(ctx)
}

// ---- RoleItem: responsibilities, requirements, FAQs; positions 0..n-1 per kind

// CreateRoleItem inserts an item at input.position (clamped), moving later items down.
func CreateRoleItem(ctx context.Context, c *ent.Client, input ent.CreateRoleItemInput) (*ent.RoleItem, error) {
	if err := CheckRefs(ctx, c, input); err != nil {
		return nil, err
	}
	if err := LockRole(ctx, c, input.RoleID); err != nil {
		return nil, notFoundAs(err, "input.roleID", input.RoleID)
	}
	if err := RoomForItem(ctx, c, input.RoleID, input.Kind); err != nil {
		return nil, err
	}
	pos, err := Items{Client: c, RoleID: input.RoleID, Kind: input.Kind}.OpenAt(ctx, input.Position)
	if err != nil {
		return nil, err
	}
	input.Position = pos
	return checked(c.RoleItem.Create().SetInput(input).Save(ctx))(RoleItem)
}

// UpdateRoleItem changes an item; a position moves it (clamped), closing the gap it leaves.
func UpdateRoleItem(ctx context.Context, c *ent.Client, id int, input ent.UpdateRoleItemInput) (*ent.RoleItem, error) {
	if err := CheckRefs(ctx, c, input); err != nil {
		return nil, err
	}
	item, err := c.RoleItem.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if p := input.Position; p != nil {
		input.Position = nil
		if err := LockRole(ctx, c, item.RoleID); err != nil {
			return nil, err
		}
		o := Items{Client: c, RoleID: item.RoleID, Kind: item.Kind}
		ids, err := o.IDs(ctx)
		if err != nil {
			return nil, err
		}
		if err := o.Set(ctx, Move(ids, item.ID, *p), 0); err != nil {
			return nil, err
		}
	}
	return checked(c.RoleItem.UpdateOneID(id).SetInput(input).Save(ctx))(RoleItem)
}

// DeleteRoleItem deletes an item and closes the gap.
func DeleteRoleItem(ctx context.Context, c *ent.Client, id int) error {
	item, err := c.RoleItem.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := LockRole(ctx, c, item.RoleID); err != nil {
		return err
	}
	if err := c.RoleItem.DeleteOneID(id).Exec(ctx); err != nil {
		return err
	}
	o := Items{Client: c, RoleID: item.RoleID, Kind: item.Kind}
	ids, err := o.IDs(ctx)
	if err != nil {
		return err
	}
	return o.Set(ctx, ids, 0)
}

// ReorderRoleItems sets the whole order of a role's items of one kind; ids must list each
// item once. The audit log gets one row on the role with the old and new order besides a row
// per item that moved.
func ReorderRoleItems(ctx context.Context, c *ent.Client, roleID int, kind roleitem.Kind, ids []int) ([]*ent.RoleItem, error) {
	if err := LockRole(ctx, c, roleID); err != nil {
		return nil, err
	}
	o := Items{Client: c, RoleID: roleID, Kind: kind}
	have, err := o.IDs(ctx)
	if err != nil {
		return nil, err
	}
	if err := SameSet("ids", have, ids); err != nil {
		return nil, err
	}
	if err := o.Set(ctx, ids, 0); err != nil {
		return nil, err
	}
	if err := audit.Record(ctx, c, auditlog.ActionUPDATE, "Role", roleID,
		[]changes.Change{audit.Change(string(kind)+" order", have, ids)}); err != nil {
		return nil, err
	}
	return c.RoleItem.Query().Where(roleitem.RoleID(roleID), roleitem.KindEQ(kind)).Order(ent.Asc(roleitem.FieldPosition)).All(ctx)
}

// ---- RoleSkill: a role's core skills; ranks 1..n

// CreateRoleSkill ranks a skill among a role's core skills at input.rank (clamped); a skill is
// core to a role once.
func CreateRoleSkill(ctx context.Context, c *ent.Client, input ent.CreateRoleSkillInput) (*ent.RoleSkill, error) {
	if err := CheckRefs(ctx, c, input); err != nil {
		return nil, err
	}
	if err := LockRole(ctx, c, input.RoleID); err != nil {
		return nil, notFoundAs(err, "input.roleID", input.RoleID)
	}
	if err := Unique(ctx, "input.skillID", "this skill",
		c.RoleSkill.Query().Where(roleskill.RoleID(input.RoleID), roleskill.SkillID(input.SkillID)).Count); err != nil {
		return nil, err
	}
	if err := RoomForCoreSkill(ctx, c, input.RoleID); err != nil {
		return nil, err
	}
	rank, err := CoreSkills{Client: c, RoleID: input.RoleID}.OpenAt(ctx, input.Rank)
	if err != nil {
		return nil, err
	}
	input.Rank = rank
	return c.RoleSkill.Create().SetInput(input).Save(ctx)
}

// UpdateRoleSkill changes a core skill's skill (unique per role) or moves it to a rank.
func UpdateRoleSkill(ctx context.Context, c *ent.Client, id int, input ent.UpdateRoleSkillInput) (*ent.RoleSkill, error) {
	if err := CheckRefs(ctx, c, input); err != nil {
		return nil, err
	}
	link, err := c.RoleSkill.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if input.SkillID != nil || input.Rank != nil {
		if err := LockRole(ctx, c, link.RoleID); err != nil {
			return nil, err
		}
	}
	if s := input.SkillID; s != nil {
		if err := Unique(ctx, "input.skillID", "this skill",
			c.RoleSkill.Query().Where(roleskill.RoleID(link.RoleID), roleskill.SkillID(*s), roleskill.IDNEQ(id)).Count); err != nil {
			return nil, err
		}
	}
	if rk := input.Rank; rk != nil {
		input.Rank = nil
		o := CoreSkills{Client: c, RoleID: link.RoleID}
		ids, err := o.IDs(ctx)
		if err != nil {
			return nil, err
		}
		if err := o.Set(ctx, Move(ids, id, *rk-1)); err != nil {
			return nil, err
		}
	}
	return c.RoleSkill.UpdateOneID(id).SetInput(input).Save(ctx)
}

// DeleteRoleSkill removes a core skill and closes the gap in the ranks.
func DeleteRoleSkill(ctx context.Context, c *ent.Client, id int) error {
	link, err := c.RoleSkill.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := LockRole(ctx, c, link.RoleID); err != nil {
		return err
	}
	if err := c.RoleSkill.DeleteOneID(id).Exec(ctx); err != nil {
		return err
	}
	o := CoreSkills{Client: c, RoleID: link.RoleID}
	ids, err := o.IDs(ctx)
	if err != nil {
		return err
	}
	return o.Set(ctx, ids)
}

// ReorderRoleSkills sets the whole ranking of a role's core skills; ids must list each once.
func ReorderRoleSkills(ctx context.Context, c *ent.Client, roleID int, ids []int) ([]*ent.RoleSkill, error) {
	if err := LockRole(ctx, c, roleID); err != nil {
		return nil, err
	}
	o := CoreSkills{Client: c, RoleID: roleID}
	have, err := o.IDs(ctx)
	if err != nil {
		return nil, err
	}
	if err := SameSet("ids", have, ids); err != nil {
		return nil, err
	}
	if err := o.Set(ctx, ids); err != nil {
		return nil, err
	}
	if err := audit.Record(ctx, c, auditlog.ActionUPDATE, "Role", roleID,
		[]changes.Change{audit.Change("coreSkills order", have, ids)}); err != nil {
		return nil, err
	}
	return c.RoleSkill.Query().Where(roleskill.RoleID(roleID)).Order(ent.Asc(roleskill.FieldRank)).All(ctx)
}

// ---- Skill

// CreateSkill creates a skill or group with a unique slug and name; groups nest one level.
func CreateSkill(ctx context.Context, c *ent.Client, input ent.CreateSkillInput) (*ent.Skill, error) {
	if err := CheckRefs(ctx, c, input); err != nil {
		return nil, err
	}
	if err := First(Slug("input.slug", input.Slug),
		Unique(ctx, "input.slug", input.Slug, c.Skill.Query().Where(skill.Slug(input.Slug)).Count),
		Unique(ctx, "input.name", input.Name, c.Skill.Query().Where(skill.Name(input.Name)).Count)); err != nil {
		return nil, err
	}
	s, err := c.Skill.Create().SetInput(input).Save(ctx)
	if err != nil {
		return nil, err
	}
	return s, First(Skill(ctx, s, "input.memberIDs"),
		ListLen("input.synonyms", "synonyms", MaxSynonyms, len(s.Synonyms)),
		GroupBounds(ctx, c, "input.memberIDs", s))
}

// UpdateSkill changes a skill or group; slug and name stay unique, groups nest one level.
func UpdateSkill(ctx context.Context, c *ent.Client, id int, input ent.UpdateSkillInput) (*ent.Skill, error) {
	if err := CheckRefs(ctx, c, input); err != nil {
		return nil, err
	}
	var errs []error
	if s := input.Slug; s != nil {
		errs = append(errs, Slug("input.slug", *s),
			Unique(ctx, "input.slug", *s, c.Skill.Query().Where(skill.Slug(*s), skill.IDNEQ(id)).Count))
	}
	if n := input.Name; n != nil {
		errs = append(errs, Unique(ctx, "input.name", *n, c.Skill.Query().Where(skill.Name(*n), skill.IDNEQ(id)).Count))
	}
	if err := First(errs...); err != nil {
		return nil, err
	}
	u := c.Skill.UpdateOneID(id)
	// entgql v0.7.0's UpdateSkillInput.Mutate appends input.synonyms, not input.appendSynonyms.
	if a := input.AppendSynonyms; a != nil {
		input.AppendSynonyms = nil
		u.AppendSynonyms(a)
	}
	s, err := u.SetInput(input).Save(ctx)
	if err != nil {
		return nil, err
	}
	return s, First(Skill(ctx, s, "input.addMemberIDs"),
		ListLen("input.appendSynonyms", "synonyms", MaxSynonyms, len(s.Synonyms)),
		GroupBounds(ctx, c, "input.addMemberIDs", s))
}

// DeleteSkill deletes a skill that no role ranks as a core skill. What names it loses the link:
// openings, groups it is a member of, requirements, interview questions and salary records.
// The links are cleared here, before the delete, rather than left to the database, so that the
// audit log records each row that changed (search.Hook reindexes the openings).
func DeleteSkill(ctx context.Context, c *ent.Client, id int) error {
	if n, err := c.RoleSkill.Query().Where(roleskill.SkillID(id)).Count(ctx); err != nil {
		return err
	} else if n > 0 {
		return inUse("id", "skill", n, "roles' core skills", "deleteRoleSkill")
	}
	clear := []func(context.Context) error{
		c.Opening.Update().Where(opening.HasSkillsWith(skill.ID(id))).RemoveSkillIDs(id).Exec,
		c.Skill.Update().Where(skill.HasMembersWith(skill.ID(id))).RemoveMemberIDs(id).Exec,
		c.RoleItem.Update().Where(roleitem.SkillID(id)).ClearSkill().Exec,
		c.InterviewQuestion.Update().Where(interviewquestion.SkillID(id)).ClearSkill().Exec,
		c.SalaryRecord.Update().Where(salaryrecord.SkillID(id)).ClearSkill().Exec,
	}
	for _, step := range clear {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return c.Skill.DeleteOneID(id).Exec(ctx)
}

// ---- SalaryRecord

// CreateSalaryRecord creates a salary record with consistent amounts.
func CreateSalaryRecord(ctx context.Context, c *ent.Client, input ent.CreateSalaryRecordInput) (*ent.SalaryRecord, error) {
	if err := CheckRefs(ctx, c, input); err != nil {
		return nil, err
	}
	return checked(c.SalaryRecord.Create().SetInput(input).Save(ctx))(SalaryRecord)
}

// UpdateSalaryRecord changes a salary record; the amounts stay consistent.
func UpdateSalaryRecord(ctx context.Context, c *ent.Client, id int, input ent.UpdateSalaryRecordInput) (*ent.SalaryRecord, error) {
	if err := CheckRefs(ctx, c, input); err != nil {
		return nil, err
	}
	return checked(c.SalaryRecord.UpdateOneID(id).SetInput(input).Save(ctx))(SalaryRecord)
}

// DeleteSalaryRecord deletes a salary record; its role's cluster has changed (TouchRoles).
func DeleteSalaryRecord(ctx context.Context, c *ent.Client, id int) error {
	r, err := c.SalaryRecord.Query().Where(salaryrecord.ID(id)).Select(salaryrecord.FieldRoleID).Only(ctx)
	if err != nil {
		return err
	}
	if err := TouchRoles(ctx, c, r.RoleID); err != nil {
		return err
	}
	return c.SalaryRecord.DeleteOneID(id).Exec(ctx)
}

// ---- Opening

// CreateOpening creates an opening whose external id is free among manual openings. The
// skills of input.SkillIDs are essential, those of preferred (input.preferredSkillIDs)
// preferred; a skill may be in one list only, and both count toward MaxOpeningSkills.
func CreateOpening(ctx context.Context, c *ent.Client, input ent.CreateOpeningInput, preferred []int) (*ent.Opening, error) {
	if err := requirementLists("input.preferredSkillIDs", input.SkillIDs, preferred); err != nil {
		return nil, err
	}
	if err := First(CheckRefs(ctx, c, input), CheckRefs(ctx, c, struct{ PreferredSkillIDs []int }{preferred})); err != nil {
		return nil, err
	}
	if err := Unique(ctx, "input.externalID", input.ExternalID,
		c.Opening.Query().Where(opening.Source("manual"), opening.ExternalID(input.ExternalID)).Count); err != nil {
		return nil, err
	}
	field := "input.skillIDs"
	if len(preferred) > 0 {
		field = "input.preferredSkillIDs"
	}
	// Every link is written by the opening's own mutation (so search.Hook counts it), as
	// essential, the column's default; the preferred ones are then marked.
	input.SkillIDs = distinct(append(slices.Clone(input.SkillIDs), preferred...))
	return checked(c.Opening.Create().SetInput(input).Save(ctx))(func(o *ent.Opening) error {
		return First(Opening(o), OpeningSkills(ctx, c, field, o.ID), markEssential(ctx, c, o.ID, preferred, false))
	})
}

// UpdateOpening changes an opening; a new external id must be free within its source. Skills
// in input.AddSkillIDs are added as essential (or made essential), those in addPreferred
// (input.addPreferredSkillIDs) as preferred (or made preferred).
func UpdateOpening(ctx context.Context, c *ent.Client, id int, input ent.UpdateOpeningInput, addPreferred []int) (*ent.Opening, error) {
	if err := requirementLists("input.addPreferredSkillIDs", input.AddSkillIDs, addPreferred); err != nil {
		return nil, err
	}
	if err := First(CheckRefs(ctx, c, input), CheckRefs(ctx, c, struct{ AddPreferredSkillIDs []int }{addPreferred})); err != nil {
		return nil, err
	}
	if x := input.ExternalID; x != nil {
		o, err := c.Opening.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := Unique(ctx, "input.externalID", *x,
			c.Opening.Query().Where(opening.Source(o.Source), opening.ExternalID(*x), opening.IDNEQ(id)).Count); err != nil {
			return nil, err
		}
	}
	essential := input.AddSkillIDs
	field := "input.addSkillIDs"
	if len(addPreferred) > 0 {
		field = "input.addPreferredSkillIDs"
	}
	adding := len(input.AddSkillIDs) > 0 || len(addPreferred) > 0
	var have []int
	if adding && !input.ClearSkills {
		// Links carry a flag, so ent inserts them without ON CONFLICT DO NOTHING: a skill the
		// opening already asks for (and keeps) is not added again, only flagged. The opening's
		// update still moves its updated_at, by which the match index catches up.
		links, err := c.OpeningSkill.Query().Where(openingskill.OpeningID(id)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, l := range links {
			if !slices.Contains(input.RemoveSkillIDs, l.SkillID) {
				have = append(have, l.SkillID)
			}
		}
	}
	input.AddSkillIDs = slices.DeleteFunc(distinct(append(slices.Clone(input.AddSkillIDs), addPreferred...)),
		func(s int) bool { return slices.Contains(have, s) })
	return checked(c.Opening.UpdateOneID(id).SetInput(input).Save(ctx))(func(o *ent.Opening) error {
		if !adding {
			return Opening(o)
		}
		return First(Opening(o), OpeningSkills(ctx, c, field, o.ID),
			markEssential(ctx, c, o.ID, essential, true), markEssential(ctx, c, o.ID, addPreferred, false))
	})
}

// requirementLists checks the preferred skills list against the essential one: within the
// bound before anything is looked up, and no skill in both.
func requirementLists(field string, essential, preferred []int) error {
	if err := ListLen(field, "skills per opening", MaxOpeningSkills, len(preferred)); err != nil {
		return err
	}
	for _, id := range preferred {
		if slices.Contains(essential, id) {
			return apperr.BadInput(field, "%s: skill %d is also in the essential skills; a skill is either essential or preferred", leaf(field), id)
		}
	}
	return nil
}

// distinct returns ids without repeats, in their first order.
func distinct(ids []int) []int {
	var out []int
	seen := make(map[int]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// markEssential sets the essential flag of opening id's links to skills.
func markEssential(ctx context.Context, c *ent.Client, id int, skills []int, essential bool) error {
	if len(skills) == 0 {
		return nil
	}
	return c.OpeningSkill.Update().Where(openingskill.OpeningID(id), openingskill.SkillIDIn(skills...)).
		SetEssential(essential).Exec(ctx)
}

// DeleteOpening deletes an opening; its role's cluster, if it has a role, has changed
// (TouchRoles).
func DeleteOpening(ctx context.Context, c *ent.Client, id int) error {
	o, err := c.Opening.Query().Where(opening.ID(id)).Select(opening.FieldRoleID).Only(ctx)
	if err != nil {
		return err
	}
	if o.RoleID != nil {
		if err := TouchRoles(ctx, c, *o.RoleID); err != nil {
			return err
		}
	}
	return c.Opening.DeleteOneID(id).Exec(ctx)
}

// ---- Company

// CreateCompany creates a company with a unique, well-formed slug.
func CreateCompany(ctx context.Context, c *ent.Client, input ent.CreateCompanyInput) (*ent.Company, error) {
	if err := CheckRefs(ctx, c, input); err != nil {
		return nil, err
	}
	if err := First(Slug("input.slug", input.Slug),
		Unique(ctx, "input.slug", input.Slug, c.Company.Query().Where(company.Slug(input.Slug)).Count)); err != nil {
		return nil, err
	}
	return checked(c.Company.Create().SetInput(input).Save(ctx))(Company)
}

// UpdateCompany changes a company; a new slug must be well formed and free.
func UpdateCompany(ctx context.Context, c *ent.Client, id int, input ent.UpdateCompanyInput) (*ent.Company, error) {
	if err := CheckRefs(ctx, c, input); err != nil {
		return nil, err
	}
	if s := input.Slug; s != nil {
		if err := First(Slug("input.slug", *s),
			Unique(ctx, "input.slug", *s, c.Company.Query().Where(company.Slug(*s), company.IDNEQ(id)).Count)); err != nil {
			return nil, err
		}
	}
	return checked(c.Company.UpdateOneID(id).SetInput(input).Save(ctx))(Company)
}

// DeleteCompany deletes a company that has no openings; salary records narrowed to it lose the
// link (cleared here, so that the audit log records each).
func DeleteCompany(ctx context.Context, c *ent.Client, id int) error {
	if n, err := c.Opening.Query().Where(opening.CompanyID(id)).Count(ctx); err != nil {
		return err
	} else if n > 0 {
		return inUse("id", "company", n, "openings", "deleteOpening")
	}
	if err := c.SalaryRecord.Update().Where(salaryrecord.CompanyID(id)).ClearCompany().Exec(ctx); err != nil {
		return err
	}
	return c.Company.DeleteOneID(id).Exec(ctx)
}

// ---- Location

// CreateLocation creates a location with a unique, well-formed slug.
func CreateLocation(ctx context.Context, c *ent.Client, input ent.CreateLocationInput) (*ent.Location, error) {
	if err := First(Slug("input.slug", input.Slug),
		Unique(ctx, "input.slug", input.Slug, c.Location.Query().Where(location.Slug(input.Slug)).Count)); err != nil {
		return nil, err
	}
	return checked(c.Location.Create().SetInput(input).Save(ctx))(Location)
}

// UpdateLocation changes a location; a new slug must be well formed and free.
func UpdateLocation(ctx context.Context, c *ent.Client, id int, input ent.UpdateLocationInput) (*ent.Location, error) {
	if s := input.Slug; s != nil {
		if err := First(Slug("input.slug", *s),
			Unique(ctx, "input.slug", *s, c.Location.Query().Where(location.Slug(*s), location.IDNEQ(id)).Count)); err != nil {
			return nil, err
		}
	}
	return checked(c.Location.UpdateOneID(id).SetInput(input).Save(ctx))(Location)
}

// DeleteLocation deletes a location; openings there, companies headquartered there and salary
// records narrowed to it lose the link. The links are cleared here rather than left to the
// database, so that the audit log records each row (search.Hook reindexes the openings: a
// search by the city no longer finds them).
func DeleteLocation(ctx context.Context, c *ent.Client, id int) error {
	clear := []func(context.Context) error{
		c.Opening.Update().Where(opening.LocationID(id)).ClearLocation().Exec,
		c.Company.Update().Where(company.HeadquartersID(id)).ClearHeadquarters().Exec,
		c.SalaryRecord.Update().Where(salaryrecord.LocationID(id)).ClearLocation().Exec,
	}
	for _, step := range clear {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return c.Location.DeleteOneID(id).Exec(ctx)
}

// ---- InterviewQuestion

// CreateInterviewQuestion creates an interview question.
func CreateInterviewQuestion(ctx context.Context, c *ent.Client, input ent.CreateInterviewQuestionInput) (*ent.InterviewQuestion, error) {
	if err := CheckRefs(ctx, c, input); err != nil {
		return nil, err
	}
	return c.InterviewQuestion.Create().SetInput(input).Save(ctx)
}

// UpdateInterviewQuestion changes an interview question.
func UpdateInterviewQuestion(ctx context.Context, c *ent.Client, id int, input ent.UpdateInterviewQuestionInput) (*ent.InterviewQuestion, error) {
	if err := CheckRefs(ctx, c, input); err != nil {
		return nil, err
	}
	return c.InterviewQuestion.UpdateOneID(id).SetInput(input).Save(ctx)
}

// DeleteInterviewQuestion deletes an interview question; its role's cluster has changed
// (TouchRoles).
func DeleteInterviewQuestion(ctx context.Context, c *ent.Client, id int) error {
	q, err := c.InterviewQuestion.Query().Where(interviewquestion.ID(id)).Select(interviewquestion.FieldRoleID).Only(ctx)
	if err != nil {
		return err
	}
	if err := TouchRoles(ctx, c, q.RoleID); err != nil {
		return err
	}
	return c.InterviewQuestion.DeleteOneID(id).Exec(ctx)
}

// ---- CareerRoute

// CreateCareerRoute creates a route between two different roles, once per pair.
func CreateCareerRoute(ctx context.Context, c *ent.Client, input ent.CreateCareerRouteInput) (*ent.CareerRoute, error) {
	if err := CheckRefs(ctx, c, input); err != nil {
		return nil, err
	}
	if err := Unique(ctx, "input.toID", "this route",
		c.CareerRoute.Query().Where(careerroute.FromRoleID(input.FromID), careerroute.ToRoleID(input.ToID)).Count); err != nil {
		return nil, err
	}
	return checked(c.CareerRoute.Create().SetInput(input).Save(ctx))(func(rt *ent.CareerRoute) error {
		return First(CareerRoute(rt), RouteBounds(ctx, c, rt.FromRoleID, rt.ToRoleID))
	})
}

// UpdateCareerRoute changes a route; the pair of roles stays unique.
func UpdateCareerRoute(ctx context.Context, c *ent.Client, id int, input ent.UpdateCareerRouteInput) (*ent.CareerRoute, error) {
	if err := CheckRefs(ctx, c, input); err != nil {
		return nil, err
	}
	rt, err := c.CareerRoute.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	from, to := rt.FromRoleID, rt.ToRoleID
	if input.FromID != nil {
		from = *input.FromID
	}
	if input.ToID != nil {
		to = *input.ToID
	}
	if err := Unique(ctx, "input.toID", "this route",
		c.CareerRoute.Query().Where(careerroute.FromRoleID(from), careerroute.ToRoleID(to), careerroute.IDNEQ(id)).Count); err != nil {
		return nil, err
	}
	return checked(c.CareerRoute.UpdateOneID(id).SetInput(input).Save(ctx))(func(rt *ent.CareerRoute) error {
		return First(CareerRoute(rt), RouteBounds(ctx, c, rt.FromRoleID, rt.ToRoleID))
	})
}

// DeleteCareerRoute deletes a route; the clusters of both its roles have changed
// (TouchRoles).
func DeleteCareerRoute(ctx context.Context, c *ent.Client, id int) error {
	rt, err := c.CareerRoute.Query().Where(careerroute.ID(id)).
		Select(careerroute.FieldFromRoleID, careerroute.FieldToRoleID).Only(ctx)
	if err != nil {
		return err
	}
	if err := TouchRoles(ctx, c, rt.FromRoleID, rt.ToRoleID); err != nil {
		return err
	}
	return c.CareerRoute.DeleteOneID(id).Exec(ctx)
}

// ---- helpers

// checked runs a check on a saved entity, so that an operation reads as one chain:
// checked(builder.Save(ctx))(Role). A failed check fails the operation; the caller's
// transaction rolls back.
func checked[T any](v *T, err error) func(check func(*T) error) (*T, error) {
	return func(check func(*T) error) (*T, error) {
		if err != nil {
			return nil, err
		}
		if err := check(v); err != nil {
			return nil, err
		}
		return v, nil
	}
}

// notFoundAs reports a missing referenced entity as NOT_FOUND naming the input field.
func notFoundAs(err error, field string, id int) error {
	if ent.IsNotFound(err) {
		return NotFound(field, id)
	}
	return err
}

// inUse refuses to delete something others still need.
func inUse(field, what string, n int, users, hint string) error {
	return apperr.BadInput(field, "%s: the %s is used by %d %s; remove it from them first (%s)", field, what, n, users, hint)
}
