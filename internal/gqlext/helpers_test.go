package gqlext

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

const testSDL = `
type Query {
  viewer: User
  role(id: ID!): Role
  roles(first: Int, last: Int, after: String): RoleConnection!
  node(id: ID!): Node
  groups(first: Int = 10): [Group!]!
}
type Group { name: String! }
interface Node { id: ID! }
type User implements Node {
  id: ID!
  name: String!
  friends(first: Int, last: Int): UserConnection!
}
type UserConnection { edges: [UserEdge!]! totalCount: Int! }
type UserEdge { node: User! cursor: String! }
type Role implements Node {
  id: ID!
  title: String!
  openings(first: Int, last: Int): OpeningConnection!
}
type RoleConnection { edges: [RoleEdge!]! pageInfo: PageInfo! totalCount: Int! }
type RoleEdge { node: Role! cursor: String! }
type OpeningConnection { edges: [OpeningEdge!]! totalCount: Int! }
type OpeningEdge { node: Opening! }
type Opening implements Node { id: ID! title: String! role: Role! }
type PageInfo { hasNextPage: Boolean! endCursor: String }
`

var testSchema = gqlparser.MustLoadSchema(&ast.Source{Name: "test.graphql", Input: testSDL})

// opCtx parses and validates query against the test schema and builds the operation context
// gqlgen would hand to OperationContextMutators.
func opCtx(t *testing.T, query string, vars map[string]any) *graphql.OperationContext {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(testSchema, query)
	require.Empty(t, errs, "test query must be valid")
	op := doc.Operations.ForName("")
	require.NotNil(t, op)
	coerced, err := validator.VariableValues(testSchema, op, vars)
	require.NoError(t, err)
	return &graphql.OperationContext{RawQuery: query, Doc: doc, Operation: op, Variables: coerced}
}

// parsedOnly builds an operation context from a document that is parsed but not validated,
// for shapes that validation itself would take too long on or would reject.
func parsedOnly(t *testing.T, query string) *graphql.OperationContext {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	require.NoError(t, err)
	return &graphql.OperationContext{RawQuery: query, Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{}}
}
