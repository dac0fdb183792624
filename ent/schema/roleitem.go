package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// RoleItem is one ordered piece of text on a role's page: a responsibility, a requirement or an
// FAQ (question in text, answer in answer). The three live in one table so that a cluster page
// reads them in one statement; position is dense from 0 within (role, kind).
type RoleItem struct{ ent.Schema }

// Mixin of the RoleItem.
func (RoleItem) Mixin() []ent.Mixin { return []ent.Mixin{Timestamps{}, Provenance{}, Versioned{}} }

// Fields of the RoleItem.
func (RoleItem) Fields() []ent.Field {
	return []ent.Field{
		field.Int("role_id").Annotations(fixedAfterCreate),
		field.Enum("kind").Values("RESPONSIBILITY", "REQUIREMENT", "FAQ").Annotations(fixedAfterCreate),
		field.Int("position").NonNegative().
			Annotations(entgql.OrderField("POSITION")),
		field.Text("text").NotEmpty().
			Comment("The responsibility or requirement, or the FAQ's question."),
		field.Text("answer").Optional().
			Comment("The FAQ's answer; empty for other kinds."),
		field.Int("skill_id").Optional().Nillable().
			Comment("The skill or skill group a requirement is about, where there is one."),
	}
}

// Edges of the RoleItem.
func (RoleItem) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("role", Role.Type).Ref("items").Field("role_id").Unique().Required().Annotations(fixedAfterCreate),
		edge.To("skill", Skill.Type).Field("skill_id").Unique(),
	}
}

// Indexes of the RoleItem.
func (RoleItem) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("role_id", "kind", "position").Unique(),
	}
}

// Annotations of the RoleItem.
func (RoleItem) Annotations() []schema.Annotation {
	return []schema.Annotation{editable(), entgql.RelayConnection()}
}
