package gqlext

import (
	"context"
	"errors"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// DocumentLimits bounds a document before gqlparser validates it.
//
// Why it is an OperationParameterMutator: gqlgen parses and validates a document in one step
// (executor.parseQuery) after the parameter mutators and before the operation-context
// mutators, so every other limit in this package (depth, aliases, cost) sees a document only
// after validation has run. Validation is not linear: gqlparser's OverlappingFieldsCanBeMerged
// compares fields that share a response key pairwise, so 20,000 `__typename` in 220 kB cost
// tens of seconds of CPU. Validation rules cannot stop it either, since all rules run in one
// walk. A parameter mutator is the only seam gqlgen offers that runs before validation, so
// DocumentLimits parses the document itself, with the token limit, and counts its selections
// with fragments expanded; only a document within both limits goes on to gqlgen's own parse
// and validation (set the same MaxTokens on the server with SetParserTokenLimit).
//
// The extra parse is linear in the (token-limited) document and happens once per distinct
// document: with Cache set to the server's query cache, a document already there has been
// validated and counted, and is let through without a second look. A document that does not
// parse is left to gqlgen, which reports the syntax error as GRAPHQL_PARSE_FAILED.
//
// Register it after AutomaticPersistedQuery and the allowlist, which fill in the query.
type DocumentLimits struct {
	// MaxTokens is the most lexical tokens (names, punctuation, values) a document may have;
	// more is TOKEN_LIMIT_EXCEEDED. 0: no limit.
	MaxTokens int
	// MaxSelections is the most field selections an operation may have, counted by
	// SelectionCount; more is SELECTION_LIMIT_EXCEEDED. 0: no limit.
	MaxSelections int
	// Cache, when set, is the server's parsed-query cache.
	Cache graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = DocumentLimits{}

// ExtensionName implements graphql.HandlerExtension.
func (DocumentLimits) ExtensionName() string { return "DocumentLimits" }

// Validate implements graphql.HandlerExtension; it refuses negative limits.
func (d DocumentLimits) Validate(graphql.ExecutableSchema) error {
	if d.MaxTokens < 0 || d.MaxSelections < 0 {
		return errors.New("gqlext.DocumentLimits: limits must be zero (unlimited) or positive")
	}
	return nil
}

// MutateOperationParameters implements graphql.OperationParameterMutator.
func (d DocumentLimits) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" || d.MaxTokens == 0 && d.MaxSelections == 0 {
		return nil
	}
	if d.Cache != nil {
		if _, ok := d.Cache.Get(ctx, params.Query); ok {
			return nil
		}
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, d.MaxTokens)
	if err != nil {
		var gerr *gqlerror.Error
		if d.MaxTokens > 0 && errors.As(err, &gerr) && strings.HasPrefix(gerr.Message, "exceeded token limit") {
			e := newError(CodeTokenLimitExceeded,
				"the document has more than %d tokens (names, punctuation and values); send a smaller query",
				d.MaxTokens)
			e.Extensions["maxTokens"] = d.MaxTokens
			return e
		}
		return nil // a syntax error: gqlgen reports it
	}
	if d.MaxSelections == 0 {
		return nil
	}
	for _, op := range doc.Operations {
		if params.OperationName != "" && op.Name != params.OperationName {
			continue
		}
		if n := SelectionCount(doc, op); n > d.MaxSelections {
			e := newError(CodeSelectionLimitExceeded,
				"operation %s selects %d fields (fragments counted where they are spread), more than the maximum of %d; ask for fewer fields",
				opName(op), n, d.MaxSelections)
			e.Extensions["selections"], e.Extensions["maxSelections"] = n, d.MaxSelections
			return e
		}
	}
	return nil
}

func opName(op *ast.OperationDefinition) string {
	if op.Name == "" {
		return "(anonymous)"
	}
	return op.Name
}

// SelectionCount returns the number of field selections in op with every fragment spread
// replaced by its fragment's selections, so a fragment of 10 fields spread 5 times counts 50.
// Inline fragments count nothing themselves; their fields count. Fragments are memoised, so
// the work is linear in the document even when the count is exponential (it saturates at
// Saturated), and a fragment cycle counts 0 (validation refuses it later).
func SelectionCount(doc *ast.QueryDocument, op *ast.OperationDefinition) int {
	m := newMemo(doc)
	var count func(ast.SelectionSet) int
	count = func(set ast.SelectionSet) int {
		n := 0
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				n = satAdd(n, satAdd(1, count(s.SelectionSet)))
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
