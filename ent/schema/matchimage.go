package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// MatchImage is one part of a stored image of the in-memory match index (internal/matching):
// the index's live openings and their skills, encoded, as of its generation (the index's
// watermark in Unix nanoseconds). A replica that starts reads the newest image of its format
// and catches up from that moment instead of reading every opening and skill link; replicas
// store a new one after their own rebuilds when the newest is getting old. An image is split
// into parts so that no single value is large; all parts of one image share format and
// generation and are written in one transaction. Not part of the API.
type MatchImage struct{ ent.Schema }

// Fields of the MatchImage.
func (MatchImage) Fields() []ent.Field {
	return []ent.Field{
		field.Int("format").Immutable(),
		field.Int64("generation").Immutable(),
		field.Int("part").Immutable(),
		field.Int("parts").Immutable(),
		field.Bytes("data").Immutable(),
	}
}

// Indexes of the MatchImage.
func (MatchImage) Indexes() []ent.Index {
	return []ent.Index{index.Fields("format", "generation", "part").Unique()}
}

// Annotations of the MatchImage.
func (MatchImage) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
