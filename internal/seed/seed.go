// Package seed loads the embedded clusters (data/) into an empty database: the Backend Developer
// cluster reproduced from a real page (source "seed-page") and sample clusters around it (source
// "sample"), with deterministic sample openings.
//
// Seeding runs only when the database holds no role at all, inside one transaction, so that
// starting twice adds nothing and a restart never overwrites what editors changed. Replicas
// starting together race harmlessly: the loser's transaction fails on the unique slugs and it
// reports the database as already seeded.
package seed

import (
	"context"
	"fmt"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/careerroute"
	"github.com/careergraph/careergraph/ent/company"
	"github.com/careergraph/careergraph/ent/interviewquestion"
	"github.com/careergraph/careergraph/ent/roleitem"
	"github.com/careergraph/careergraph/ent/salaryrecord"
	"github.com/careergraph/careergraph/ent/skill"
)

// Result says what Load did.
type Result struct {
	// Loaded is false when the database already had roles and nothing was written.
	Loaded   bool
	Roles    int
	Openings int
}

// Load seeds an empty database; see the package comment.
func Load(ctx context.Context, client *ent.Client) (Result, error) {
	n, err := client.Role.Query().Count(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("seed: %w", err)
	}
	if n > 0 {
		return Result{Roles: n}, nil
	}
	d, err := Parse()
	if err != nil {
		return Result{}, err
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("seed: %w", err)
	}
	res, err := d.write(ctx, tx)
	if err != nil {
		_ = tx.Rollback()
		if ent.IsConstraintError(err) {
			if n, cerr := client.Role.Query().Count(ctx); cerr == nil && n > 0 {
				return Result{Roles: n}, nil // another replica seeded first
			}
		}
		return Result{}, fmt.Errorf("seed: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Result{}, fmt.Errorf("seed: commit: %w", err)
	}
	return res, nil
}

// ids maps slugs to the IDs the database gave them.
type ids map[string]int

func (d *Data) write(ctx context.Context, tx *ent.Tx) (Result, error) {
	locs, comps, skills, roles := ids{}, ids{}, ids{}, ids{}

	lb := make([]*ent.LocationCreate, len(d.Locations))
	for i, l := range d.Locations {
		lb[i] = tx.Location.Create().SetSlug(l.Slug).SetCity(l.City).SetRegion(l.Region).
			SetCountryCode(l.CountryCode).SetSource(l.Source)
	}
	created, err := tx.Location.CreateBulk(lb...).Save(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("locations: %w", err)
	}
	for i, l := range created {
		locs[d.Locations[i].Slug] = l.ID
	}

	cb := make([]*ent.CompanyCreate, len(d.Companies))
	for i, c := range d.Companies {
		b := tx.Company.Create().SetSlug(c.Slug).SetName(c.Name).SetIndustry(c.Industry).
			SetWebsite(c.Website).SetSource(c.Source)
		if c.Size != "" {
			b.SetSize(company.Size(c.Size))
		}
		if c.Headquarters != "" {
			b.SetHeadquartersID(locs[c.Headquarters])
		}
		cb[i] = b
	}
	cs, err := tx.Company.CreateBulk(cb...).Save(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("companies: %w", err)
	}
	for i, c := range cs {
		comps[d.Companies[i].Slug] = c.ID
	}

	// Plain skills first, then groups, which refer to them.
	for _, groups := range []bool{false, true} {
		var sb []*ent.SkillCreate
		var slugs []string
		for _, s := range d.Skills {
			if (len(s.Members) > 0) != groups {
				continue
			}
			b := tx.Skill.Create().SetSlug(s.Slug).SetName(s.Name).SetCategory(skill.Category(s.Category)).
				SetSynonyms(nonNil(s.Synonyms)).SetSource(s.Source)
			if c, ok := d.SkillCodes[s.Slug]; ok {
				b.SetEscoURI(c.EscoURI)
			}
			if groups {
				b.SetGroupMode(skill.GroupMode(s.GroupMode))
				for _, m := range s.Members {
					b.AddMemberIDs(skills[m])
				}
			}
			sb = append(sb, b)
			slugs = append(slugs, s.Slug)
		}
		out, err := tx.Skill.CreateBulk(sb...).Save(ctx)
		if err != nil {
			return Result{}, fmt.Errorf("skills: %w", err)
		}
		for i, s := range out {
			skills[slugs[i]] = s.ID
		}
	}

	for _, r := range d.Roles {
		id, err := writeRole(ctx, tx, r, d.Codes[r.Slug], skills)
		if err != nil {
			return Result{}, fmt.Errorf("role %s: %w", r.Slug, err)
		}
		roles[r.Slug] = id
	}

	var rb []*ent.CareerRouteCreate
	for _, r := range d.Roles {
		for _, rt := range r.Routes {
			rb = append(rb, tx.CareerRoute.Create().SetFromRoleID(roles[r.Slug]).SetToRoleID(roles[rt.To]).
				SetKind(careerroute.Kind(rt.Kind)).SetNillableTypicalYears(rt.TypicalYears).SetSource("sample"))
		}
	}
	if len(rb) > 0 {
		if _, err := tx.CareerRoute.CreateBulk(rb...).Save(ctx); err != nil {
			return Result{}, fmt.Errorf("career routes: %w", err)
		}
	}

	specs := GenerateOpenings(d)
	w := NewOpeningWriter(d, Refs{Roles: roles, Companies: comps, Locations: locs, Skills: skills})
	if err := w.Insert(ctx, tx, specs); err != nil {
		return Result{}, fmt.Errorf("openings: %w", err)
	}
	return Result{Loaded: true, Roles: len(d.Roles), Openings: len(specs)}, nil
}

func writeRole(ctx context.Context, tx *ent.Tx, r roleJSON, codes codesJSON, skills ids) (int, error) {
	role, err := tx.Role.Create().SetSlug(r.Slug).SetTitle(r.Title).SetFamily(r.Family).
		SetSummary(r.Summary).SetOverview(r.Overview).SetAliases(nonNil(r.Aliases)).
		SetExperienceMinYears(r.ExperienceMinYears).SetExperienceMaxYears(r.ExperienceMaxYears).
		SetNillableIsco08Code(nonEmpty(codes.ISCO08)).SetNillableNco2015Code(nonEmpty(codes.NCO2015)).
		SetNillableOnetSocCode(nonEmpty(codes.ONETSOC)).
		SetSource(r.Source).Save(ctx)
	if err != nil {
		return 0, err
	}
	var items []*ent.RoleItemCreate
	item := func(kind roleitem.Kind, pos int, text string) *ent.RoleItemCreate {
		b := tx.RoleItem.Create().SetRoleID(role.ID).SetKind(kind).SetPosition(pos).SetText(text).SetSource(r.Source)
		items = append(items, b)
		return b
	}
	for i, t := range r.Responsibilities {
		item(roleitem.KindRESPONSIBILITY, i, t)
	}
	for i, q := range r.Requirements {
		b := item(roleitem.KindREQUIREMENT, i, q.Text)
		if q.Skill != "" {
			b.SetSkillID(skills[q.Skill])
		}
	}
	for i, f := range r.FAQs {
		item(roleitem.KindFAQ, i, f.Question).SetAnswer(f.Answer)
	}
	if _, err := tx.RoleItem.CreateBulk(items...).Save(ctx); err != nil {
		return 0, fmt.Errorf("items: %w", err)
	}

	links := make([]*ent.RoleSkillCreate, len(r.CoreSkills))
	for i, s := range r.CoreSkills {
		links[i] = tx.RoleSkill.Create().SetRoleID(role.ID).SetSkillID(skills[s]).SetRank(i + 1).SetSource(r.Source)
	}
	if _, err := tx.RoleSkill.CreateBulk(links...).Save(ctx); err != nil {
		return 0, fmt.Errorf("core skills: %w", err)
	}

	s := r.Salary
	if s.Country != "" {
		recs := []*ent.SalaryRecordCreate{
			tx.SalaryRecord.Create().SetRoleID(role.ID).SetCountryCode(s.Country).SetCurrency(s.Currency).
				SetPeriod(salaryrecord.Period(s.Period)).SetMinAmount(s.Min).SetNillableMaxAmount(s.Max).SetSource(r.Source),
		}
		for _, b := range s.Bands {
			recs = append(recs, tx.SalaryRecord.Create().SetRoleID(role.ID).SetCountryCode(s.Country).
				SetCurrency(s.Currency).SetPeriod(salaryrecord.Period(s.Period)).
				SetLevel(salaryrecord.Level(b.Level)).SetMinAmount(b.Min).SetNillableMaxAmount(b.Max).
				SetNillableExperienceMinYears(b.ExperienceMinYears).SetNillableExperienceMaxYears(b.ExperienceMaxYears).
				SetSource(r.Source))
		}
		if _, err := tx.SalaryRecord.CreateBulk(recs...).Save(ctx); err != nil {
			return 0, fmt.Errorf("salary: %w", err)
		}
	}

	if len(r.InterviewQuestions) > 0 {
		qs := make([]*ent.InterviewQuestionCreate, len(r.InterviewQuestions))
		for i, q := range r.InterviewQuestions {
			b := tx.InterviewQuestion.Create().SetRoleID(role.ID).SetKind(interviewquestion.Kind(q.Kind)).
				SetDifficulty(interviewquestion.Difficulty(q.Difficulty)).SetPosition(i).
				SetQuestion(q.Question).SetAnswerNotes(q.AnswerNotes).SetSource("sample")
			if q.Skill != "" {
				b.SetSkillID(skills[q.Skill])
			}
			qs[i] = b
		}
		if _, err := tx.InterviewQuestion.CreateBulk(qs...).Save(ctx); err != nil {
			return 0, fmt.Errorf("interview questions: %w", err)
		}
	}
	return role.ID, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// nonEmpty is nil for an empty string.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
