package schema

import (
	"regexp"

	"entgo.io/contrib/entgql"
)

// slugPattern is the shape of every slug: lower-case words joined by single hyphens.
var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// sourceNamePattern is what a feed name may be (internal/importer: Options.Source).
var sourceNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,56}$`)

// editable makes entgql generate Create<X>Input and Update<X>Input for a content type; the
// Mutation type itself is hand-written (schema/mutation.graphql).
func editable() entgql.Annotation {
	return entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate())
}

// notInInputs keeps a field or edge out of the mutation inputs: derived, hidden or owned by
// the other side, it is not the client's to set.
var notInInputs = entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)

// hiddenEdge is an edge kept out of the GraphQL type (read through loaders instead) and out of
// the mutation inputs.
var hiddenEdge = entgql.Skip(entgql.SkipType, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)

// fixedAfterCreate can be set when creating but not changed afterwards.
var fixedAfterCreate = entgql.Skip(entgql.SkipMutationUpdateInput)
