package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// RoleSkill ranks a skill (or skill group) among a role's core skills; rank 1 is the most in
// demand and ranks are dense within a role.
type RoleSkill struct{ ent.Schema }

// Mixin of the RoleSkill.
func (RoleSkill) Mixin() []ent.Mixin { return []ent.Mixin{Provenance{}, Versioned{}} }

// Fields of the RoleSkill.
func (RoleSkill) Fields() []ent.Field {
	return []ent.Field{
		field.Int("role_id"),
		field.Int("skill_id"),
		field.Int("rank").Positive().Annotations(entgql.OrderField("RANK")),
	}
}

// Edges of the RoleSkill.
func (RoleSkill) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("role", Role.Type).Ref("core_skill_links").Field("role_id").Unique().Required().Annotations(fixedAfterCreate),
		edge.From("skill", Skill.Type).Ref("core_of").Field("skill_id").Unique().Required(),
	}
}

// Indexes of the RoleSkill.
func (RoleSkill) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("role_id", "skill_id").Unique(),
		index.Fields("role_id", "rank").Unique(),
	}
}

// Annotations of the RoleSkill.
func (RoleSkill) Annotations() []schema.Annotation {
	return []schema.Annotation{editable(), entgql.RelayConnection()}
}
