// Package graph is the GraphQL layer: gqlgen's generated executor (generated.go) and thin
// resolvers, one file per schema file in schema/. Resolvers translate between GraphQL and ent
// or the domain packages in internal/; they hold no rules of their own.
package graph

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/accounts"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/cv"
	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/insights"
	"github.com/careergraph/careergraph/internal/jobs"
	"github.com/careergraph/careergraph/internal/live"
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
	jobs     *jobs.Inserter
	live     *live.Hub
}

// Deps are what the resolvers need.
type Deps struct {
	Client *ent.Client
	// SQL runs the few statements ent cannot build, on the pool beneath Client.
	SQL database.Querier
	// Pool is the pool itself, for the job queue's inserts (River needs a *sql.DB); nil
	// takes SQL when it is one.
	Pool *sql.DB
	// Dialect is dialect.Postgres or dialect.SQLite.
	Dialect string
	// Accounts logs users in and manages tokens.
	Accounts *accounts.Service
	// Matcher ranks openings for profiles; nil builds one whose index builds on first use.
	// The server passes the one whose index it builds at start (see matching.Matcher.Build).
	Matcher *matching.Matcher
	// Live serves the subscriptions; nil answers them with an error (live updates off).
	Live *live.Hub
}

// NewSchema returns the executable schema, with the @hasRole directive.
func NewSchema(d Deps) graphql.ExecutableSchema {
	matcher := d.Matcher
	if matcher == nil {
		matcher = matching.New(d.Client, d.SQL, d.Dialect)
	}
	if d.Pool == nil {
		d.Pool, _ = d.SQL.(*sql.DB)
	}
	return NewExecutableSchema(Config{
		Resolvers: &Resolver{
			client:   d.Client,
			search:   search.New(d.Client, d.SQL, d.Dialect),
			matcher:  matcher,
			insights: insights.New(d.Client, matcher),
			accounts: d.Accounts,
			jobs:     jobs.NewInserter(d.Client, d.Pool, d.Dialect),
			live:     d.Live,
		},
		Directives: DirectiveRoot{HasRole: hasRole},
	})
}

// errLiveOff answers a subscription on a server built without live updates (tests).
var errLiveOff = errors.New("live updates are not enabled on this server")

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
// profileOf merges a profile's explicit fields with what its cvText implies (internal/cv):
// explicit fields win; the CV's skills follow the explicit ones (the first
// matching.MaxProfileSkills are kept); its years and city fill in what is missing. Without
// cvText, nothing is read. The CV is not kept: only the merged profile leaves this function.
func profileOf(ctx context.Context, client *ent.Client, p ProfileInput) (matching.Profile, error) {
	out := matching.Profile{Skills: p.Skills, City: p.City, WorkModes: p.WorkModes}
	years := p.ExperienceYears
	if p.CvText != nil {
		c, err := cv.Read(ctx, client, *p.CvText, "profile.cvText", time.Now())
		if err != nil {
			return out, err
		}
		for _, s := range c.Skills {
			if len(out.Skills) >= matching.MaxProfileSkills {
				break
			}
			if !slices.Contains(out.Skills, s.Name) {
				out.Skills = append(out.Skills, s.Name)
			}
		}
		if years == nil {
			years = c.ExperienceYears
		}
		if out.City == nil && c.City != nil {
			out.City = &c.City.City
		}
	}
	if years == nil {
		return out, apperr.BadInput("profile.experienceYears", "profile.experienceYears is missing: send whole years from 0 to 60, or a cvText that states them")
	}
	out.ExperienceYears = *years
	if e := p.ExpectedSalary; e != nil {
		out.ExpectedSalary = &matching.Money{Amount: int64(e.Amount), Currency: e.Currency,
			Monthly: e.Period != nil && *e.Period == opening.SalaryPeriodMONTH}
	}
	return out, nil
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

// groupsFirst is a salary grouping's first argument with its schema default (10) applied.
func groupsFirst(first *int) int {
	if first == nil {
		return 10
	}
	return *first
}
