package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// FeedSource is a registered job feed: a URL the job queue imports every interval (its runs
// are ImportRuns with the feed's name as source).
type FeedSource struct{ ent.Schema }

// Mixin of the FeedSource.
func (FeedSource) Mixin() []ent.Mixin { return []ent.Mixin{Timestamps{}, Versioned{}} }

// Fields of the FeedSource.
func (FeedSource) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Unique().NotEmpty().MaxLen(57).Match(sourceNamePattern).
			Comment(`The feed's name: its openings have the source "import:<name>".`).
			Annotations(entgql.OrderField("NAME")),
		field.String("url").NotEmpty().MaxLen(2000).Comment("An http(s) URL on a public address."),
		field.Int("interval_minutes").Min(5).Max(7 * 24 * 60).Default(24 * 60).
			Comment("How often the feed is imported, in minutes (5 to 10,080)."),
		field.Bool("full").Default(true).Comment("Each import is the feed's whole content: openings it no longer lists are closed."),
		field.Bool("enabled").Default(true),
		field.Time("last_enqueued_at").Optional().Nillable().
			Comment("When the job queue last started an import of the feed.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Annotations of the FeedSource.
func (FeedSource) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Directives(editorOnly()),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
