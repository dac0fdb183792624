package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/careergraph/careergraph/ent"
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

// private reports whether n is personal data that node(id:) and nodes(ids:) may show only to
// admins; the connections of these types carry @hasRole(role: ADMIN) in the schema.
func private(n ent.Noder) bool {
	switch n.(type) {
	case *ent.User, *ent.APIToken, *ent.AuditLog:
		return true
	}
	return false
}
