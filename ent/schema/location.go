package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Location is a city where openings are based.
type Location struct{ ent.Schema }

// Mixin of the Location.
func (Location) Mixin() []ent.Mixin {
	return []ent.Mixin{Timestamps{}, Provenance{}, Versioned{}, PageMeta{}}
}

// Fields of the Location.
func (Location) Fields() []ent.Field {
	return []ent.Field{
		field.String("slug").Unique().NotEmpty().MaxLen(100).Match(slugPattern).
			Annotations(entgql.OrderField("SLUG")),
		field.String("city").NotEmpty().MaxLen(100).Annotations(entgql.OrderField("CITY")),
		field.String("region").Optional().MaxLen(100).Comment("State or province."),
		field.String("country_code").NotEmpty().MinLen(2).MaxLen(2).
			Comment("ISO 3166-1 alpha-2, such as IN.").
			Annotations(entgql.OrderField("COUNTRY_CODE")),
	}
}

// Edges of the Location.
func (Location) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("openings", Opening.Type).Annotations(entgql.RelayConnection(), notInInputs),
		edge.To("headquartered", Company.Type).
			Comment("The companies headquartered in this city.").
			Annotations(entgql.RelayConnection(), notInInputs),
		edge.To("salary_records", SalaryRecord.Type).
			Comment("Salary records narrowed to this city.").
			Annotations(entgql.RelayConnection(), notInInputs),
	}
}

// Indexes of the Location.
func (Location) Indexes() []ent.Index {
	return []ent.Index{index.Fields("country_code", "city")}
}

// Annotations of the Location.
func (Location) Annotations() []schema.Annotation {
	return []schema.Annotation{editable(), entgql.QueryField(), entgql.RelayConnection()}
}
