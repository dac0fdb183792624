// Package loader batches the per-role reads of a cluster page (core skills, page items, salary
// records, career routes) with request-scoped dataloaders, so that a page costs the same number
// of statements for one role or a hundred.
package loader

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/careerroute"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/roleitem"
	"github.com/careergraph/careergraph/ent/roleskill"
	"github.com/careergraph/careergraph/ent/salaryrecord"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/skills"
)

// wait is how long a loader gathers keys before it queries. Sibling resolvers start within
// microseconds of each other; two milliseconds batch them, even on a busy machine, without
// adding noticeable latency. A key asked for again is served from the loader's cache.
const wait = 2 * time.Millisecond

// SalaryKey selects a role's salary records in one country.
type SalaryKey struct {
	RoleID  int
	Country string
}

// Loaders are one request's batch loaders. Build a fresh set per operation (see Middleware):
// they cache what they load.
//
// Inside a mutation, entgql.Transactioner puts the transaction's client in the context
// (ent.FromContext); For then hands out a second set built over that client, made on first
// use, so that a mutation's payload (createRoleSkill { role { coreSkills } }) reads what the
// transaction wrote rather than the state before it. The two sets never share a cache.
type Loaders struct {
	client     *ent.Client
	txMu       sync.Mutex
	tx         map[*ent.Client]*Loaders
	vocabOnce  sync.Once
	vocab      *skills.Vocabulary
	vocabErr   error
	coreSkills *dataloadgen.Loader[int, []*ent.Skill]
	items      *dataloadgen.Loader[int, []*ent.RoleItem]
	salary     *dataloadgen.Loader[SalaryKey, []*ent.SalaryRecord]
	routes     *dataloadgen.Loader[int, []*ent.CareerRoute]

	estMu     sync.Mutex
	estimated map[any]bool

	reqs   requirements
	extras inputExtras
	memo   memo
}

// MarkEstimated records that a connection resolved in this operation carries an estimated
// totalCount (see search.Service.Search), for its totalCountIsExact field.
func (l *Loaders) MarkEstimated(conn any) {
	l.estMu.Lock()
	defer l.estMu.Unlock()
	if l.estimated == nil {
		l.estimated = map[any]bool{}
	}
	l.estimated[conn] = true
}

// Estimated reports whether MarkEstimated recorded conn.
func (l *Loaders) Estimated(conn any) bool {
	l.estMu.Lock()
	defer l.estMu.Unlock()
	return l.estimated[conn]
}

// New builds a request's loaders over client.
func New(client *ent.Client) *Loaders {
	return &Loaders{
		client: client,
		coreSkills: dataloadgen.NewLoader(grouped(func(ctx context.Context, ids []int) (map[int][]*ent.Skill, error) {
			// The batch runs with the context of the first coreSkills field that asked.
			return coreSkills(ctx, client, ids, memberAliases(ctx))
		}), dataloadgen.WithWait(wait)),
		items: dataloadgen.NewLoader(grouped(func(ctx context.Context, ids []int) (map[int][]*ent.RoleItem, error) {
			return roleItems(ctx, client, ids)
		}), dataloadgen.WithWait(wait)),
		salary: dataloadgen.NewLoader(grouped(func(ctx context.Context, keys []SalaryKey) (map[SalaryKey][]*ent.SalaryRecord, error) {
			return salaryRecords(ctx, client, keys)
		}), dataloadgen.WithWait(wait)),
		routes: dataloadgen.NewLoader(grouped(func(ctx context.Context, ids []int) (map[int][]*ent.CareerRoute, error) {
			return careerRoutes(ctx, client, ids)
		}), dataloadgen.WithWait(wait)),
	}
}

type ctxKey struct{}

// WithLoaders returns ctx carrying l.
func WithLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the loaders in ctx, over the transaction's client when ctx carries one (see
// Loaders). It panics when there are none: that is a wiring bug, caught by every test that
// goes through the handler.
func For(ctx context.Context) *Loaders {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		panic("loader: no loaders in context; wrap the handler with loader.Middleware")
	}
	if c := ent.FromContext(ctx); c != nil && c != l.client {
		return l.over(c)
	}
	return l
}

// over returns the loaders over client c, building them on first use.
func (l *Loaders) over(c *ent.Client) *Loaders {
	l.txMu.Lock()
	defer l.txMu.Unlock()
	if tl, ok := l.tx[c]; ok {
		return tl
	}
	if l.tx == nil {
		l.tx = map[*ent.Client]*Loaders{}
	}
	tl := New(c)
	l.tx[c] = tl
	return tl
}

// Vocabulary returns the skill vocabulary, read once per request.
func (l *Loaders) Vocabulary(ctx context.Context) (*skills.Vocabulary, error) {
	l.vocabOnce.Do(func() { l.vocab, l.vocabErr = skills.Load(ctx, l.client) })
	return l.vocab, l.vocabErr
}

// CoreSkills returns a role's core skills in rank order, each with its members loaded.
func (l *Loaders) CoreSkills(ctx context.Context, roleID int) ([]*ent.Skill, error) {
	return l.coreSkills.Load(ctx, roleID)
}

