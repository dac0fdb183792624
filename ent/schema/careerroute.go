package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// CareerRoute is a common move from one role to another: ENTRY (an early-career way in),
// PROGRESSION (a step up) or LATERAL (a sideways move).
type CareerRoute struct{ ent.Schema }

// Mixin of the CareerRoute.
func (CareerRoute) Mixin() []ent.Mixin { return []ent.Mixin{Timestamps{}, Provenance{}, Versioned{}} }

// Fields of the CareerRoute.
func (CareerRoute) Fields() []ent.Field {
	return []ent.Field{
		field.Int("from_role_id"),
		field.Int("to_role_id"),
		field.Enum("kind").Values("ENTRY", "PROGRESSION", "LATERAL"),
		field.Float("typical_years").Min(0).Optional().Nillable().
			Comment("Typical years spent in the first role before the move."),
		field.Text("notes").Optional(),
	}
}

// Edges of the CareerRoute.
func (CareerRoute) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("from", Role.Type).Ref("routes_out").Field("from_role_id").Unique().Required(),
		edge.From("to", Role.Type).Ref("routes_in").Field("to_role_id").Unique().Required(),
	}
}

// Indexes of the CareerRoute.
func (CareerRoute) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("from_role_id", "to_role_id").Unique(),
		index.Fields("to_role_id"),
	}
}

// Annotations of the CareerRoute.
func (CareerRoute) Annotations() []schema.Annotation {
	return []schema.Annotation{editable()}
}
