package schema

import (
	"fmt"
	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// Role is the centre of a topic cluster: one career ("Backend Developer") and everything a job
// seeker wants around it.
//
// Most of its list-valued edges are exposed through hand-written resolvers and batch loaders
// (schema/role.graphql, internal/loader) rather than entgql's generated ones, so that a whole
// cluster page costs a small constant number of SQL statements.
type Role struct{ ent.Schema }

// Mixin of the Role.
func (Role) Mixin() []ent.Mixin {
	return []ent.Mixin{Timestamps{}, Provenance{}, Versioned{}, PageMeta{}}
}

// Fields of the Role.
func (Role) Fields() []ent.Field {
	return []ent.Field{
		field.String("slug").Unique().NotEmpty().MaxLen(100).
			Match(slugPattern).
			Annotations(entgql.OrderField("SLUG")),
		field.String("title").NotEmpty().MaxLen(200).
			Annotations(entgql.OrderField("TITLE")),
		field.Text("summary").NotEmpty().
			Comment("The overview paragraph shown at the top of the cluster page."),
		field.Text("overview").Optional().
			Comment("The longer role overview; paragraphs are separated by a blank line."),
		field.Strings("aliases").Optional().Default([]string{}).
			Comment(`Other titles for the role ("also known as"), in display order.`),
		field.Int("experience_min_years").NonNegative().
			Annotations(entgql.OrderField("EXPERIENCE_MIN_YEARS")),
		field.Int("experience_max_years").NonNegative().
			Annotations(entgql.OrderField("EXPERIENCE_MAX_YEARS")),
		field.String("family").NotEmpty().MaxLen(100).
			Comment(`The family of careers, such as "Engineering".`),
		// Occupation codes; several roles may share one (a classification's unit group is
		// broader than a role), so they are not unique. See internal/seed/data/occupation-codes.json
		// for the lists they come from.
		field.String("isco08_code").Optional().Nillable().Match(regexp.MustCompile(`^[0-9]{4}$`)).
			Comment("ISCO-08 unit group (ILO), four digits, such as 2512 (Software developers)."),
		field.String("nco2015_code").Optional().Nillable().Validate(validNCO2015).
			Comment("India's National Classification of Occupations 2015 code: an 8-digit occupation (DDDD.OOQQ, such as 2512.0100) or, when no occupation matches exactly, the 4-digit family (2512), which is the ISCO-08 unit group."),
		field.String("onet_soc_code").Optional().Nillable().Match(regexp.MustCompile(`^[0-9]{2}-[0-9]{4}\.[0-9]{2}$`)).
			Comment("O*NET-SOC 2019 code where the role maps to one, such as 15-1252.00 (Software Developers)."),
	}
}

// Edges of the Role.
func (Role) Edges() []ent.Edge {
	hidden := hiddenEdge
	return []ent.Edge{
		edge.To("items", RoleItem.Type).Annotations(hidden),
		edge.To("core_skill_links", RoleSkill.Type).Annotations(hidden),
		// Salary records are a connection for salary pages; the cluster page's typical range and
		// bands come from Role.salary, which batches them (internal/loader).
		edge.To("salary_records", SalaryRecord.Type).
			Comment("Every salary record of the role: by country, city, company, skill and level.").
			Annotations(entgql.RelayConnection(), notInInputs),
		// Lists of roles eager-load openings through entgql; a single role reads them in one
		// statement instead (ent/gql_paginate_ext.go).
		edge.To("openings", Opening.Type).Annotations(entgql.RelayConnection(), notInInputs),
		edge.To("interview_questions", InterviewQuestion.Type).Annotations(hidden),
		edge.To("routes_out", CareerRoute.Type).Annotations(hidden),
		edge.To("routes_in", CareerRoute.Type).Annotations(hidden),
	}
}

// Annotations of the Role.
func (Role) Annotations() []schema.Annotation {
	// The root roles field is declared by hand (schema/role.graphql) for its search argument.
	return []schema.Annotation{editable(),
		entgql.RelayConnection(),
	}
}

// nco2015Pattern: an NCO-2015 family (four digits, the ISCO-08 unit group) or an occupation in
// it (DDDD.OOQQ). internal/seed checks the same form (seed.NCO2015Pattern).
var nco2015Pattern = regexp.MustCompile(`^[0-9]{4}(\.[0-9]{4})?$`)

func validNCO2015(s string) error {
	if !nco2015Pattern.MatchString(s) {
		return fmt.Errorf("%q is not an NCO-2015 code: give a 4-digit family (2512) or an 8-digit occupation (2512.0100)", s)
	}
	return nil
}
