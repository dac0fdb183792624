// Package graph is the GraphQL layer: gqlgen's generated executor (generated.go) and thin
// resolvers, one file per schema file in schema/. Resolvers translate between GraphQL and ent
// or the domain packages in internal/; they hold no rules of their own.
package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/careergraph/careergraph/ent"
)

// Resolver is the root resolver; its dependencies are injected by NewSchema.
type Resolver struct {
	client *ent.Client
}

// NewSchema returns the executable schema over client.
func NewSchema(client *ent.Client) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{Resolvers: &Resolver{client: client}})
}

// nilIfNotFound turns a lookup that found nothing into null without an error: an unknown slug
// is an answer, not a failure.
func nilIfNotFound[T any](v *T, err error) (*T, error) {
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return v, err
}
