package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// TrendSnapshot is one day's figures for a scope, written by the daily snapshot job
// (internal/trends) and read as time series. Scopes use 0 for "all" instead of NULL so that
// the unique index makes a day's snapshot idempotent on both databases (NULLs are distinct in
// unique indexes): role 0 is every role, location 0 every city, and skill 0 the scope itself
// (a row with a skill counts that skill's demand in the scope).
type TrendSnapshot struct{ ent.Schema }

// Fields of the TrendSnapshot.
func (TrendSnapshot) Fields() []ent.Field {
	return []ent.Field{
		field.Time("day").Comment("The UTC day the figures describe (midnight)."),
		field.Int("role_id").Default(0),
		field.Int("location_id").Default(0),
		field.Int("skill_id").Default(0),
		field.Int("live_openings").NonNegative().
			Comment("Live openings in scope (with a skill: those that ask for it)."),
		field.String("currency").Optional().Nillable().
			Comment("The currency of median_pay: the one most of the scope's paying openings use."),
		field.Int64("median_pay").Optional().Nillable().
			Comment("Nearest-rank median of the annualised midpoints of advertised pay, in currency."),
		field.Int("pay_count").Default(0).Comment("Openings behind median_pay."),
	}
}

// Indexes of the TrendSnapshot.
func (TrendSnapshot) Indexes() []ent.Index {
	return []ent.Index{index.Fields("role_id", "location_id", "skill_id", "day").Unique()}
}

// Annotations of the TrendSnapshot: not an entgql type; exposed through the hand-written
// trend queries (schema/trends.graphql).
func (TrendSnapshot) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
