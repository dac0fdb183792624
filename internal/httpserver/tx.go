package httpserver

import (
	"context"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
)

// transactioner is entgql.Transactioner made safe for responses without an operation:
// gqlgen answers a body it cannot decode (a JSON string, say) through the response
// interceptors without an operation context, and entgql's InterceptResponse then panics
// reading it ("missing operation context"), which became an INTERNAL_SERVER_ERROR for a
// malformed request. FuzzQuery found it. Without an operation there is nothing to run in a
// transaction.
type transactioner struct{ entgql.Transactioner }

func (t transactioner) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	return t.Transactioner.InterceptResponse(ctx, next)
}
