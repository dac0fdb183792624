package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/careergraph/careergraph/ent/apitoken"
	"github.com/careergraph/careergraph/ent/auditlog"
	"github.com/careergraph/careergraph/ent/user"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/viewer"
)

// hasRole implements @hasRole(role:), the one place authorization is enforced: anonymous
// callers get UNAUTHENTICATED, signed-in callers below the role FORBIDDEN. ADMIN satisfies
// EDITOR.
func hasRole(ctx context.Context, _ any, next graphql.Resolver, role user.Role) (any, error) {
	if err := require(ctx, string(role)); err != nil {
		return nil, err
	}
	return next(ctx)
}

func require(ctx context.Context, role string) error {
	v := viewer.From(ctx)
	if !v.SignedIn() {
		return &apperr.Error{Code: apperr.CodeUnauthorized,
			Message: "sign in first: send Authorization: Bearer <token> (from login or an admin-issued API token)"}
	}
	if !v.Has(role) {
		return &apperr.Error{Code: apperr.CodeForbidden, Message: "this needs the " + role + " role"}
	}
	return nil
}

// visibleTables returns which node tables node(id:) and nodes(ids:) may read for the caller:
// users, API tokens and audit logs are personal data only admins see (their connections
// carry @hasRole(role: ADMIN) in the schema). For anyone else an ID of those types answers
// null, exactly like an ID that names nothing, and runs no statement, so neither the answer
// nor the work done tells whether it exists.
func visibleTables(ctx context.Context) func(table string) bool {
	if v := viewer.From(ctx); v.SignedIn() && v.Has(viewer.RoleAdmin) {
		return nil
	}
	return func(table string) bool {
		switch table {
		case user.Table, apitoken.Table, auditlog.Table:
			return false
		}
		return true
	}
}
