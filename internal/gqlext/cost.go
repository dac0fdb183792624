package gqlext

import (
	"context"
	"errors"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/careergraph/careergraph/internal/numconv"
)

// costStatsKey is the name under which Cost records its result in the operation's stats.
const costStatsKey = "Cost"

// Cost computes the cost of each operation in the style of GitHub's GraphQL node limit,
// records it for rate limiting (read it back with CostOf), and refuses operations that cost
// more than Max. Max 0 means no maximum: the cost is still computed and recorded.
//
// The formula, on the operation as written, with fragment spreads and inline fragments
// expanded in place:
//
//	cost(selection set) = sum of cost(field) over its fields
//	cost(field)         = 1 + terms(where) + uploads(field) + multiplier(field) * cost(field's selection set)
//	multiplier(field)   = max(1, first, last)        for a field that takes first/last
//	                    = len(ids)                   for nodes(ids:)
//	                    = ListBound(field)           for any other list of objects
//	                    = 1                          otherwise
//
// where first and last are the field's arguments of those names, resolved against the
// operation's variables, or the schema's default for an argument left out (salaryInsights'
// byCity(first: Int = 10) asked bare multiplies by 10, as it returns up to 10 groups); an
// absent argument without a default, null, zero, negative or non-integer counts as 0, so the
// multiplier is never below 1. A connection asked for without first or last is priced at the
// default page DefaultPage gives it (register DefaultPage before Cost). Plain lists (an
// opening's skills, a role's items) are priced at their documented bound, ListBounds; a
// connection's edges list is already priced by the connection's page size. terms(where) is
// FilterSize(where).Terms for a field with a `where` argument (0 without one): every field set
// and list item of a filter, through and/or/not and has…With, costs 1. uploads(field) is a
// point for each started UploadCostBytes of the files (Upload variables) its arguments carry.
// A leaf field costs 1.
// Directives such as @skip are not
// evaluated, and fields that execution would merge are counted each time they appear, so the
// cost is an upper bound. Costs saturate at Saturated.
//
// For example roles(first: 10) { edges { node { openings(first: 20) { edges { node { id } } } } } }
// costs 631: id 1, node 2, edges 3, openings 1+20*3 = 61, node 62, edges 63, roles 1+10*63.
type Cost struct {
	Max int
}

// CostStats is what Cost records in the operation's stats.
type CostStats struct {
	// Cost is the computed cost of the operation.
	Cost int
	// Max is the configured maximum (0: none).
	Max int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = Cost{}

// ExtensionName implements graphql.HandlerExtension.
func (Cost) ExtensionName() string { return "QueryCost" }

// Validate implements graphql.HandlerExtension; it refuses a negative maximum.
func (c Cost) Validate(graphql.ExecutableSchema) error {
	if c.Max < 0 {
		return errors.New("gqlext.Cost: Max must be zero (unlimited) or positive")
	}
	return nil
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (c Cost) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := operationOf(opCtx)
	if op == nil {
		return nil
	}
	cost := OperationCost(opCtx.Doc, op, opCtx.Variables)
	opCtx.Stats.SetExtension(costStatsKey, CostStats{Cost: cost, Max: c.Max})
	if c.Max > 0 && cost > c.Max {
		err := newError(CodeCostLimitExceeded,
			"operation cost %d exceeds the maximum cost of %d; ask for smaller pages (first/last) or fewer nested connections",
			cost, c.Max)
		err.Extensions["cost"], err.Extensions["maxCost"] = cost, c.Max
		return err
	}
	return nil
}

// CostOf returns the cost Cost recorded for the operation in ctx. ok is false outside an
// operation or when Cost did not run (it is not installed, or runs after the caller).
func CostOf(ctx context.Context) (cost int, ok bool) {
	if !graphql.HasOperationContext(ctx) {
		return 0, false
	}
	s, ok := graphql.GetOperationContext(ctx).Stats.GetExtension(costStatsKey).(CostStats)
	return s.Cost, ok
}

// OperationCost returns the cost of op by the formula documented on Cost. vars are the
// operation's coerced variables (OperationContext.Variables).
func OperationCost(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) int {
	m := newMemo(doc)
	var cost func(ast.SelectionSet) int
	cost = func(set ast.SelectionSet) int {
		total := 0
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				own := 1
				if arg := s.Arguments.ForName(FilterArgument); arg != nil && arg.Value != nil {
					if v, err := arg.Value.Value(vars); err == nil {
						own = satAdd(own, FilterSize(v).Terms)
					}
				}
				own = satAdd(own, uploadCost(s, vars))
				total = satAdd(total, satAdd(own, satMul(Multiplier(s, vars), cost(s.SelectionSet))))
			case *ast.InlineFragment:
				total = satAdd(total, cost(s.SelectionSet))
			case *ast.FragmentSpread:
				// Fragments are memoised: their cost does not depend on where they are spread,
				// because variables are operation-wide.
				total = satAdd(total, m.fragment(s, cost))
			}
		}
		return total
	}
	return cost(op.SelectionSet)
}

