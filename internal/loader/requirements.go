package loader

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/openingskill"
)

// requirements caches openings' skill links (with their skills) for one request.
type requirements struct {
	mu    sync.Mutex
	links map[int][]*ent.OpeningSkill
}

// Requirements returns the skill links of opening id, each with its skill, essential first,
// then by skill name. siblings are the other openings of the list the opening is shown in:
// the first call reads the links of all of them in one statement (and their skills in one
// more), and the calls for the siblings are then answered from the cache. Unlike a
// dataloader's time window, this does not depend on how the scheduler spreads a list's
// fields over time, so a list of openings always costs the same two statements.
func (l *Loaders) Requirements(ctx context.Context, id int, siblings []int) ([]*ent.OpeningSkill, error) {
	r := &l.reqs
	r.mu.Lock() // held while reading: a concurrent sibling waits and then finds its links
	defer r.mu.Unlock()
	if got, ok := r.links[id]; ok {
		return got, nil
	}
	ids := []int{id}
	for _, s := range siblings {
		if _, ok := r.links[s]; !ok && s != id {
			ids = append(ids, s)
		}
	}
	rows, err := l.client.OpeningSkill.Query().Where(openingskill.OpeningIDIn(ids...)).WithSkill().All(ctx)
	if err != nil {
		return nil, err
	}
	if r.links == nil {
		r.links = map[int][]*ent.OpeningSkill{}
	}
	for _, i := range ids {
		r.links[i] = []*ent.OpeningSkill{}
	}
	for _, x := range rows {
		r.links[x.OpeningID] = append(r.links[x.OpeningID], x)
	}
	for _, i := range ids {
		slices.SortFunc(r.links[i], func(a, b *ent.OpeningSkill) int {
			if a.Essential != b.Essential {
				if a.Essential {
					return -1
				}
				return 1
			}
			return cmp.Or(cmp.Compare(a.Edges.Skill.Name, b.Edges.Skill.Name), cmp.Compare(a.SkillID, b.SkillID))
		})
	}
	return r.links[id], nil
}

// inputExtras holds values of input fields that the ent input structs have no room for
// (CreateOpeningInput.preferredSkillIDs), by the field (its graphql.FieldContext) whose
// arguments they came with, for the operation.
type inputExtras struct {
	mu sync.Mutex
	m  map[*graphql.FieldContext][]int
}

// SetFieldIDs records ids given in the arguments of the field being resolved in ctx, for
// FieldIDs. Input field resolvers call it while the field's arguments are read (gqlgen reads
// them with the field's context in place, so the mutation's resolver later sees the same one).
func SetFieldIDs(ctx context.Context, ids []int) {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		panic("loader: no loaders in context; wrap the handler with loader.Middleware")
	}
	l.extras.mu.Lock()
	defer l.extras.mu.Unlock()
	if l.extras.m == nil {
		l.extras.m = map[*graphql.FieldContext][]int{}
	}
	l.extras.m[graphql.GetFieldContext(ctx)] = ids
}

// FieldIDs returns what SetFieldIDs recorded for the field being resolved in ctx, nil when
// nothing.
func FieldIDs(ctx context.Context) []int {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		return nil
	}
	l.extras.mu.Lock()
	defer l.extras.mu.Unlock()
	return l.extras.m[graphql.GetFieldContext(ctx)]
}

// memo holds values a list's resolver computed for all its items at once (Remember), for the
// items' fields to find (Recall).
type memo struct {
	mu sync.Mutex
	m  map[any]any
}

// Remember stores v under key for the operation.
func (l *Loaders) Remember(key, v any) {
	l.memo.mu.Lock()
	defer l.memo.mu.Unlock()
	if l.memo.m == nil {
		l.memo.m = map[any]any{}
	}
	l.memo.m[key] = v
}

// Recall returns what Remember stored under key.
func (l *Loaders) Recall(key any) (any, bool) {
	l.memo.mu.Lock()
	defer l.memo.mu.Unlock()
	v, ok := l.memo.m[key]
	return v, ok
}
