package cluster

import (
	"context"
	"time"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/careerroute"
	"github.com/careergraph/careergraph/ent/interviewquestion"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/roleitem"
	"github.com/careergraph/careergraph/ent/roleskill"
	"github.com/careergraph/careergraph/ent/salaryrecord"
	"github.com/careergraph/careergraph/ent/skill"
)

// UpdatedAt is when any part of a role's cluster last changed: the latest updatedAt of the
// role itself, its responsibilities, requirements and FAQs, its core skills (the skills
// themselves: a renamed skill changes the page), its salary records, openings, interview
// questions and career routes either way.
//
// It is read, not stored: each part already keeps its own updated_at, so nothing can forget
// to move it. Creating, moving, reordering or deleting a role's items or core skills takes
// the role's lock (editing.LockRole), which updates the role row, so those count too. Known
// limit: deleting an opening, salary record, interview question or route does not move it
// (the row that would say so is gone). It costs six statements, each reading one row
// (ORDER BY updated_at DESC LIMIT 1), per role.
func UpdatedAt(ctx context.Context, client *ent.Client, r *ent.Role) (time.Time, error) {
	latest := r.UpdatedAt
	take := func(t time.Time, err error) error {
		if ent.IsNotFound(err) {
			return nil
		}
		if err == nil && t.After(latest) {
			latest = t
		}
		return err
	}
	id := r.ID
	steps := []func() error{
		func() error {
			x, err := client.RoleItem.Query().Where(roleitem.RoleID(id)).Order(ent.Desc(roleitem.FieldUpdatedAt)).
				Select(roleitem.FieldUpdatedAt).First(ctx)
			return take(at(x, err, func(x *ent.RoleItem) time.Time { return x.UpdatedAt }))
		},
		func() error {
			x, err := client.Skill.Query().Where(skill.HasCoreOfWith(roleskill.RoleID(id))).Order(ent.Desc(skill.FieldUpdatedAt)).
				Select(skill.FieldUpdatedAt).First(ctx)
			return take(at(x, err, func(x *ent.Skill) time.Time { return x.UpdatedAt }))
		},
		func() error {
			x, err := client.SalaryRecord.Query().Where(salaryrecord.RoleID(id)).Order(ent.Desc(salaryrecord.FieldUpdatedAt)).
				Select(salaryrecord.FieldUpdatedAt).First(ctx)
			return take(at(x, err, func(x *ent.SalaryRecord) time.Time { return x.UpdatedAt }))
		},
		func() error {
			x, err := client.Opening.Query().Where(opening.RoleID(id)).Order(ent.Desc(opening.FieldUpdatedAt)).
				Select(opening.FieldUpdatedAt).First(ctx)
			return take(at(x, err, func(x *ent.Opening) time.Time { return x.UpdatedAt }))
		},
		func() error {
			x, err := client.InterviewQuestion.Query().Where(interviewquestion.RoleID(id)).
				Order(ent.Desc(interviewquestion.FieldUpdatedAt)).Select(interviewquestion.FieldUpdatedAt).First(ctx)
			return take(at(x, err, func(x *ent.InterviewQuestion) time.Time { return x.UpdatedAt }))
		},
		func() error {
			x, err := client.CareerRoute.Query().Where(careerroute.Or(careerroute.FromRoleID(id), careerroute.ToRoleID(id))).
				Order(ent.Desc(careerroute.FieldUpdatedAt)).Select(careerroute.FieldUpdatedAt).First(ctx)
			return take(at(x, err, func(x *ent.CareerRoute) time.Time { return x.UpdatedAt }))
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return time.Time{}, err
		}
	}
	return latest.UTC(), nil
}

func at[T any](x *T, err error, get func(*T) time.Time) (time.Time, error) {
	if err != nil {
		return time.Time{}, err
	}
	return get(x), nil
}
