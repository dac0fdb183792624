package gqlext

import (
	"fmt"
	"math"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Error codes set in extensions.code of the errors this package returns.
const (
	CodeDepthLimitExceeded       = "DEPTH_LIMIT_EXCEEDED"
	CodeAliasLimitExceeded       = "ALIAS_LIMIT_EXCEEDED"
	CodeRootFieldLimitExceeded   = "ROOT_FIELD_LIMIT_EXCEEDED"
	CodeCostLimitExceeded        = "COST_LIMIT_EXCEEDED"
	CodePersistedQueryNotAllowed = "PERSISTED_QUERY_NOT_ALLOWED"
	CodeTokenLimitExceeded       = "TOKEN_LIMIT_EXCEEDED"
	CodeSelectionLimitExceeded   = "SELECTION_LIMIT_EXCEEDED"
	CodeFilterTooComplex         = "FILTER_TOO_COMPLEX"
)

func init() {
	// Refusals happen before execution, like validation errors, so they get the same HTTP
	// status and websocket treatment (internal/httpserver/transport.go decides the status).
	for _, c := range []string{CodeDepthLimitExceeded, CodeAliasLimitExceeded, CodeRootFieldLimitExceeded,
		CodeCostLimitExceeded, CodePersistedQueryNotAllowed, CodeTokenLimitExceeded, CodeSelectionLimitExceeded,
		CodeFilterTooComplex} {
		errcode.RegisterErrorType(c, errcode.KindProtocol)
	}
}

// Saturated is the value at which depth, alias and cost counts stop growing.
const Saturated = math.MaxInt32

func satAdd(a, b int) int {
	if a >= Saturated-b {
		return Saturated
	}
	return a + b
}

func satMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a >= Saturated/b {
		return Saturated
	}
	return a * b
}

func newError(code, format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{
		Message:    fmt.Sprintf(format, args...),
		Extensions: map[string]any{"code": code},
	}
}

// operationOf returns the operation gqlgen is about to run, or nil if there is none (then
// the executor has already failed the request).
func operationOf(opCtx *graphql.OperationContext) *ast.OperationDefinition {
	if opCtx.Operation != nil {
		return opCtx.Operation
	}
	if opCtx.Doc == nil {
		return nil
	}
	return opCtx.Doc.Operations.ForName(opCtx.OperationName)
}

// fragmentOf resolves a spread to its definition, or nil if the document lacks it.
func fragmentOf(doc *ast.QueryDocument, s *ast.FragmentSpread) *ast.FragmentDefinition {
	if s.Definition != nil {
		return s.Definition
	}
	if doc == nil {
		return nil
	}
	return doc.Fragments.ForName(s.Name)
}

// memo computes one number per fragment once, so that a fragment spread many times (or a
// chain of fragments each spreading the next twice) costs linear time, not exponential.
type memo struct {
	doc      *ast.QueryDocument
	done     map[string]int
	visiting map[string]bool
	// byName indexes doc.Fragments, so that resolving a spread does not scan every fragment
	// (a document of thousands of fragments would make that quadratic).
	byName map[string]*ast.FragmentDefinition
}

func newMemo(doc *ast.QueryDocument) *memo {
	return &memo{doc: doc, done: map[string]int{}, visiting: map[string]bool{}}
}

// fragment returns f(definition's selection set), computed once per fragment name. A
// spread that re-enters a fragment being computed (a cycle) or names a missing fragment
// counts 0.
func (m *memo) fragment(s *ast.FragmentSpread, f func(ast.SelectionSet) int) int {
	if v, ok := m.done[s.Name]; ok {
		return v
	}
	def := s.Definition
	if def == nil && m.doc != nil {
		if m.byName == nil {
			m.byName = make(map[string]*ast.FragmentDefinition, len(m.doc.Fragments))
			for _, f := range m.doc.Fragments {
				if _, dup := m.byName[f.Name]; !dup {
					m.byName[f.Name] = f
				}
			}
		}
		def = m.byName[s.Name]
	}
	if def == nil || m.visiting[s.Name] {
		return 0
	}
	m.visiting[s.Name] = true
	v := f(def.SelectionSet)
	delete(m.visiting, s.Name)
	m.done[s.Name] = v
	return v
}
