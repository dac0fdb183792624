package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// ImportUpload is a feed document uploaded through the API (importUpload), kept in the
// database while its import runs so that the import job can resume it after a crash or a
// restart, on whichever worker picks the job up. It is deleted when its run ends (SUCCEEDED
// or FAILED). Its size is bounded by MAX_UPLOAD_BYTES. Not in the API.
type ImportUpload struct{ ent.Schema }

// Fields of the ImportUpload.
func (ImportUpload) Fields() []ent.Field {
	return []ent.Field{
		field.Int("run_id").Unique().Immutable().Comment("The ImportRun that imports the document."),
		field.String("name").NotEmpty().MaxLen(300).Immutable().Comment("The uploaded file's name, as rejects name it."),
		field.String("format").MaxLen(16).Immutable().Comment("importer.Format: auto, json, jsonl or html."),
		field.Bytes("content").Immutable(),
		field.Time("created_at").Default(time.Now).Immutable(),
	}
}

// Annotations of the ImportUpload.
func (ImportUpload) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
