package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/careergraph/careergraph/internal/rejects"
)

func editorOnly() entgql.Directive {
	return entgql.NewDirective("hasRole", &ast.Argument{
		Name:  "role",
		Value: &ast.Value{Raw: "EDITOR", Kind: ast.EnumValue},
	})
}

// ImportRun is one feed import started through the API (importOpenings) and worked by the job
// queue (internal/jobs): its status, counts, rejects and timings. The job writes it; clients
// only read it.
type ImportRun struct{ ent.Schema }

// Fields of the ImportRun.
func (ImportRun) Fields() []ent.Field {
	return []ent.Field{
		field.String("source").NotEmpty().MaxLen(64).Comment(`The feed's name; its openings have the source "import:<source>".`),
		field.Bool("full").Default(false).Comment("A full import closes the source's openings the feed no longer lists."),
		field.Strings("inputs").Comment("The URLs imported, or the uploaded file's name."),
		field.Enum("status").Values("QUEUED", "RUNNING", "SUCCEEDED", "FAILED").Default("QUEUED").
			Annotations(entgql.OrderField("STATUS")),
		field.Int("read").Default(0).Comment("Records read (postings and unreadable records)."),
		field.Int("created").Default(0),
		field.Int("updated").Default(0),
		field.Int("unchanged").Default(0),
		field.Int("closed").Default(0),
		field.Int("rejected").Default(0),
		field.Int("unclassified").Default(0).Comment("Openings imported without a role."),
		field.JSON("rejects", []rejects.Reject{}).Optional().
			Comment("The first 100 rejected records, with their position and reason.").
			Annotations(entgql.Type("[ImportReject!]")),
		field.String("error").Optional().Nillable().MaxLen(500).Comment("Why the run failed, when it did."),
		field.Int("attempts").Default(0).Comment("How many times the job queue has started the run (retries after failures)."),
		field.Int64("job_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		// The checkpoint: the import has committed every record before record cursor_record
		// of input cursor_input (counts, rejects and openings in the same transaction); a
		// resumed attempt skips to it.
		field.Int("cursor_input").Default(0).Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("cursor_record").Default(0).Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("created_at").Default(time.Now).Immutable().Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("started_at").Optional().Nillable(),
		field.Time("finished_at").Optional().Nillable(),
	}
}

// Indexes of the ImportRun.
func (ImportRun) Indexes() []ent.Index {
	return []ent.Index{index.Fields("created_at")}
}

// Annotations of the ImportRun.
func (ImportRun) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Directives(editorOnly()),
		entgql.RelayConnection(),
	}
}
