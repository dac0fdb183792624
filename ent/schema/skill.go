package schema

import (
	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// Skill is a skill an opening asks for or a role needs. A skill with members is a group: with
// group_mode ANY_OF ("Node.js / Java / Python") any member satisfies it, with ALL_OF
// ("SQL & NoSQL databases") every member is needed. Groups nest one level only: members are plain.
type Skill struct{ ent.Schema }

// Mixin of the Skill.
func (Skill) Mixin() []ent.Mixin {
	return []ent.Mixin{Timestamps{}, Provenance{}, Versioned{}, PageMeta{}}
}

// Fields of the Skill.
func (Skill) Fields() []ent.Field {
	return []ent.Field{
		field.String("slug").Unique().NotEmpty().MaxLen(100).Match(slugPattern).
			Annotations(entgql.OrderField("SLUG")),
		field.String("name").Unique().NotEmpty().MaxLen(100).
			Annotations(entgql.OrderField("NAME")),
		field.Enum("category").
			Values("LANGUAGE", "FRAMEWORK", "DATABASE", "API", "PRACTICE", "TOOL", "CLOUD", "PLATFORM").
			Annotations(entgql.OrderField("CATEGORY")),
		field.Strings("synonyms").Optional().Default([]string{}).
			Comment(`Other spellings of the same skill ("NodeJS", "node"); matched case-insensitively.`),
		field.String("esco_uri").Optional().Nillable().MaxLen(200).
			Match(regexp.MustCompile(`^http://data\.europa\.eu/esco/skill/[0-9a-f-]{36}$`)).
			Annotations(entgql.Skip(entgql.SkipWhereInput)).
			Comment("The skill's ESCO concept URI (http://data.europa.eu/esco/skill/<uuid>), where it has one."),
		field.Enum("group_mode").Values("ANY_OF", "ALL_OF").Optional().Nillable().
			Comment("Set on a group: whether any member or every member satisfies it. Null for a plain skill."),
	}
}

// Edges of the Skill.
func (Skill) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("members", Skill.Type).
			Comment("A group's member skills; empty for a plain skill.").
			From("groups").
			Comment("The groups this skill is a member of.").
			Annotations(notInInputs),
		edge.To("core_of", RoleSkill.Type).
			Comment("The roles that rank this skill (or group) as a core skill, with the rank; orderBy RANK puts the roles where it matters most first.").
			Annotations(entgql.RelayConnection(), notInInputs),
		edge.From("openings", Opening.Type).Ref("skills").
			Annotations(entgql.RelayConnection(), notInInputs),
		edge.To("interview_questions", InterviewQuestion.Type).
			Comment("Interview questions about this skill, of every role.").
			Annotations(entgql.RelayConnection(), notInInputs),
		edge.To("salary_records", SalaryRecord.Type).
			Comment("Salary records for holders of this skill.").
			Annotations(entgql.RelayConnection(), notInInputs),
		edge.From("role_items", RoleItem.Type).Ref("skill").
			Comment("The role items that name this skill: requirements (where: {kind: REQUIREMENT}) and any other kind that points at it.").
			Annotations(entgql.RelayConnection(), notInInputs),
	}
}

// Annotations of the Skill.
func (Skill) Annotations() []schema.Annotation {
	return []schema.Annotation{editable(), entgql.QueryField(), entgql.RelayConnection()}
}