// UploadCostBytes is what one point of cost buys of an uploaded file: each started 64 KiB of
// a file (an Upload argument, sent as a GraphQL multipart request) costs a point, so that the
// rate limiter charges a large upload more than a small one (32 MiB: 512 points).
const UploadCostBytes = 64 << 10

// uploadCost is the cost of the files f's arguments carry.
func uploadCost(f *ast.Field, vars map[string]any) int {
	total := 0
	var add func(v any)
	add = func(v any) {
		switch u := v.(type) {
		case graphql.Upload:
			total = satAdd(total, int(min((u.Size+UploadCostBytes-1)/UploadCostBytes, int64(Saturated))))
		case *graphql.Upload:
			if u != nil {
				add(*u)
			}
		case []any:
			for _, x := range u {
				add(x)
			}
		}
	}
	for _, arg := range f.Arguments {
		if arg.Value == nil || arg.Value.Kind != ast.Variable {
			continue // a file can only be sent as a variable
		}
		if v, err := arg.Value.Value(vars); err == nil {
			add(v)
		}
	}
	return total
}

// ListBounds are the documented bounds of plain (unpaged) list fields of objects, by
// "Type.field": how many items one such list can hold, enforced where the list is written
// or computed (see README, Protection). The cost model charges a list at its bound.
var ListBounds = map[string]int{
	"Opening.skills":                   30,
	"OpeningMatch.matchedSkills":       30,
	"OpeningMatch.missingSkills":       30,
	"Opening.skillRequirements":        30,
	"OpeningMatch.matchedRequirements": 30,
	"OpeningMatch.missingRequirements": 30,
	"Skill.members":                    10,
	"Skill.groups":                     10,
	"Role.coreSkills":                  20,
	"Role.responsibilities":            50,
	"Role.requirements":                50,
	"Role.faqs":                        50,
	"Role.careerRoutes":                30,
	"RoleFit.matched":                  20,
	"RoleFit.missing":                  20,
	"RoleSalary.bands":                 10,
	"AuditLog.changes":                 50,
}

// DefaultListBound prices a list of objects that ListBounds does not name.
const DefaultListBound = 100

// ListBound returns the price multiplier of a plain list field f: its ListBounds entry, 1
// for a connection's edges (the connection's page size already multiplies them), or
// DefaultListBound. Fields that are not lists of objects, and the lists of introspection
// types (bounded by the schema, answered from memory), get 1.
func ListBound(f *ast.Field) int {
	if f.Definition == nil || f.Definition.Type == nil || f.Definition.Type.Elem == nil || len(f.SelectionSet) == 0 {
		return 1
	}
	parent := ""
	if f.ObjectDefinition != nil {
		parent = f.ObjectDefinition.Name
	}
	// Introspection lists are as long as the schema is large, served from memory.
	if strings.HasPrefix(parent, "__") || strings.HasSuffix(parent, "Connection") && f.Name == "edges" {
		return 1
	}
	if n, ok := ListBounds[parent+"."+f.Name]; ok {
		return n
	}
	return DefaultListBound
}

// Multiplier returns how many times f's selection set is charged, by the rules on Cost.
func Multiplier(f *ast.Field, vars map[string]any) int {
	if f.Definition != nil && f.Definition.Arguments.ForName("first") == nil && f.Definition.Arguments.ForName("last") == nil {
		if ids := f.Arguments.ForName("ids"); ids != nil && f.Name == "nodes" && ids.Value != nil {
			if v, err := ids.Value.Value(vars); err == nil {
				if l, ok := v.([]any); ok {
					return max(1, min(len(l), Saturated))
				}
			}
			return 1
		}
		return ListBound(f)
	}
	m := 1
	for _, name := range [...]string{"first", "last"} {
		var v any
		if arg := f.Arguments.ForName(name); arg != nil && arg.Value != nil {
			var err error
			if v, err = arg.Value.Value(vars); err != nil {
				continue
			}
		}
		// An argument left out (or given as an absent variable) takes the schema's default,
		// as execution does: byCity(first: Int = 10) costs ten children when asked bare.
		if v == nil && f.Definition != nil {
			if d := f.Definition.Arguments.ForName(name); d != nil && d.DefaultValue != nil {
				v, _ = d.DefaultValue.Value(nil)
			}
		}
		if n, ok := toInt(v); ok {
			m = max(m, n)
		}
	}
	return m
}

// toInt converts an argument value to an int in [0, Saturated] (numconv reads the number).
func toInt(v any) (int, bool) {
	n, ok := numconv.Int64(v)
	if !ok {
		return 0, false
	}
	return int(max(min(n, Saturated), 0)), true
}
