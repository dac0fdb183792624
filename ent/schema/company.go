package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// Company is an employer that advertises openings.
type Company struct{ ent.Schema }

// Mixin of the Company.
func (Company) Mixin() []ent.Mixin { return []ent.Mixin{Timestamps{}, Provenance{}, Versioned{}} }

// Fields of the Company.
func (Company) Fields() []ent.Field {
	return []ent.Field{
		field.String("slug").Unique().NotEmpty().MaxLen(100).Match(slugPattern).
			Annotations(entgql.OrderField("SLUG")),
		field.String("name").NotEmpty().MaxLen(200).Annotations(entgql.OrderField("NAME")),
		field.String("industry").Optional().MaxLen(100),
		field.Enum("size").Values("STARTUP", "MID_SIZE", "ENTERPRISE").Optional().Nillable(),
		field.String("website").Optional().MaxLen(300),
		field.Int("headquarters_id").Optional().Nillable(),
	}
}

// Edges of the Company.
func (Company) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("headquarters", Location.Type).Ref("headquartered").Field("headquarters_id").Unique(),
		edge.To("openings", Opening.Type).Annotations(entgql.RelayConnection(), notInInputs),
		edge.To("salary_records", SalaryRecord.Type).
			Comment("Salary records observed at this company.").
			Annotations(entgql.RelayConnection(), notInInputs),
	}
}

// Annotations of the Company.
func (Company) Annotations() []schema.Annotation {
	return []schema.Annotation{editable(), entgql.QueryField(), entgql.RelayConnection()}
}
