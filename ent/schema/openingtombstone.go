package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// OpeningTombstone says that an opening was deleted, and when. Every server's in-memory match
// index (internal/matching) catches up on openings by updated_at; a deleted row has none, so
// deletes leave a tombstone that the same catch-up reads. Written by the internal/search hook
// for every opening delete (one row or many); tombstones older than a few rebuild intervals are
// pruned by the index's rebuild. Not part of the API.
type OpeningTombstone struct{ ent.Schema }

// Fields of the OpeningTombstone.
func (OpeningTombstone) Fields() []ent.Field {
	return []ent.Field{
		field.Int("opening_id").Immutable(),
		field.Time("deleted_at").Default(time.Now).Immutable(),
	}
}

// Indexes of the OpeningTombstone.
func (OpeningTombstone) Indexes() []ent.Index {
	return []ent.Index{index.Fields("deleted_at")}
}

// Annotations of the OpeningTombstone.
func (OpeningTombstone) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
