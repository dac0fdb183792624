package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// OpeningSkill links an opening to a skill it asks for, and says whether the skill is
// essential (required: "Must have") or preferred ("Nice to have"). It is the opening–skill
// join table (opening_skills) with one more column: the Opening.skills edge goes through it,
// so every reader and writer of that edge keeps working, and a link written without the flag
// is essential (the column's default, the safe reading of a posting that does not say).
//
// Not a GraphQL type of its own (its identity is the pair): Opening.skillRequirements shows it.
type OpeningSkill struct{ ent.Schema }

// Annotations of the OpeningSkill.
func (OpeningSkill) Annotations() []schema.Annotation {
	return []schema.Annotation{
		field.ID("opening_id", "skill_id"),
		entgql.Skip(entgql.SkipAll),
	}
}

// Fields of the OpeningSkill.
func (OpeningSkill) Fields() []ent.Field {
	return []ent.Field{
		field.Int("opening_id"),
		field.Int("skill_id"),
		field.Bool("essential").Default(true).
			Comment("Required (true) or preferred (false): matching weighs a missing essential skill twice a preferred one."),
	}
}

// Edges of the OpeningSkill.
func (OpeningSkill) Edges() []ent.Edge {
	return []ent.Edge{
		// Deleting an opening or a skill deletes its links, as the plain join table did.
		edge.To("opening", Opening.Type).Field("opening_id").Unique().Required().
			Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("skill", Skill.Type).Field("skill_id").Unique().Required().
			Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}
