package gqlext

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// DefaultPage gives every connection field asked for without a page size a page of Size:
// a field whose type is a *Connection and which takes `first` gets `first: Size` when its
// `first` and `last` are both absent or null (after the operation's variables and the
// schema's argument defaults are applied).
//
// Why the operation is rewritten rather than the resolvers' arguments: ent's field
// collection eager-loads nested connections (Skill.openings inside skills) from the
// arguments written in the document, not from the resolver's arguments, so a default set in
// a field middleware would bound the root page but not the nested ones. Rewriting the
// document covers root connections, ent edges, search and match alike, and every later
// extension (page-size check, Cost, the rate limiter's charge) sees and prices the default.
//
// The parsed document is shared through the query cache, so it is never edited in place:
// when a default is needed, the operation and the fragments it reaches are copied for this
// request (a shallow copy of each selection, linear in the document, which DocumentLimits
// has bounded) and the copy replaces opCtx.Doc and opCtx.Operation. Register it before
// Cost and the page-size check.
type DefaultPage struct {
	Size int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = DefaultPage{}

// ExtensionName implements graphql.HandlerExtension.
func (DefaultPage) ExtensionName() string { return "DefaultPage" }

// Validate implements graphql.HandlerExtension.
func (p DefaultPage) Validate(graphql.ExecutableSchema) error {
	if p.Size < 1 {
		return errors.New("gqlext.DefaultPage: Size must be positive")
	}
	return nil
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (p DefaultPage) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := operationOf(opCtx)
	if op == nil || opCtx.Doc == nil {
		return nil
	}
	r := pageRewriter{doc: opCtx.Doc, vars: opCtx.Variables, size: strconv.Itoa(p.Size),
		needs: map[string]bool{}, copies: map[string]*ast.FragmentDefinition{}}
	if !r.need(op.SelectionSet) {
		return nil
	}
	newOp := *op
	newOp.SelectionSet = r.copySet(op.SelectionSet)
	doc := *opCtx.Doc
	doc.Operations = make(ast.OperationList, len(opCtx.Doc.Operations))
	for i, o := range opCtx.Doc.Operations {
		if o == op {
			o = &newOp
		}
		doc.Operations[i] = o
	}
	doc.Fragments = make(ast.FragmentDefinitionList, len(opCtx.Doc.Fragments))
	for i, f := range opCtx.Doc.Fragments {
		if c, ok := r.copies[f.Name]; ok {
			f = c
		}
		doc.Fragments[i] = f
	}
	opCtx.Doc, opCtx.Operation = &doc, &newOp
	return nil
}

// IsConnection reports whether f is a Relay connection field that pages with first/last.
func IsConnection(f *ast.Field) bool {
	return f.Definition != nil && f.Definition.Type != nil &&
		strings.HasSuffix(f.Definition.Type.Name(), "Connection") &&
		f.Definition.Arguments.ForName("first") != nil
}

type pageRewriter struct {
	doc    *ast.QueryDocument
	vars   map[string]any
	size   string
	needs  map[string]bool // per fragment: does it (transitively) need a default?
	copies map[string]*ast.FragmentDefinition
}

func (r *pageRewriter) unpaged(f *ast.Field) bool {
	if !IsConnection(f) {
		return false
	}
	args := f.ArgumentMap(r.vars)
	return args["first"] == nil && args["last"] == nil
}

func (r *pageRewriter) need(set ast.SelectionSet) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if r.unpaged(s) || r.need(s.SelectionSet) {
				return true
			}
		case *ast.InlineFragment:
			if r.need(s.SelectionSet) {
				return true
			}
		case *ast.FragmentSpread:
			v, seen := r.needs[s.Name]
			if !seen {
				r.needs[s.Name] = false // a cycle (refused by validation) counts as no need
				if def := fragmentOf(r.doc, s); def != nil {
					v = r.need(def.SelectionSet)
				}
				r.needs[s.Name] = v
			}
			if v {
				return true
			}
		}
	}
	return false
}

func (r *pageRewriter) copySet(set ast.SelectionSet) ast.SelectionSet {
	if set == nil {
		return nil
	}
	out := make(ast.SelectionSet, len(set))
	for i, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			c := *s
			if r.unpaged(s) {
				c.Arguments = make(ast.ArgumentList, 0, len(s.Arguments)+1)
				for _, a := range s.Arguments {
					if a.Name != "first" { // `first: $v` with $v null
						c.Arguments = append(c.Arguments, a)
					}
				}
				c.Arguments = append(c.Arguments, &ast.Argument{
					Name:     "first",
					Value:    &ast.Value{Kind: ast.IntValue, Raw: r.size, Position: s.Position},
					Position: s.Position,
				})
			}
			c.SelectionSet = r.copySet(s.SelectionSet)
			out[i] = &c
		case *ast.InlineFragment:
			c := *s
			c.SelectionSet = r.copySet(s.SelectionSet)
			out[i] = &c
		case *ast.FragmentSpread:
			c := *s
			c.Definition = r.copyFragment(s)
			out[i] = &c
		default:
			out[i] = sel
		}
	}
	return out
}

func (r *pageRewriter) copyFragment(s *ast.FragmentSpread) *ast.FragmentDefinition {
	name := s.Name
	if c, ok := r.copies[name]; ok {
		return c
	}
	def := fragmentOf(r.doc, s)
	if def == nil {
		return nil
	}
	c := *def
	r.copies[name] = &c // before recursing: a cycle ends here
	c.SelectionSet = r.copySet(def.SelectionSet)
	return &c
}
