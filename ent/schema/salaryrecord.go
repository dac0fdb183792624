package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// SalaryRecord is one observed pay range for a role in a country, optionally narrowed to a city,
// a company, a skill and a level. A record with no level is the role's typical range across
// levels (the page's "typically ₹4L–₹24L/yr"). Amounts are whole currency units (INR 400000 is
// ₹4L); a null max_amount is open-ended ("₹20L+").
type SalaryRecord struct{ ent.Schema }

// Mixin of the SalaryRecord.
func (SalaryRecord) Mixin() []ent.Mixin { return []ent.Mixin{Timestamps{}, Provenance{}, Versioned{}} }

// Fields of the SalaryRecord.
func (SalaryRecord) Fields() []ent.Field {
	return []ent.Field{
		field.Int("role_id"),
		field.String("country_code").NotEmpty().MaxLen(2).MinLen(2).
			Comment("ISO 3166-1 alpha-2, such as IN.").
			Annotations(entgql.OrderField("COUNTRY_CODE")),
		field.String("currency").NotEmpty().MaxLen(3).MinLen(3).
			Comment("ISO 4217, such as INR."),
		field.Enum("period").Values("YEAR", "MONTH").Default("YEAR"),
		field.Enum("level").Values("FRESHER", "MID", "SENIOR").Optional().Nillable().
			Comment("Null for the role's typical range across all levels."),
		field.Int("experience_min_years").Optional().Nillable().NonNegative(),
		field.Int("experience_max_years").Optional().Nillable().NonNegative(),
		field.Int64("min_amount").NonNegative().Annotations(entgql.OrderField("MIN_AMOUNT")),
		field.Int64("p25_amount").Optional().Nillable().NonNegative(),
		field.Int64("median_amount").Optional().Nillable().NonNegative(),
		field.Int64("p75_amount").Optional().Nillable().NonNegative(),
		field.Int64("max_amount").Optional().Nillable().NonNegative().
			Comment("Null when the range is open-ended."),
		field.Time("as_of").Optional().Nillable().
			Comment("When the figures were observed, where known."),
		field.Int("location_id").Optional().Nillable(),
		field.Int("company_id").Optional().Nillable(),
		field.Int("skill_id").Optional().Nillable(),
	}
}

// Edges of the SalaryRecord.
func (SalaryRecord) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("role", Role.Type).Ref("salary_records").Field("role_id").Unique().Required(),
		edge.From("location", Location.Type).Ref("salary_records").Field("location_id").Unique(),
		edge.From("company", Company.Type).Ref("salary_records").Field("company_id").Unique(),
		edge.From("skill", Skill.Type).Ref("salary_records").Field("skill_id").Unique(),
	}
}

// Indexes of the SalaryRecord.
func (SalaryRecord) Indexes() []ent.Index {
	return []ent.Index{index.Fields("role_id", "country_code", "level")}
}

// Annotations of the SalaryRecord.
func (SalaryRecord) Annotations() []schema.Annotation {
	return []schema.Annotation{editable(), entgql.RelayConnection()}
}
