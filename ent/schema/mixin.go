package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
)

// Provenance records where a fact comes from, so that sample data can never pass for real data.
// Known values: "seed-page" (reproduced exactly from a real page), "sample" (invented sample
// data), "manual" (entered through the API), "import:<feed>" (a job feed).
type Provenance struct{ mixin.Schema }

// Fields of the Provenance mixin.
func (Provenance) Fields() []ent.Field {
	return []ent.Field{
		field.String("source").
			NotEmpty().
			MaxLen(64).
			Default("manual").
			Comment(`Where this fact comes from: "seed-page", "sample", "manual" or "import:<feed>".`).
			Annotations(entgql.OrderField("SOURCE"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Timestamps adds creation and update times, maintained by ent.
type Timestamps struct{ mixin.Schema }

// Fields of the Timestamps mixin.
func (Timestamps) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Default(time.Now).
			Immutable().
			Annotations(entgql.OrderField("CREATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("updated_at").
			Default(time.Now).
			UpdateDefault(time.Now).
			Annotations(entgql.OrderField("UPDATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Versioned gives a content type a version: 1 when created, bumped by one on every change
// to its own fields or edges (an ent hook, internal/editing.VersionHook), never set by
// clients. update<X> and delete<X> take the version the client last read as an optional
// precondition ("version: Int"); a stale one fails with CONFLICT instead of overwriting.
type Versioned struct{ mixin.Schema }

// Fields of the Versioned mixin.
func (Versioned) Fields() []ent.Field {
	return []ent.Field{
		field.Int("version").
			Default(1).
			Comment("Bumped on every change; send it back as update<X>(version:) to refuse a stale write.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
	}
}

// PageMeta are the optional, editor-written head of an entity's public page. When empty, the
// API generates them from the data (internal/seo); when set, they win.
type PageMeta struct{ mixin.Schema }

// Fields of the PageMeta mixin.
func (PageMeta) Fields() []ent.Field {
	return []ent.Field{
		field.String("meta_title").
			Optional().
			MaxLen(70).
			Comment("The page's <title> as an editor wrote it; empty: generated from the data (seo.metaTitle).").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.String("meta_description").
			Optional().
			MaxLen(300).
			Comment("The page's meta description as an editor wrote it; empty: generated from the data (seo.metaDescription).").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
	}
}
