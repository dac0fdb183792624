package gqlext

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Limits refuses operations whose shape alone makes them expensive, whatever their page
// sizes: deep nesting multiplies joins and resolver calls, aliases repeat a field many times
// in one request, and many root fields fan out into many independent queries. A zero field
// means no limit. Checks run in the order root fields, aliases, depth; the first one exceeded
// is reported.
//
// How each is counted, with fragment spreads and inline fragments expanded:
//   - Depth: the number of fields on the longest path from the root, so { a } is 1 and
//     { a { b } } is 2. Fragments add no level of their own. Introspection fields
//     (__schema, __type, __typename) count like any other field, so the standard full
//     introspection query (gqlgen's introspection.Query, as GraphiQL sends it) has depth 15:
//     a lower MaxDepth refuses it wherever introspection is enabled.
//   - Aliases: the number of field selections whose alias differs from the field name,
//     counting a fragment's aliases once per spread.
//   - Root fields: the number of distinct response keys (alias, or name) at the root of the
//     operation; selections that merge into one key count once.
type Limits struct {
	MaxDepth      int
	MaxAliases    int
	MaxRootFields int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = Limits{}

// ExtensionName implements graphql.HandlerExtension.
func (Limits) ExtensionName() string { return "QueryLimits" }

// Validate implements graphql.HandlerExtension; it refuses negative limits.
func (l Limits) Validate(graphql.ExecutableSchema) error {
	if l.MaxDepth < 0 || l.MaxAliases < 0 || l.MaxRootFields < 0 {
		return errors.New("gqlext.Limits: limits must be zero (unlimited) or positive")
	}
	return nil
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (l Limits) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := operationOf(opCtx)
	if op == nil {
		return nil
	}
	if l.MaxRootFields > 0 {
		if n := RootFieldCount(opCtx.Doc, op); n > l.MaxRootFields {
			err := newError(CodeRootFieldLimitExceeded,
				"operation selects %d root fields, more than the maximum of %d root fields per operation; split it into several operations",
				n, l.MaxRootFields)
			err.Extensions["rootFields"], err.Extensions["maxRootFields"] = n, l.MaxRootFields
			return err
		}
	}
	if l.MaxAliases > 0 {
		if n := AliasCount(opCtx.Doc, op); n > l.MaxAliases {
			err := newError(CodeAliasLimitExceeded,
				"operation uses %d aliased fields, more than the maximum of %d aliases per operation",
				n, l.MaxAliases)
			err.Extensions["aliases"], err.Extensions["maxAliases"] = n, l.MaxAliases
			return err
		}
	}
	if l.MaxDepth > 0 {
		if n := Depth(opCtx.Doc, op); n > l.MaxDepth {
			err := newError(CodeDepthLimitExceeded,
				"operation is nested %d levels deep, more than the maximum depth of %d; ask for less deeply nested data",
				n, l.MaxDepth)
			err.Extensions["depth"], err.Extensions["maxDepth"] = n, l.MaxDepth
			return err
		}
	}
	return nil
}

// Depth returns the nesting depth of op as Limits counts it.
func Depth(doc *ast.QueryDocument, op *ast.OperationDefinition) int {
	m := newMemo(doc)
	var depth func(ast.SelectionSet) int
	depth = func(set ast.SelectionSet) int {
		deepest := 0
		for _, sel := range set {
			var d int
			switch s := sel.(type) {
			case *ast.Field:
				d = satAdd(1, depth(s.SelectionSet))
			case *ast.InlineFragment:
				d = depth(s.SelectionSet)
			case *ast.FragmentSpread:
				d = m.fragment(s, depth)
			}
			deepest = max(deepest, d)
		}
		return deepest
	}
	return depth(op.SelectionSet)
}

// AliasCount returns the number of aliased field selections in op as Limits counts them.
func AliasCount(doc *ast.QueryDocument, op *ast.OperationDefinition) int {
	m := newMemo(doc)
	var count func(ast.SelectionSet) int
	count = func(set ast.SelectionSet) int {
		n := 0
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if s.Alias != "" && s.Alias != s.Name {
					n = satAdd(n, 1)
				}
				n = satAdd(n, count(s.SelectionSet))
			case *ast.InlineFragment:
				n = satAdd(n, count(s.SelectionSet))
			case *ast.FragmentSpread:
				n = satAdd(n, m.fragment(s, count))
			}
		}
		return n
	}
	return count(op.SelectionSet)
}

// RootFieldCount returns the number of distinct response keys at the root of op.
func RootFieldCount(doc *ast.QueryDocument, op *ast.OperationDefinition) int {
	keys := map[string]bool{}
	seen := map[string]bool{}
	var collect func(ast.SelectionSet)
	collect = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				key := s.Alias
				if key == "" {
					key = s.Name
				}
				keys[key] = true
			case *ast.InlineFragment:
				collect(s.SelectionSet)
			case *ast.FragmentSpread:
				// Spreading a fragment twice adds no new keys.
				if seen[s.Name] {
					continue
				}
				seen[s.Name] = true
				if def := fragmentOf(doc, s); def != nil {
					collect(def.SelectionSet)
				}
			}
		}
	}
	collect(op.SelectionSet)
	return len(keys)
}
