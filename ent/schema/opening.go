package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Opening is a job advertised by a company for a role. (source, external_id) identifies it in
// the feed it came from, so that imports are idempotent. An opening without a role is
// unclassified: an imported posting whose title matched no role (internal/titles). It counts in
// no cluster (every per-role query filters by role) and editors classify it by setting roleID.
type Opening struct{ ent.Schema }

// Mixin of the Opening.
func (Opening) Mixin() []ent.Mixin {
	return []ent.Mixin{Timestamps{}, Provenance{}, Versioned{}, PageMeta{}}
}

// Fields of the Opening.
func (Opening) Fields() []ent.Field {
	return []ent.Field{
		field.String("external_id").NotEmpty().MaxLen(200).
			Comment("The opening's id in its source feed."),
		field.String("title").NotEmpty().MaxLen(300).Annotations(entgql.OrderField("TITLE")),
		field.Text("description").Optional().
			Comment("Plain text: what search indexes and pages print without markup."),
		field.Text("description_html").Optional().
			Comment("The posting's HTML description, sanitised (internal/importer: bluemonday's UGC policy); empty when the source gave plain text.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.String("url").Optional().MaxLen(2000).
			Comment("The posting's page on the employer's or the feed's site."),
		field.Strings("applicant_location_requirements").Optional().
			Comment("Where a remote opening's applicants may live, as the feed names it (countries or regions)."),
		field.String("content_hash").Optional().MaxLen(64).
			Comment("SHA-256 of what an import wrote; a re-import with the same hash changes nothing.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("role_id").Optional().Nillable().
			Comment("Null for an unclassified opening."),
		field.Int("company_id"),
		field.Int("location_id").Optional().Nillable().
			Comment("Null for a fully remote opening with no office."),
		field.Enum("work_mode").Values("ONSITE", "HYBRID", "REMOTE"),
		field.Enum("employment_type").Values("FULL_TIME", "PART_TIME", "CONTRACT", "INTERNSHIP").Default("FULL_TIME"),
		field.Int("experience_min_years").NonNegative().Default(0).
			Annotations(entgql.OrderField("EXPERIENCE_MIN_YEARS")),
		field.Int("experience_max_years").Optional().Nillable().NonNegative(),
		field.Int64("salary_min").Optional().Nillable().NonNegative().
			Annotations(entgql.OrderField("SALARY_MIN")),
		field.Int64("salary_max").Optional().Nillable().NonNegative(),
		field.String("salary_currency").Optional().Nillable().MinLen(3).MaxLen(3),
		field.Enum("salary_period").Values("YEAR", "MONTH").Optional().Nillable(),
		field.Time("posted_at").Annotations(entgql.OrderField("POSTED_AT")),
		field.Time("valid_through").Optional().Nillable().Annotations(entgql.OrderField("VALID_THROUGH")),
		field.Enum("status").Values("LIVE", "CLOSED", "EXPIRED").Default("LIVE"),
		field.Int("skill_count").NonNegative().Default(0).
			Comment("How many skills the opening asks for, kept with its skills edge so that matching need not count them.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Text("search_text").Optional().
			Comment("The normalised words full-text search indexes: title, company, city, skills and their synonyms, description. Written by internal/search.Document, never by clients.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the Opening.
func (Opening) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("role", Role.Type).Ref("openings").Field("role_id").Unique(),
		edge.From("company", Company.Type).Ref("openings").Field("company_id").Unique().Required(),
		edge.From("location", Location.Type).Ref("openings").Field("location_id").Unique(),
		edge.To("skills", Skill.Type).Through("skill_links", OpeningSkill.Type).
			Comment("The skills the opening asks for, essential and preferred alike (see skillRequirements)."),
	}
}

// Indexes of the Opening.
func (Opening) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("source", "external_id").Unique(),
		// A role's page of openings and the root list, newest first: the id tie-breaker is in
		// the index so that ORDER BY posted_at DESC, id DESC LIMIT n reads n rows and no sort.
		index.Fields("role_id", "status", "posted_at", "id"),
		index.Fields("status", "posted_at", "id"),
		index.Fields("company_id"),
		index.Fields("location_id"),
		// The match index (internal/matching) catches up on changes in (updated_at, id) order,
		// a page at a time: the id orders the rows of one bulk write, which share a timestamp.
		index.Fields("updated_at", "id"),
		// The expiry sweep (internal/expiry) finds live openings past their validThrough, or
		// without one and posted before the default validity, here instead of reading every
		// opening (at a million: a parallel sequential scan of half a second, twice a sweep,
		// every five minutes, and at a server's start against its match index build). Only
		// what a sweep can expire is indexed: live openings not of the sample source
		// (expiry.SampleSource, whose dates are fixed).
		index.Fields("valid_through", "posted_at").
			Annotations(entsql.IndexWhere("status = 'LIVE' AND source <> 'sample'")),
	}
}

// Annotations of the Opening.
func (Opening) Annotations() []schema.Annotation {
	// The root openings field is declared by hand (schema/search.graphql) for its search argument.
	return []schema.Annotation{editable(), entgql.RelayConnection(), CountedPagination{}}
}
