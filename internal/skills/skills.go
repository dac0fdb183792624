// Package skills normalises what people call a skill ("golang", "NodeJS", "k8s") to the skills
// of the graph, through names and synonyms, case-insensitively, and knows how groups are
// satisfied ("Node.js / Java / Python" by any member).
package skills

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"entgo.io/ent/dialect/sql"
	"golang.org/x/sync/singleflight"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/skill"
)

// Vocabulary is every skill, indexed by normalised name and synonym.
type Vocabulary struct {
	byKey   map[string]*ent.Skill
	byID    map[int]*ent.Skill
	members map[int][]int // group id -> member ids
}

// Load reads the whole vocabulary (one statement for skills, one for group members). Skills are
// a small table: thousands of rows at most.
func Load(ctx context.Context, client *ent.Client) (*Vocabulary, error) {
	all, err := client.Skill.Query().WithMembers(func(q *ent.SkillQuery) {
		q.Select(skill.FieldID)
	}).All(ctx)
	if err != nil {
		return nil, err
	}
	return New(all), nil
}

// New indexes skills whose Members edges are loaded (for groups).
func New(all []*ent.Skill) *Vocabulary {
	v := &Vocabulary{byKey: map[string]*ent.Skill{}, byID: map[int]*ent.Skill{}, members: map[int][]int{}}
	for _, s := range all {
		v.byID[s.ID] = s
		for _, m := range s.Edges.Members {
			v.members[s.ID] = append(v.members[s.ID], m.ID)
		}
	}
	// Names win over synonyms when the two collide.
	for _, s := range all {
		for _, syn := range s.Synonyms {
			if k := Key(syn); k != "" {
				v.byKey[k] = s
			}
		}
	}
	for _, s := range all {
		if k := Key(s.Name); k != "" {
			v.byKey[k] = s
		}
		if k := Key(s.Slug); k != "" && v.byKey[k] == nil {
			v.byKey[k] = s
		}
	}
	return v
}

