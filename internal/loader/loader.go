// Package loader batches the per-role reads of a cluster page (core skills, page items, salary
// records, career routes) with request-scoped dataloaders, so that a page costs the same number
// of statements for one role or a hundred.
package loader

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
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
	cache      *skills.Cache // nil: read the vocabulary per request
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

// New builds a request's loaders over client. vocab, when not nil, is the process's
// vocabulary cache (skills.Cache) that Vocabulary reads through outside transactions.
func New(client *ent.Client, vocab *skills.Cache) *Loaders {
	return &Loaders{
		client: client,
		cache:  vocab,
		coreSkills: dataloadgen.NewLoader(grouped(func(ctx context.Context, ids []int) (map[int][]*ent.Skill, error) {
			// The batch runs with the context of the first caller; memberAliases reads the
			// operation, so which caller that was does not matter.
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
	tl := New(c, nil) // a transaction reads its own writes, not the cache
	l.tx[c] = tl
	return tl
}

// Vocabulary returns the skill vocabulary, looked up once per request: through the process's
// cache when there is one (one statement that checks its version), else read whole.
func (l *Loaders) Vocabulary(ctx context.Context) (*skills.Vocabulary, error) {
	l.vocabOnce.Do(func() {
		if l.cache != nil {
			l.vocab, l.vocabErr = l.cache.Load(ctx, l.client)
		} else {
			l.vocab, l.vocabErr = skills.Load(ctx, l.client)
		}
	})
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
	colGroup  = "cg_group"
)

// coreSkills reads the core skills of many roles, and the members of those that are groups
// when the client selected members (under any aliases), in one statement:
//
//	SELECT skills.*, t1.role_id, t1.rank, 0 FROM skills JOIN role_skills t1 … WHERE t1.role_id IN (…)
//	UNION ALL
//	SELECT m.*, 0, 0, t2.skill_id FROM skills m JOIN skill_members t2 ON m.id = t2.group_id
//	  WHERE t2.skill_id IN (SELECT skill_id FROM role_skills WHERE role_id IN (…))
//
// The last column tells the two apart: a member row names its group (IDs start at 1; zeros,
// not NULLs, since a NULL-typed column has no scan type on SQLite). Core skills come in rank
// order, a group's members in the order they were added (their ids), as ent's eager loading
// of the members edge (a statement of its own) gave them.
func coreSkills(ctx context.Context, client *ent.Client, roleIDs []int, memberAliases []string) (map[int][]*ent.Skill, error) {
	q := client.Skill.Query()
	q.Modify(func(s *sql.Selector) {
		t := sql.Table(roleskill.Table).As("t1")
		cols := slices.Clone(s.SelectedColumns())
		s.Join(t).On(s.C(skill.FieldID), t.C(roleskill.FieldSkillID)).
			Where(sql.InInts(t.C(roleskill.FieldRoleID), roleIDs...)).
			AppendSelectAs(t.C(roleskill.FieldRoleID), colRoleID).
			AppendSelectAs(t.C(roleskill.FieldRank), colRank).
			AppendSelectExprAs(sql.Expr("0"), colGroup)
		if len(memberAliases) == 0 {
			return
		}
		m := sql.Table(skill.Table).As("m")
		g := sql.Table(skill.MembersTable).As("t2")
		core := sql.Select(roleskill.FieldSkillID).From(sql.Table(roleskill.Table)).
			Where(sql.InInts(roleskill.FieldRoleID, roleIDs...))
		members := sql.Select().From(m)
		for _, c := range cols {
			members.AppendSelect(m.C(unqualified(c)))
		}
		members.Join(g).On(m.C(skill.FieldID), g.C(skill.MembersPrimaryKey[1])).
			Where(sql.In(g.C(skill.MembersPrimaryKey[0]), core)).
			AppendSelectExprAs(sql.Expr("0"), colRoleID).
			AppendSelectExprAs(sql.Expr("0"), colRank).
			AppendSelectAs(g.C(skill.MembersPrimaryKey[0]), colGroup)
		s.UnionAll(members)
	})
	rows, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	type ranked struct {
		role, rank int64
		s          *ent.Skill
	}
	var core []ranked
	membersOf := map[int][]*ent.Skill{}
	for _, s := range rows {
		var v [3]int64
		for i, col := range []string{colGroup, colRoleID, colRank} {
			if v[i], err = intValue(s, col); err != nil {
				return nil, err
			}
		}
		if g := v[0]; g != 0 {
			membersOf[int(g)] = append(membersOf[int(g)], s)
			continue
		}
		core = append(core, ranked{v[1], v[2], s})
	}
	slices.SortFunc(core, func(a, b ranked) int {
		if a.role != b.role {
			return cmp.Compare(a.role, b.role)
		}
		return cmp.Compare(a.rank, b.rank)
	})
	for _, ms := range membersOf {
		slices.SortFunc(ms, func(a, b *ent.Skill) int { return cmp.Compare(a.ID, b.ID) })
	}
	out := make(map[int][]*ent.Skill, len(roleIDs))
	for _, c := range core {
		for _, a := range memberAliases {
			c.s.SetNamedMembers(a, membersOf[c.s.ID])
		}
		out[int(c.role)] = append(out[int(c.role)], c.s)
	}
	return out, nil
}

// unqualified is a column name without its table: "name" of `skills`.`name`.
func unqualified(c string) string {
	if i := strings.LastIndexByte(c, '.'); i >= 0 {
		c = c[i+1:]
	}
	return strings.Trim(c, "`\"")
}

// intValue reads an integer column a statement selected beside an entity's own.
func intValue(s *ent.Skill, col string) (int64, error) {
	v, err := s.Value(col)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("loader: %s scanned as %T", col, v)
	}
	return n, nil
}

// memberAliases lists the aliases under which any coreSkills field of the operation in ctx
// selects members directly (through fragments too), each once.
//
// It reads the whole operation, not the field that asked: the batch runs with the context of
// whichever caller came first, and a caller that is not a coreSkills field (Role.seo reads the
// core skills for its JSON-LD) would otherwise decide, by winning a race, that the batch loads
// no members, leaving every core skill to read its members with a statement of its own. A
// members field under @skip or @include is counted all the same: loading members nobody shows
// costs rows, not statements.
func memberAliases(ctx context.Context) []string {
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil {
		return nil
	}
	w := aliasWalk{doc: oc.Doc, seen: map[fragmentVisit]bool{}}
	w.walk(oc.Operation.SelectionSet, false)
	return w.aliases
}

// aliasWalk gathers memberAliases. A fragment is walked at most once in each position (in a
// coreSkills selection or elsewhere), so a document that spreads fragments many times over is
// read in time linear in its size.
type aliasWalk struct {
	doc     *ast.QueryDocument
	seen    map[fragmentVisit]bool
	aliases []string
}

type fragmentVisit struct {
	name       string
	coreSkills bool
}

// walk reads set; inCore tells whether set is a coreSkills field's selection.
func (w *aliasWalk) walk(set ast.SelectionSet, inCore bool) {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if inCore && sel.Name == "members" && !slices.Contains(w.aliases, sel.Alias) {
				w.aliases = append(w.aliases, sel.Alias)
			}
			// Below, another role's coreSkills may select members too.
			w.walk(sel.SelectionSet, sel.Name == "coreSkills")
		case *ast.InlineFragment:
			w.walk(sel.SelectionSet, inCore)
		case *ast.FragmentSpread:
			v := fragmentVisit{sel.Name, inCore}
			if w.seen[v] {
				continue
			}
			w.seen[v] = true
			def := sel.Definition
			if def == nil && w.doc != nil {
				def = w.doc.Fragments.ForName(sel.Name)
			}
			if def != nil {
				w.walk(def.SelectionSet, inCore)
			}
		}
	}
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