// Items returns a role's responsibilities, requirements and FAQs of one kind, in order.
func (l *Loaders) Items(ctx context.Context, roleID int, kind roleitem.Kind) ([]*ent.RoleItem, error) {
	all, err := l.items.Load(ctx, roleID)
	if err != nil {
		return nil, err
	}
	out := make([]*ent.RoleItem, 0, len(all))
	for _, it := range all {
		if it.Kind == kind {
			out = append(out, it)
		}
	}
	return out, nil
}

// Salary returns a role's country-wide salary records for a country (no city, company or skill).
func (l *Loaders) Salary(ctx context.Context, roleID int, country string) ([]*ent.SalaryRecord, error) {
	return l.salary.Load(ctx, SalaryKey{RoleID: roleID, Country: strings.ToUpper(country)})
}

// CareerRoutes returns the routes into and out of a role, with both ends loaded, ENTRY first,
// then PROGRESSION, then LATERAL, each by the other role's title.
func (l *Loaders) CareerRoutes(ctx context.Context, roleID int) ([]*ent.CareerRoute, error) {
	return l.routes.Load(ctx, roleID)
}

// grouped adapts a fetch that returns a map to dataloadgen's positional results; a key with no
// rows gets an empty list, not an error.
func grouped[K comparable, V any](fetch func(context.Context, []K) (map[K][]V, error)) func(context.Context, []K) ([][]V, []error) {
	return func(ctx context.Context, keys []K) ([][]V, []error) {
		m, err := fetch(ctx, keys)
		out := make([][]V, len(keys))
		errs := make([]error, len(keys))
		for i, k := range keys {
			if err != nil {
				errs[i] = err
				continue
			}
			out[i] = m[k]
			if out[i] == nil {
				out[i] = []V{}
			}
		}
		return out, errs
	}
}

const (
	colRoleID = "cg_role_id"
	colRank   = "cg_rank"
)

// coreSkills reads the core skills of many roles in one statement (skills joined to their
// ranks) and, for each alias under which the client selected members, the groups' members in
// one more, in the order they were added (the order a group's name lists them).
func coreSkills(ctx context.Context, client *ent.Client, roleIDs []int, memberAliases []string) (map[int][]*ent.Skill, error) {
	q := client.Skill.Query()
	for _, a := range memberAliases {
		q.WithNamedMembers(a, func(q *ent.SkillQuery) { q.Order(ent.Asc(skill.FieldID)) })
	}
	q.Modify(func(s *sql.Selector) {
		t := sql.Table(roleskill.Table)
		s.Join(t).On(s.C(skill.FieldID), t.C(roleskill.FieldSkillID)).
			Where(sql.InInts(t.C(roleskill.FieldRoleID), roleIDs...)).
			AppendSelectAs(t.C(roleskill.FieldRoleID), colRoleID).
			AppendSelectAs(t.C(roleskill.FieldRank), colRank).
			OrderBy(t.C(roleskill.FieldRoleID), t.C(roleskill.FieldRank))
	})
	rows, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	// A skill that is core to several roles comes back once per role, and ent attaches
	// eager-loaded edges to the last copy only (its loaders index nodes by ID, last one wins):
	// give every copy that one's edges.
	loaded := make(map[int]*ent.Skill, len(rows))
	for _, s := range rows {
		loaded[s.ID] = s
	}
	out := make(map[int][]*ent.Skill, len(roleIDs))
	for _, s := range rows {
		if l := loaded[s.ID]; l != s {
			s.Edges = l.Edges
		}
		v, err := s.Value(colRoleID)
		if err != nil {
			return nil, err
		}
		id, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("loader: role id scanned as %T", v)
		}
		out[int(id)] = append(out[int(id)], s)
	}
	return out, nil
}

// memberAliases lists the aliases under which the field in ctx (a coreSkills field) selects
// members.
func memberAliases(ctx context.Context) []string {
	if graphql.GetFieldContext(ctx) == nil {
		return nil
	}
	return aliasesOf(graphql.CollectFieldsCtx(ctx, nil), "members")
}

func aliasesOf(fields []graphql.CollectedField, name string) []string {
	var out []string
	for _, f := range fields {
		if f.Name == name {
			out = append(out, f.Alias)
		}
	}
	return out
}

func roleItems(ctx context.Context, client *ent.Client, roleIDs []int) (map[int][]*ent.RoleItem, error) {
	rows, err := client.RoleItem.Query().
		Where(roleitem.RoleIDIn(roleIDs...)).
		Order(ent.Asc(roleitem.FieldRoleID), ent.Asc(roleitem.FieldKind), ent.Asc(roleitem.FieldPosition)).
		All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int][]*ent.RoleItem, len(roleIDs))
	for _, it := range rows {
		out[it.RoleID] = append(out[it.RoleID], it)
	}
	return out, nil
}

