package gqlext

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/careergraph/careergraph/internal/apperr"
)

// FilterArgument is the name of the arguments FilterLimits measures: entgql's WhereInputs.
const FilterArgument = "where"

// SkillListFields are the filter fields that name skills by text; each name is looked up, so
// their total over a whole filter is bounded, not the length of each list.
var SkillListFields = map[string]bool{"skillsAllOf": true, "skillsAnyOf": true}

// FilterLimits refuses `where` filters that would build huge SQL: a filter is measured by
// FilterSize and refused with FILTER_TOO_COMPLEX, naming the argument and the path inside it,
// when it has more than MaxTerms terms, nests deeper than MaxDepth, or names more than
// MaxSkills skills in SkillListFields across the whole filter. Each term also adds 1 to the
// operation's cost (see Cost). A zero field means no limit. It runs on the coerced variables,
// so a filter passed as a variable is measured like one written in the document.
type FilterLimits struct {
	MaxTerms  int
	MaxDepth  int
	MaxSkills int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = FilterLimits{}

// ExtensionName implements graphql.HandlerExtension.
func (FilterLimits) ExtensionName() string { return "FilterLimits" }

// Validate implements graphql.HandlerExtension; it refuses negative limits.
func (l FilterLimits) Validate(graphql.ExecutableSchema) error {
	if l.MaxTerms < 0 || l.MaxDepth < 0 || l.MaxSkills < 0 {
		return errors.New("gqlext.FilterLimits: limits must be zero (unlimited) or positive")
	}
	return nil
}

// FilterStats describes one filter value.
type FilterStats struct {
	// Terms counts every field set in every input object and every item of every list.
	Terms int
	// Depth is the deepest nesting of input objects: {a: 1} is 1, {or: [{a: 1}]} is 2.
	Depth int
	// Skills counts the items of SkillListFields lists over the whole filter.
	Skills int
	// DeepestPath and the like name where a limit is first crossed, for the error message.
	deepestPath string
	// emptyPath names the first empty object below the top ({not: {}}, {or: [{}]}), which
	// entgql cannot turn into a predicate; "" when there is none.
	emptyPath string
}

// FilterSize measures a coerced filter value (maps, lists and scalars as gqlgen decodes
// them). The walk visits each value once.
func FilterSize(v any) FilterStats {
	var s FilterStats
	var walk func(v any, depth int, path string)
	walk = func(v any, depth int, path string) {
		switch x := v.(type) {
		case map[string]any:
			depth++
			if len(x) == 0 && depth > 1 && s.emptyPath == "" {
				s.emptyPath = path
			}
			if depth > s.Depth {
				s.Depth, s.deepestPath = depth, path
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys) // deterministic paths in messages
			for _, k := range keys {
				s.Terms = satAdd(s.Terms, 1)
				if l, ok := x[k].([]any); ok && SkillListFields[k] {
					s.Skills = satAdd(s.Skills, len(l))
				}
				walk(x[k], depth, path+"."+k)
			}
		case []any:
			for i, e := range x {
				s.Terms = satAdd(s.Terms, 1)
				switch e.(type) {
				case map[string]any, []any:
					walk(e, depth, fmt.Sprintf("%s[%d]", path, i))
				}
			}
		}
	}
	walk(v, 0, "")
	return s
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (l FilterLimits) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := operationOf(opCtx)
	if op == nil {
		return nil
	}
	var found *gqlerror.Error
	seen := map[string]bool{}
	var check func(set ast.SelectionSet, path ast.Path)
	check = func(set ast.SelectionSet, path ast.Path) {
		for _, sel := range set {
			if found != nil {
				return
			}
			switch s := sel.(type) {
			case *ast.Field:
				key := s.Alias
				if key == "" {
					key = s.Name
				}
				p := append(append(ast.Path{}, path...), ast.PathName(key))
				if arg := s.Arguments.ForName(FilterArgument); arg != nil && arg.Value != nil {
					if v, err := arg.Value.Value(opCtx.Variables); err == nil {
						found = l.check(FilterSize(v), p)
					}
				}
				check(s.SelectionSet, p)
			case *ast.InlineFragment:
				check(s.SelectionSet, path)
			case *ast.FragmentSpread:
				// Variables are operation-wide, so a fragment's filters measure the same
				// wherever it is spread: check each fragment once.
				if seen[s.Name] {
					continue
				}
				seen[s.Name] = true
				if def := fragmentOf(opCtx.Doc, s); def != nil {
					check(def.SelectionSet, path)
				}
			}
		}
	}
	check(op.SelectionSet, nil)
	return found
}

func (l FilterLimits) check(s FilterStats, path ast.Path) *gqlerror.Error {
	var e *gqlerror.Error
	switch {
	case l.MaxTerms > 0 && s.Terms > l.MaxTerms:
		e = newError(CodeFilterTooComplex, "%s.where has %d terms (fields set and list items, counted through and/or/not and has…With), more than the maximum of %d; split the query or narrow the filter",
			path, s.Terms, l.MaxTerms)
		e.Extensions["terms"], e.Extensions["maxTerms"] = s.Terms, l.MaxTerms
	case l.MaxDepth > 0 && s.Depth > l.MaxDepth:
		e = newError(CodeFilterTooComplex, "%s.where is nested %d levels deep (at where%s), more than the maximum of %d",
			path, s.Depth, s.deepestPath, l.MaxDepth)
		e.Extensions["depth"], e.Extensions["maxDepth"] = s.Depth, l.MaxDepth
	case s.emptyPath != "":
		e = newError(apperr.CodeBadUserInput, "%s.where%s is an empty filter; give it at least one field, or leave it out",
			path, s.emptyPath)
	case l.MaxSkills > 0 && s.Skills > l.MaxSkills:
		e = newError(CodeFilterTooComplex, "%s.where names %d skills in %s across the whole filter, more than the maximum of %d",
			path, s.Skills, strings.Join(sortedKeys(SkillListFields), "/"), l.MaxSkills)
		e.Extensions["skills"], e.Extensions["maxSkills"] = s.Skills, l.MaxSkills
	default:
		return nil
	}
	e.Path = path
	e.Extensions["argument"] = FilterArgument
	return e
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
