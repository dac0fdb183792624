package httpserver

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/numconv"
)

// MaxPageSize caps first and last on every field that takes them.
const MaxPageSize = 100

// DefaultPageSize is the page a connection gets when neither first nor last is given
// (gqlext.DefaultPage); the cost charges it.
const DefaultPageSize = 20

// MaxNodeIDs caps nodes(ids:); each ID is charged like a field of its own.
const MaxNodeIDs = 100

// MaxFilterSkills caps the skill names (skillsAllOf plus skillsAnyOf) in one `where`, over the
// whole filter including and/or/not, as each name is looked up.
const MaxFilterSkills = 50

// pageSize rejects an operation in which any list is asked for more than MaxPageSize items, or
// for a negative number, or with first and last together, or nodes(ids:) with more than
// MaxNodeIDs IDs. It checks the whole document before
// anything runs, so that no eager load fetches a thousand rows only to be refused.
type pageSize struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = pageSize{}

func (pageSize) ExtensionName() string                   { return "PageSizeLimit" }
func (pageSize) Validate(graphql.ExecutableSchema) error { return nil }
func (pageSize) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	op := oc.Doc.Operations.ForName(oc.OperationName)
	if op == nil {
		return nil
	}
	return checkPageSizes(op.SelectionSet, oc.Variables, ast.Path{})
}

func checkPageSizes(set ast.SelectionSet, vars map[string]any, path ast.Path) *gqlerror.Error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			p := append(append(ast.Path{}, path...), ast.PathName(s.Alias))
			var first, last *int64
			if arg := s.Arguments.ForName("ids"); s.Name == "nodes" && arg != nil && arg.Value != nil {
				if v, err := arg.Value.Value(vars); err == nil {
					if l, ok := v.([]any); ok && len(l) > MaxNodeIDs {
						return pageErr(p, "ids", fmt.Sprintf("ids: %d IDs is too many: ask for at most %d per request", len(l), MaxNodeIDs))
					}
				}
			}
			for _, arg := range s.Arguments {
				if arg.Name != "first" && arg.Name != "last" {
					continue
				}
				v, err := arg.Value.Value(vars)
				if err != nil || v == nil {
					continue
				}
				n, ok := numconv.Int64(v)
				if !ok {
					continue
				}
				if n < 0 || n > MaxPageSize {
					return pageErr(p, arg.Name, fmt.Sprintf(
						"%s: %d is out of range: ask for 0 to %d items and page with after: pageInfo.endCursor (before: pageInfo.startCursor for last)",
						arg.Name, n, MaxPageSize))
				}
				if arg.Name == "first" {
					first = &n
				} else {
					last = &n
				}
			}
			if first != nil && last != nil {
				return pageErr(p, "first", "first and last cannot be used together: send first (with after) to page forwards or last (with before) to page backwards")
			}
			if err := checkPageSizes(s.SelectionSet, vars, p); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := checkPageSizes(s.SelectionSet, vars, path); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if s.Definition != nil {
				if err := checkPageSizes(s.Definition.SelectionSet, vars, path); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func pageErr(path ast.Path, arg, msg string) *gqlerror.Error {
	return &gqlerror.Error{
		Message:    msg,
		Path:       path,
		Extensions: map[string]any{"code": apperr.CodeBadUserInput, "argument": arg},
	}
}