func salaryRecords(ctx context.Context, client *ent.Client, keys []SalaryKey) (map[SalaryKey][]*ent.SalaryRecord, error) {
	roleIDs := make([]int, 0, len(keys))
	countries := make([]string, 0, len(keys))
	for _, k := range keys {
		roleIDs = append(roleIDs, k.RoleID)
		countries = append(countries, k.Country)
	}
	rows, err := client.SalaryRecord.Query().
		Where(
			salaryrecord.RoleIDIn(roleIDs...),
			salaryrecord.CountryCodeIn(countries...),
			salaryrecord.LocationIDIsNil(),
			salaryrecord.CompanyIDIsNil(),
			salaryrecord.SkillIDIsNil(),
		).
		Order(ent.Asc(salaryrecord.FieldID)).
		All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[SalaryKey][]*ent.SalaryRecord, len(keys))
	for _, r := range rows {
		k := SalaryKey{RoleID: r.RoleID, Country: r.CountryCode}
		out[k] = append(out[k], r)
	}
	return out, nil
}

var routeKindOrder = map[careerroute.Kind]int{careerroute.KindENTRY: 0, careerroute.KindPROGRESSION: 1, careerroute.KindLATERAL: 2}

// careerRoutes reads the routes touching many roles in one statement and every role at either
// end in one more, attaching both ends so that CareerRoute.from/to need no further queries.
func careerRoutes(ctx context.Context, client *ent.Client, roleIDs []int) (map[int][]*ent.CareerRoute, error) {
	routes, err := client.CareerRoute.Query().
		Where(careerroute.Or(careerroute.FromRoleIDIn(roleIDs...), careerroute.ToRoleIDIn(roleIDs...))).
		All(ctx)
	if err != nil {
		return nil, err
	}
	if len(routes) == 0 {
		return map[int][]*ent.CareerRoute{}, nil
	}
	ends := make([]int, 0, 2*len(routes))
	for _, r := range routes {
		ends = append(ends, r.FromRoleID, r.ToRoleID)
	}
	slices.Sort(ends)
	roles, err := client.Role.Query().Where(role.IDIn(slices.Compact(ends)...)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int]*ent.Role, len(roles))
	for _, r := range roles {
		byID[r.ID] = r
	}
	wanted := make(map[int]bool, len(roleIDs))
	for _, id := range roleIDs {
		wanted[id] = true
	}
	out := make(map[int][]*ent.CareerRoute, len(roleIDs))
	for _, r := range routes {
		r.Edges.From, r.Edges.To = byID[r.FromRoleID], byID[r.ToRoleID]
		if wanted[r.FromRoleID] {
			out[r.FromRoleID] = append(out[r.FromRoleID], r)
		}
		if wanted[r.ToRoleID] && r.ToRoleID != r.FromRoleID {
			out[r.ToRoleID] = append(out[r.ToRoleID], r)
		}
	}
	for id, rs := range out {
		slices.SortStableFunc(rs, func(a, b *ent.CareerRoute) int {
			if d := routeKindOrder[a.Kind] - routeKindOrder[b.Kind]; d != 0 {
				return d
			}
			return strings.Compare(other(a, id).Title, other(b, id).Title)
		})
	}
	return out, nil
}

// other is the end of a route that is not role id.
func other(r *ent.CareerRoute, id int) *ent.Role {
	if r.FromRoleID == id {
		return r.Edges.To
	}
	return r.Edges.From
}

// Selection says which per-role fields a list of roles selects, for Prime.
type Selection struct {
	CoreSkills bool
	// MemberAliases are the aliases under which coreSkills selects members.
	MemberAliases []string
	// Items is set when responsibilities, requirements or faqs are selected.
	Items bool
	// SalaryCountries are the countries salary is asked for.
	SalaryCountries []string
	Routes          bool
}

// Prime loads what sel asks for, for all roleIDs at once (one statement per kind), into the
// loaders' caches. Resolvers of a list of roles call it so that the list costs the same
// however the scheduler spreads its fields over time; loads of keys it primed never query.
func (l *Loaders) Prime(ctx context.Context, roleIDs []int, sel Selection) error {
	if len(roleIDs) == 0 {
		return nil
	}
	if sel.CoreSkills {
		m, err := coreSkills(ctx, l.client, roleIDs, sel.MemberAliases)
		if err != nil {
			return err
		}
		prime(l.coreSkills, roleIDs, m)
	}
	if sel.Items {
		m, err := roleItems(ctx, l.client, roleIDs)
		if err != nil {
			return err
		}
		prime(l.items, roleIDs, m)
	}
	if len(sel.SalaryCountries) > 0 {
		var keys []SalaryKey
		for _, c := range sel.SalaryCountries {
			for _, id := range roleIDs {
				keys = append(keys, SalaryKey{RoleID: id, Country: strings.ToUpper(c)})
			}
		}
		m, err := salaryRecords(ctx, l.client, keys)
		if err != nil {
			return err
		}
		prime(l.salary, keys, m)
	}
	if sel.Routes {
		m, err := careerRoutes(ctx, l.client, roleIDs)
		if err != nil {
			return err
		}
		prime(l.routes, roleIDs, m)
	}
	return nil
}

func prime[K comparable, V any](l *dataloadgen.Loader[K, []V], keys []K, m map[K][]V) {
	for _, k := range keys {
		v := m[k]
		if v == nil {
			v = []V{}
		}
		l.Prime(k, v)
	}
}
