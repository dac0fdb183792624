// Package graph is the GraphQL layer: gqlgen's generated executor (generated.go) and thin
// resolvers, one file per schema file in schema/. Resolvers translate between GraphQL and ent
// or the domain packages in internal/; they hold no rules of their own.
package graph

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/accounts"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/cluster"
	"github.com/careergraph/careergraph/internal/cv"
	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/insights"
	"github.com/careergraph/careergraph/internal/jobs"
	"github.com/careergraph/careergraph/internal/live"
	"github.com/careergraph/careergraph/internal/loader"
	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/rolesearch"
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
func (r *Resolver) primeRoles(ctx context.Context, roles []*ent.Role, path ...string) error {
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
	var updated bool
	var related []int
	var payCountries []string
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
		case "clusterUpdatedAt":
			updated = true
		case "relatedRoles":
			switch n := f.ArgumentMap(oc.Variables)["first"].(type) {
			case int64:
				related = append(related, int(n))
			case int:
				related = append(related, n)
			case nil:
				related = append(related, defaultRelated)
			}
		case "seo":
			// The role's head reads its core skills, responsibilities, requirements, salary
			// records and pay (Role.seo).
			c := "IN"
			if v, ok := f.ArgumentMap(oc.Variables)["country"].(string); ok {
				c = v
			}
			c = strings.ToUpper(strings.TrimSpace(c))
			sel.CoreSkills, sel.Items = true, true
			sel.SalaryCountries = append(sel.SalaryCountries, c)
			payCountries = append(payCountries, c)
		}
	}
	ids := make([]int, len(roles))
	for i, r := range roles {
		ids[i] = r.ID
	}
	l := loader.For(ctx)
	if err := l.Prime(ctx, ids, sel); err != nil {
		return err
	}
	if updated {
		m, err := cluster.UpdatedAtMany(ctx, r.client, roles)
		if err != nil {
			return err
		}
		for id, t := range m {
			l.Remember(updatedKey{id}, t)
		}
	}
	slices.Sort(related)
	for _, n := range slices.Compact(related) {
		m, err := rolesearch.RelatedRolesMany(ctx, r.client, ids, n)
		if err != nil {
			continue // an out-of-range first: each field reports it
		}
		for id, rel := range m {
			l.Remember(relatedKey{id, n}, rel)
		}
	}
	slices.Sort(payCountries)
	for _, c := range slices.Compact(payCountries) {
		m, err := r.insights.RolesPay(ctx, ids, c)
		if err != nil {
			continue // a malformed country: each field reports it
		}
		for _, id := range ids {
			l.Remember(payKey{id, c}, m[id])
		}
	}
	return nil
}

// defaultRelated is relatedRoles' first when the client leaves it out.
const defaultRelated = 5

// Keys of the per-role values a list of roles computes at once (Resolver.primeRoles).
type (
	updatedKey struct{ role int }
	relatedKey struct{ role, first int }
	payKey     struct {
		role    int
		country string
	}
)

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

// siblingOpenings returns the IDs of the openings in the list that the opening being resolved
// in ctx is part of (a connection's edges, a plain list, a page of matches), found by walking
// up the field contexts to the nearest list result; nil outside a list.
func siblingOpenings(ctx context.Context) []int {
	for fc, depth := graphql.GetFieldContext(ctx), 0; fc != nil && depth < 8; fc, depth = fc.Parent, depth+1 {
		var ids []int
		switch v := fc.Result.(type) {
		case []*ent.Opening:
			for _, o := range v {
				ids = append(ids, o.ID)
			}
		case []*ent.OpeningEdge:
			for _, e := range v {
				if e != nil && e.Node != nil {
					ids = append(ids, e.Node.ID)
				}
			}
		case []*OpeningMatchEdge:
			for _, e := range v {
				if e != nil && e.Node != nil && e.Node.Opening != nil {
					ids = append(ids, e.Node.Opening.ID)
				}
			}
		default:
			continue
		}
		return ids
	}
	return nil
}
