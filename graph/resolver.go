// Package graph is the GraphQL layer: gqlgen's generated executor (generated.go) and thin
// resolvers, one file per schema file in schema/. Resolvers translate between GraphQL and ent
// or the domain packages in internal/; they hold no rules of their own.
package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/internal/loader"
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

// primeRoles batch-loads the per-role fields that the current field selects for each role in
// roles (path leads from the current field to the role objects, such as "edges", "node"), so
// that a list of roles costs a fixed number of statements (see loader.Prime).
func primeRoles(ctx context.Context, roles []*ent.Role, path ...string) error {
	if len(roles) < 2 || graphql.GetFieldContext(ctx) == nil {
		return nil
	}
	oc := graphql.GetOperationContext(ctx)
	fields := graphql.CollectFieldsCtx(ctx, nil)
	for _, name := range path {
		var next []graphql.CollectedField
		for _, f := range fields {
			if f.Name == name {
				next = append(next, graphql.CollectFields(oc, f.Selections, []string{"Role", "Node"})...)
			}
		}
		fields = next
	}
	var sel loader.Selection
	for _, f := range fields {
		switch f.Name {
		case "coreSkills":
			sel.CoreSkills = true
			for _, m := range graphql.CollectFields(oc, f.Selections, []string{"Skill", "Node"}) {
				if m.Name == "members" {
					sel.MemberAliases = append(sel.MemberAliases, m.Alias)
				}
			}
		case "responsibilities", "requirements", "faqs":
			sel.Items = true
		case "salary":
			if c, ok := f.ArgumentMap(oc.Variables)["country"].(string); ok {
				sel.SalaryCountries = append(sel.SalaryCountries, c)
			}
		case "careerRoutes":
			sel.Routes = true
		}
	}
	ids := make([]int, len(roles))
	for i, r := range roles {
		ids[i] = r.ID
	}
	return loader.For(ctx).Prime(ctx, ids, sel)
}
