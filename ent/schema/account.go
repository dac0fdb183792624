package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/careergraph/careergraph/internal/changes"
)

// adminOnly is the @hasRole(role: ADMIN) directive for personal data (users, tokens, audit).
func adminOnly() entgql.Directive {
	return entgql.NewDirective("hasRole", &ast.Argument{
		Name:  "role",
		Value: &ast.Value{Raw: "ADMIN", Kind: ast.EnumValue},
	})
}

// User is an account of the editing dashboards: ADMIN may do everything, including managing
// users and tokens; EDITOR may edit content. Readers of the public site have no account.
type User struct{ ent.Schema }

// Mixin of the User.
func (User) Mixin() []ent.Mixin { return []ent.Mixin{Timestamps{}} }

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").Unique().NotEmpty().MaxLen(254).
			Comment("Stored lower-cased; the login name.").
			Annotations(entgql.OrderField("EMAIL")),
		field.String("name").Optional().MaxLen(200),
		field.String("password_hash").Sensitive().NotEmpty().
			Comment("argon2id, PHC string format (internal/auth).").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("role").Values("ADMIN", "EDITOR"),
		field.Bool("disabled").Default(false).
			Comment("A disabled user cannot log in and its tokens stop working."),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("tokens", APIToken.Type).Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("audit_logs", AuditLog.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Annotations of the User.
func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Directives(adminOnly()),
		entgql.RelayConnection(),
	}
}

// APIToken is a bearer token: a SESSION token made by login, or a SERVICE token an admin makes
// for a service. Only the SHA-256 of the token is stored (internal/auth).
type APIToken struct{ ent.Schema }

// Fields of the APIToken.
func (APIToken) Fields() []ent.Field {
	return []ent.Field{
		field.String("token_hash").Unique().NotEmpty().Sensitive().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("name").NotEmpty().MaxLen(200).Comment("What the token is for."),
		field.Enum("kind").Values("SESSION", "SERVICE"),
		field.Int("user_id").Immutable(),
		field.Time("created_at").Default(time.Now).Immutable().
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("expires_at").Annotations(entgql.OrderField("EXPIRES_AT")),
		field.Time("revoked_at").Optional().Nillable(),
		field.Time("last_used_at").Optional().Nillable(),
	}
}

// Edges of the APIToken.
func (APIToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("tokens").Field("user_id").Unique().Required().Immutable(),
	}
}

// Indexes of the APIToken.
func (APIToken) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id")}
}

// Annotations of the APIToken.
func (APIToken) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Directives(adminOnly()),
		entgql.RelayConnection(),
	}
}

// AuditLog records one change made through the API: who, what, when, and the changed fields.
type AuditLog struct{ ent.Schema }

// Fields of the AuditLog.
func (AuditLog) Fields() []ent.Field {
	return []ent.Field{
		field.Int("actor_id").Optional().Nillable().Immutable(),
		field.Enum("action").Values("CREATE", "UPDATE", "DELETE").Immutable(),
		field.String("entity_type").NotEmpty().Immutable().
			Comment(`The ent type, such as "Role".`).
			Annotations(entgql.OrderField("ENTITY_TYPE")),
		field.Int("entity_id").Immutable(),
		field.JSON("changes", []changes.Change{}).Optional().Immutable().
			Annotations(entgql.Type("[AuditChange!]")),
		field.String("request_id").Optional().Immutable().
			Comment("The server-generated id of the request (the access log's request_id and the X-Request-Id response header)."),
		field.String("client_request_id").Optional().MaxLen(64).Immutable().
			Comment("The X-Request-Id the client sent, if any (at most 64 characters); the client's to choose, so never trusted as unique."),
		field.Int("token_id").Optional().Nillable().Immutable().
			Comment("The id of the bearer token (session or service APIToken) the change was made with."),
		field.Time("created_at").Default(time.Now).Immutable().
			Annotations(entgql.OrderField("CREATED_AT")),
	}
}

// Edges of the AuditLog.
func (AuditLog) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("actor", User.Type).Ref("audit_logs").Field("actor_id").Unique().Immutable(),
	}
}

// Indexes of the AuditLog.
func (AuditLog) Indexes() []ent.Index {
	return []ent.Index{index.Fields("entity_type", "entity_id"), index.Fields("created_at")}
}

// Annotations of the AuditLog.
func (AuditLog) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Directives(adminOnly()),
		entgql.RelayConnection(),
	}
}
