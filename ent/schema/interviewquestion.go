package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// InterviewQuestion is an interview-prep question for a role, optionally about one skill.
type InterviewQuestion struct{ ent.Schema }

// Mixin of the InterviewQuestion.
func (InterviewQuestion) Mixin() []ent.Mixin {
	return []ent.Mixin{Timestamps{}, Provenance{}, Versioned{}}
}

// Fields of the InterviewQuestion.
func (InterviewQuestion) Fields() []ent.Field {
	return []ent.Field{
		field.Int("role_id"),
		field.Int("skill_id").Optional().Nillable(),
		field.Enum("kind").Values("TECHNICAL", "SYSTEM_DESIGN", "BEHAVIOURAL"),
		field.Enum("difficulty").Values("EASY", "MEDIUM", "HARD").
			Annotations(entgql.OrderField("DIFFICULTY")),
		field.Int("position").NonNegative().Default(0).
			Annotations(entgql.OrderField("POSITION")).
			Comment("Display order within the role."),
		field.Text("question").NotEmpty(),
		field.Text("answer_notes").Optional().Comment("What a good answer covers."),
	}
}

// Edges of the InterviewQuestion.
func (InterviewQuestion) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("role", Role.Type).Ref("interview_questions").Field("role_id").Unique().Required(),
		edge.From("skill", Skill.Type).Ref("interview_questions").Field("skill_id").Unique(),
	}
}

// Annotations of the InterviewQuestion.
func (InterviewQuestion) Annotations() []schema.Annotation {
	return []schema.Annotation{editable(), entgql.RelayConnection(), CountedPagination{}}
}