// Key is the normalised form names are compared in: lower case, letters and digits only, with
// "+" spelled "plus" and "#" spelled "sharp", so that "Node.js", "nodejs" and "NODE JS" meet and
// "C++" and "C#" stay apart from "C".
func Key(s string) string {
	// Fast paths (nearly every word of a document): ASCII letters and digits only, already
	// lower case (the word itself), or not (one new string).
	plain, upper := true, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			upper = true
		} else if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			plain = false
			break
		}
	}
	if plain && !upper {
		return s
	}
	if plain {
		return strings.ToLower(s)
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '+':
			b.WriteString("plus")
		case r == '#':
			b.WriteString("sharp")
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Find returns the skill a name or synonym denotes, or nil.
func (v *Vocabulary) Find(name string) *ent.Skill { return v.byKey[Key(name)] }

// ByID returns a skill by ID, or nil.
func (v *Vocabulary) ByID(id int) *ent.Skill { return v.byID[id] }

// Resolve maps names to skills, keeping order and dropping duplicates; unknown names are
// returned separately.
func (v *Vocabulary) Resolve(names []string) (found []*ent.Skill, unknown []string) {
	seen := map[int]bool{}
	for _, n := range names {
		s := v.Find(n)
		if s == nil {
			unknown = append(unknown, n)
			continue
		}
		if !seen[s.ID] {
			seen[s.ID] = true
			found = append(found, s)
		}
	}
	return found, unknown
}

// Members returns a group's member IDs (nil for a plain skill).
func (v *Vocabulary) Members(id int) []int { return v.members[id] }

// Satisfied reports whether having the skills in have satisfies skill id: a plain skill by
// having it; an ANY_OF group by having it or any member; an ALL_OF group by having it or every
// member.
func (v *Vocabulary) Satisfied(id int, have map[int]bool) bool {
	if have[id] {
		return true
	}
	s := v.byID[id]
	ms := v.members[id]
	if s == nil || s.GroupMode == nil || len(ms) == 0 {
		return false
	}
	if *s.GroupMode == skill.GroupModeANY_OF {
		for _, m := range ms {
			if have[m] {
				return true
			}
		}
		return false
	}
	for _, m := range ms {
		if !have[m] {
			return false
		}
	}
	return true
}

// Related returns what an opening may list when it asks for skill id: the skill itself, its
// members when it is a group ("Node.js / Java" is asked for by listing Java), and the groups it
// belongs to (an opening listing "Node.js / Java" asks for Java among others). Sorted, without
// duplicates.
func (v *Vocabulary) Related(id int) []int {
	set := map[int]bool{id: true}
	for _, m := range v.members[id] {
		set[m] = true
	}
	for g, ms := range v.members {
		for _, m := range ms {
			if m == id {
				set[g] = true
			}
		}
	}
	out := make([]int, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Ints(out)
	return out
}

// Groups returns the IDs of every group skill.
func (v *Vocabulary) Groups() map[int][]int { return v.members }

// Known reports whether word (normalised, see Key) is a skill's name or synonym.
func (v *Vocabulary) Known(word string) bool { return v.byKey[word] != nil }

// Cache keeps one process's vocabulary between requests. The vocabulary is read-mostly (an
// editor adds a synonym now and then) but every search and match needs it, and reading it
// whole (two statements and an index built over every name and synonym) was 44% of the
// server's CPU under a search load. Each Load first reads the vocabulary's version, one row
// (VersionTable), and reads the vocabulary again only when that changed. Triggers (the
// migration *_skill_vocabulary_version.sql) raise the version with every row written to or
// deleted from skills or skill_members, in the writing transaction, so that it changes exactly
// when what the vocabulary is read from does, whoever writes (an editor, the seed, psql). The
// version lives in the database, so an edit on any replica shows on the next request on every
// replica. (The version was once an aggregate over every skill: 1 ms a request at 6,800 skills,
// growing with the vocabulary.)
//
// When a change shows, the requests in flight that see it share one read of the vocabulary
// (singleflight, keyed by the version): under load every request would otherwise read it
// afresh at once, once for each write.
type Cache struct {
	mu     sync.Mutex
	v      *Vocabulary
	ver    version
	reads  singleflight.Group
	loader func(context.Context, *ent.Client) (*Vocabulary, error) // Load; tests slow it down
}

// VersionTable holds the vocabulary's version: one row, id 1.
const VersionTable = "skill_vocabulary"

// version is what Cache compares.
type version struct {
	Version int64 `sql:"version"`
}

// NewCache returns an empty cache; the first Load reads the vocabulary.
func NewCache() *Cache { return &Cache{} }

// Load returns the vocabulary as client's database has it now: from the cache when its
// version has not changed (one statement), read afresh otherwise (three). A Vocabulary is
// never changed once built, so requests share it.
func (c *Cache) Load(ctx context.Context, client *ent.Client) (*Vocabulary, error) {
	var vs []version
	// ent has no statement of its own for a table outside the schema: the skills query's
	// selector is pointed at the version's table instead.
	err := client.Skill.Query().Modify(func(s *sql.Selector) {
		t := sql.Table(VersionTable)
		s.From(t).Select(t.C("version")).Where(sql.EQ(t.C("id"), 1))
	}).Scan(ctx, &vs)
	if err != nil {
		return nil, err
	}
	if len(vs) != 1 {
		return nil, fmt.Errorf("skills: vocabulary version: %d rows", len(vs))
	}
	c.mu.Lock()
	if c.v != nil && c.ver == vs[0] {
		v := c.v
		c.mu.Unlock()
		return v, nil
	}
	c.mu.Unlock()
	// Read after the version: a change committed in between shows as a version that differs
	// next time, so the vocabulary is read again rather than kept stale. The shared read does
	// not stop when the request that started it goes away: the others wait for it.
	key := strconv.FormatInt(vs[0].Version, 10)
	v, err, _ := c.reads.Do(key, func() (any, error) {
		c.mu.Lock()
		if c.v != nil && c.ver == vs[0] {
			v := c.v
			c.mu.Unlock()
			return v, nil // stored by a read that ended just before this one began
		}
		c.mu.Unlock()
		load := c.loader
		if load == nil {
			load = Load
		}
		v, err := load(context.WithoutCancel(ctx), client)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.v, c.ver = v, vs[0]
		c.mu.Unlock()
		return v, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Vocabulary), nil
}
