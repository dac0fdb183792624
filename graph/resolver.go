// Package graph is the GraphQL layer: gqlgen's generated executor (generated.go) and thin
// resolvers, one file per schema file in schema/. Resolvers translate between GraphQL and ent
// or the domain packages in internal/; they hold no rules of their own.
package graph

import (
	"context"
	"slices"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/auditlog"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/accounts"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/audit"
	"github.com/careergraph/careergraph/internal/changes"
	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/editing"
	"github.com/careergraph/careergraph/internal/insights"
	"github.com/careergraph/careergraph/internal/loader"
	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/search"
)

// Resolver is the root resolver; its dependencies are injected by NewSchema.
type Resolver struct {
	client   *ent.Client
	search   *search.Service
	matcher  *matching.Matcher
	insights *insights.Service
	accounts *accounts.Service
}

// Deps are what the resolvers need.
type Deps struct {
	Client *ent.Client
	// SQL runs the few statements ent cannot build, on the pool beneath Client.
	SQL database.Querier
	// Dialect is dialect.Postgres or dialect.SQLite.
	Dialect string
	// Accounts logs users in and manages tokens.
	Accounts *accounts.Service
	// Matcher ranks openings for profiles; nil builds one whose index builds on first use.
	// The server passes the one whose index it builds at start (see matching.Matcher.Build).
	Matcher *matching.Matcher
}

// NewSchema returns the executable schema, with the @hasRole directive.
func NewSchema(d Deps) graphql.ExecutableSchema {
	matcher := d.Matcher
	if matcher == nil {
		matcher = matching.New(d.Client, d.SQL, d.Dialect)
	}
	return NewExecutableSchema(Config{
		Resolvers: &Resolver{
			client:   d.Client,
			search:   search.New(d.Client, d.SQL, d.Dialect),
			matcher:  matcher,
			insights: insights.New(d.Client, matcher),
			accounts: d.Accounts,
		},
		Directives: DirectiveRoot{HasRole: hasRole},
	})
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

// profileOf translates a GraphQL profile into the matching package's.
func profileOf(p ProfileInput) matching.Profile {
	out := matching.Profile{Skills: p.Skills, ExperienceYears: p.ExperienceYears, City: p.City, WorkModes: p.WorkModes}
	if e := p.ExpectedSalary; e != nil {
		out.ExpectedSalary = &matching.Money{Amount: int64(e.Amount), Currency: e.Currency,
			Monthly: e.Period != nil && *e.Period == opening.SalaryPeriodMONTH}
	}
	return out
}

// matchConnection translates a page of matches into the GraphQL connection.
func matchConnection(p *matching.Page) *OpeningMatchConnection {
	c := &OpeningMatchConnection{TotalCount: p.TotalCount, Edges: make([]*OpeningMatchEdge, len(p.Results))}
	for i, r := range p.Results {
		c.Edges[i] = &OpeningMatchEdge{Cursor: r.Cursor, Node: r}
	}
	c.PageInfo = &entgql.PageInfo[int]{}
	c.PageInfo.HasNextPage = p.HasNextPage
	c.PageInfo.HasPreviousPage = p.HasPrevious
	if n := len(c.Edges); n > 0 {
		c.PageInfo.StartCursor = &c.Edges[0].Cursor
		c.PageInfo.EndCursor = &c.Edges[n-1].Cursor
	}
	return c
}

// db is the client to read and write through: the mutation's transaction when there is one
// (entgql.Transactioner puts it in the context), the shared client otherwise.
func (r *Resolver) db(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return r.client
}

// checked returns a function that runs a domain check on a saved entity, so that a mutation
// reads as one chain: checked(builder.Save(ctx))(editing.Role). A failed check fails the
// mutation and its transaction rolls back.
func checked[T any](v *T, err error) func(check func(*T) error) (*T, error) {
	return func(check func(*T) error) (*T, error) {
		if err != nil {
			return nil, err
		}
		if err := check(v); err != nil {
			return nil, err
		}
		return v, nil
	}
}

// notFoundAs reports a missing referenced entity as NOT_FOUND naming the input field.
func notFoundAs(err error, field string, id int) error {
	if ent.IsNotFound(err) {
		return editing.NotFound(field, id)
	}
	return err
}

// inUse refuses to delete something others still need.
func inUse(field, what string, n int, users, hint string) error {
	return apperr.BadInput(field, "%s: the %s is used by %d %s; remove it from them first (%s)", field, what, n, users, hint)
}

func auditChanges(cs ...changes.Change) []changes.Change { return cs }

// moveItem moves a role item to position to (clamped), closing up the gap it leaves, and
// records the move in the audit log.
func (r *Resolver) moveItem(ctx context.Context, c *ent.Client, item *ent.RoleItem, to int) error {
	o := editing.Items{Client: c, RoleID: item.RoleID, Kind: item.Kind}
	ids, err := o.IDs(ctx)
	if err != nil {
		return err
	}
	ids = editing.Move(ids, item.ID, to)
	if err := o.Set(ctx, ids, 0); err != nil {
		return err
	}
	return audit.Record(ctx, c, auditlog.ActionUPDATE, "RoleItem", item.ID,
		auditChanges(audit.Change("position", item.Position, slices.Index(ids, item.ID))))
}
