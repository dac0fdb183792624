// Package matching ranks live openings for a job seeker's profile and measures a profile
// against a role's core skills: "the exact skill gaps standing between you and a 100% match".
//
// Scoring (documented in the README): fitScore = skills + experience + location + salary points,
//
//	skills      60 × (2 × essential skills satisfied + preferred skills satisfied)
//	            / (2 × essential skills + preferred skills): a missing essential skill costs
//	            twice what a missing preferred one does; with no preferred skills this is
//	            60 × satisfied / skills
//	experience  15 inside [min, max]; below min, 15 × (1 − gap/3), at least 0; above max,
//	            15 × (1 − excess/10), at least 7.5
//	location    15 when no city is given, the opening is remote, or it is in the profile's city;
//	            3.75 for a hybrid opening elsewhere; 0 for an onsite one elsewhere; 0 when the
//	            profile lists work modes and the opening's is not among them
//	salary      10 when no expectation is given or the opening's (annualised) maximum reaches it;
//	            10 × max/expected when it falls short; 5 when the opening advertises no pay or
//	            pays in another currency
//
// A profile satisfies an opening's skill when it names the skill (or a synonym), or the skill is
// an ANY_OF group and the profile names a member, or an ALL_OF group and it names every member.
// Every live opening is scored, on a compact in-memory index of them (see Index) rather than on
// the openings themselves; only the page's openings are read. Ties are broken by the higher
// opening ID (newer first), so the order is deterministic.
package matching

import (
	"context"
	stdsql "database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/predicate"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/numconv"
	"github.com/careergraph/careergraph/internal/pay"
	"github.com/careergraph/careergraph/internal/skills"
)

// Weights of the four parts, in points out of 100.
const (
	SkillsPoints     = 60
	ExperiencePoints = 15
	LocationPoints   = 15
	SalaryPoints     = 10
	// EssentialWeight and PreferredWeight weigh an opening's essential (required) and
	// preferred ("nice to have") skills in the skills part.
	EssentialWeight = 2
	PreferredWeight = 1
	// MaxProfileSkills bounds a profile; a CV lists tens of skills, not hundreds.
	MaxProfileSkills = 50
)

// Money is an amount in whole currency units per period.
type Money struct {
	Amount   int64
	Currency string
	Monthly  bool
}

// Annual returns the amount per year.
func (m Money) Annual() int64 { return pay.Annual(m.Amount, m.Monthly) }

// Profile is what a job seeker tells about themselves.
type Profile struct {
	Skills          []string
	ExperienceYears int
	City            *string
	WorkModes       []opening.WorkMode
	ExpectedSalary  *Money
}

// Breakdown is the points each part contributed.
type Breakdown struct {
	Skills, Experience, Location, Salary float64
}

// Requirement is one skill an opening asks for, essential (required) or preferred.
type Requirement struct {
	Skill     *ent.Skill
	Essential bool
}

// Result is one ranked opening. MatchedSkills and MissingSkills are the skills of
// Matched and Missing, in the same order.
type Result struct {
	Opening       *ent.Opening
	FitScore      int
	MatchedSkills []*ent.Skill
	MissingSkills []*ent.Skill
	Matched       []Requirement
	Missing       []Requirement
	Breakdown     Breakdown
	Cursor        entgql.Cursor[int]
}

// Page is one page of results.
type Page struct {
	Results     []*Result
	TotalCount  int
	HasNextPage bool
	HasPrevious bool
}

// Matcher ranks openings.
type Matcher struct {
	client *ent.Client
	index  *Index

	nudgeOnce sync.Once
	nudges    chan struct{}
}

// New returns a Matcher over client, keeping its index of live openings (see Index) from db,
// the pool beneath client, of dialect dia.
func New(client *ent.Client, db Querier, dia string) *Matcher {
	return &Matcher{client: client, index: NewIndex(db, dia)}
}

// Querier runs the index's statements: the pool beneath the client (*sql.DB), or in tests
// their statement counter.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error)
}

// Build builds the index of live openings now, if no read has built it yet. The server runs
// it in the background at start and reports not ready (/readyz) until it returns.
func (m *Matcher) Build(ctx context.Context) error { return m.index.fresh(ctx) }

// Nudge makes the index catch up with the database now, in the background, instead of at the
// next read: another replica has changed openings (internal/live). Nudges while a catch-up
// runs fold into one more. Before the first build it does nothing (the build reads all).
func (m *Matcher) Nudge() {
	if !m.index.ready.Load() {
		return
	}
	m.nudgeOnce.Do(func() {
		m.nudges = make(chan struct{}, 1)
		go func() {
			for range m.nudges {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				_ = m.index.look(ctx) // a failure leaves the catch-up to the next read
				cancel()
			}
		}()
	})
	select {
	case m.nudges <- struct{}{}:
	default:
	}
}

// Ready reports whether the index has been built once, so that a match answers without
// waiting for a full build.
func (m *Matcher) Ready() bool { return m.index.ready.Load() }

// prepared is a validated profile resolved against the vocabulary.
type prepared struct {
	satisfied []int // skill IDs the profile satisfies, plain and group
	have      map[int]bool
	cityIDs   []int
	cityGiven bool
	p         Profile
}

func (m *Matcher) prepare(ctx context.Context, v *skills.Vocabulary, p Profile) (*prepared, error) {
	if len(p.Skills) == 0 {
		return nil, apperr.BadInput("profile.skills", "profile.skills is empty: list at least one skill, such as \"Go\"")
	}
	if len(p.Skills) > MaxProfileSkills {
		return nil, apperr.BadInput("profile.skills", "profile.skills lists %d skills; send at most %d", len(p.Skills), MaxProfileSkills)
	}
	if p.ExperienceYears < 0 || p.ExperienceYears > 60 {
		return nil, apperr.BadInput("profile.experienceYears", "profile.experienceYears is %d; send whole years from 0 to 60", p.ExperienceYears)
	}
	if e := p.ExpectedSalary; e != nil && (e.Amount < 0 || len(e.Currency) != 3) {
		return nil, apperr.BadInput("profile.expectedSalary", "profile.expectedSalary needs a non-negative amount and a three-letter currency such as INR")
	}
	found, _ := v.Resolve(p.Skills) // names the graph does not know cannot match anything
	pr := &prepared{have: map[int]bool{}, p: p}
	for _, s := range found {
		pr.have[s.ID] = true
	}
	// Groups the profile satisfies count as satisfied too.
	for id := range v.Groups() {
		if v.Satisfied(id, pr.have) {
			pr.have[id] = true
		}
	}
	for id := range pr.have {
		pr.satisfied = append(pr.satisfied, id)
	}
	if p.City != nil {
		c := strings.TrimSpace(*p.City)
		if c == "" {
			return nil, apperr.BadInput("profile.city", "profile.city is blank: leave it out or name a city such as \"Bengaluru\"")
		}
		ids, err := CityIDs(ctx, m.client, "profile.city", c, "")
		if err != nil {
			return nil, err
		}
		pr.cityIDs, pr.cityGiven = ids, true
	}
	return pr, nil
}

// CityIDs resolves a city as people type it (its name, case-insensitive, or its location slug)
// to the locations that carry it, in one country when country is not empty. Matching and the
// market insights both read cities through here. An unknown city is a BAD_USER_INPUT error
// naming arg.
func CityIDs(ctx context.Context, client *ent.Client, arg, city, country string) ([]int, error) {
	c := strings.TrimSpace(city)
	preds := []predicate.Location{location.Or(location.CityEqualFold(c), location.Slug(strings.ToLower(c)))}
	if country != "" {
		preds = append(preds, location.CountryCode(strings.ToUpper(country)))
	}
	ids, err := client.Location.Query().Where(preds...).IDs(ctx)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, apperr.BadInput(arg, "unknown city %q: send a city that has openings, such as \"Bengaluru\"", c)
	}
	return ids, nil
}

// Match ranks every live opening for p and returns the page after the cursor. path leads from
// the GraphQL field in ctx to the opening objects, for eager-loading what the client selected.
func (m *Matcher) Match(ctx context.Context, v *skills.Vocabulary, p Profile, first int, after *entgql.Cursor[int], path ...string) (*Page, error) {
	pr, err := m.prepare(ctx, v, p)
	if err != nil {
		return nil, err
	}
	var afterScore *int64
	var afterID int64
	if after != nil {
		s, ok := numconv.Int64(after.Value)
		if !ok {
			return nil, apperr.BadInput("after", "after: malformed cursor: send a cursor exactly as the API returned it in edges.cursor or pageInfo.endCursor")
		}
		afterScore, afterID = &s, int64(after.ID)
	}
	top, live, prefs, err := m.index.top(ctx, pr, first+1, afterScore, afterID)
	if err != nil {
		return nil, fmt.Errorf("matching: %w", err)
	}
	page := &Page{TotalCount: live, HasPrevious: after != nil}
	if len(top) > first {
		page.HasNextPage = true
		top = top[:first]
	}
	if len(top) == 0 {
		return page, nil
	}
	ids := make([]int, len(top))
	for i, r := range top {
		ids[i] = int(r.id)
	}
	q, err := m.client.Opening.Query().Where(opening.IDIn(ids...)).CollectFieldsAt(ctx, path...)
	if err != nil {
		return nil, err
	}
	// The gaps need every skill of each opening, whatever the client selected.
	q.WithNamedSkills("cg_match_skills")
	openings, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[int]*ent.Opening{}
	for _, o := range openings {
		byID[o.ID] = o
	}
	for _, r := range top {
		o := byID[int(r.id)]
		if o == nil {
			continue // deleted since the index last saw it
		}
		all, _ := o.NamedSkills("cg_match_skills")
		res := &Result{
			Opening:       o,
			FitScore:      int((r.sum + 500) / 1000),
			MatchedSkills: []*ent.Skill{},
			MissingSkills: []*ent.Skill{},
			Matched:       []Requirement{},
			Missing:       []Requirement{},
			Breakdown:     Breakdown{Skills: milli(r.skills), Experience: milli(r.exp), Location: milli(r.loc), Salary: milli(r.sal)},
			Cursor:        entgql.Cursor[int]{ID: int(r.id), Value: r.sum},
		}
		for _, s := range all {
			req := Requirement{Skill: s, Essential: !prefs[r.id][s.ID]}
			if v.Satisfied(s.ID, pr.have) {
				res.MatchedSkills = append(res.MatchedSkills, s)
				res.Matched = append(res.Matched, req)
			} else {
				res.MissingSkills = append(res.MissingSkills, s)
				res.Missing = append(res.Missing, req)
			}
		}
		page.Results = append(page.Results, res)
	}
	return page, nil
}

func milli(v int64) float64 { return float64(v) / 1000 }

// LiveCount is the number of live openings of a role, counted on the index (no statement
// beyond the index's catch-up).
func (m *Matcher) LiveCount(ctx context.Context, role int) (int, error) {
	return m.index.liveCount(ctx, int64(role))
}

// PayEach calls fn for every live opening that advertises pay in currency (read from the
// index, so it costs no statement beyond the index's catch-up). has reports whether the
// opening asks for a skill by ID (during the call only); skills are them, which fn may keep.
// fn runs under the index's read lock and must not call the Matcher.
func (m *Matcher) PayEach(ctx context.Context, currency string, fn func(o PayOpening, has func(skill int) bool, skills Skills)) error {
	return m.index.payEach(ctx, currency, fn)
}

// Demand counts how many live openings ask for each skill, among those of role (when not
// nil) and in one of locations (when not empty), and how many openings that is in all. It
// reads the index, so it costs no statement beyond the index's catch-up.
func (m *Matcher) Demand(ctx context.Context, role *int, locations []int) (map[int]int, int, error) {
	locs := map[int64]bool{}
	for _, l := range locations {
		locs[int64(l)] = true
	}
	return m.index.demand(ctx, func(r, l int64) bool {
		return (role == nil || int64(*role) == r) && (len(locs) == 0 || locs[l])
	})
}

// Fit is a profile measured against a role's core skills.
type Fit struct {
	Score   int
	Matched []*ent.Skill
	Missing []*ent.Skill
}

// RoleFit measures p against the core skills of the role with slug, in rank order; nil when
// there is no such role. Score is the share of core skills satisfied, 0 to 100.
func (m *Matcher) RoleFit(ctx context.Context, v *skills.Vocabulary, slug string, p Profile) (*Fit, error) {
	pr, err := m.prepare(ctx, v, Profile{Skills: p.Skills, ExperienceYears: p.ExperienceYears})
	if err != nil {
		return nil, err
	}
	r, err := m.client.Role.Query().Where(role.Slug(slug)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	links, err := r.QueryCoreSkillLinks().Order(ent.Asc("rank")).WithSkill().All(ctx)
	if err != nil {
		return nil, err
	}
	f := &Fit{Matched: []*ent.Skill{}, Missing: []*ent.Skill{}}
	for _, l := range links {
		if v.Satisfied(l.SkillID, pr.have) {
			f.Matched = append(f.Matched, l.Edges.Skill)
		} else {
			f.Missing = append(f.Missing, l.Edges.Skill)
		}
	}
	if n := len(links); n > 0 {
		f.Score = (100*len(f.Matched) + n/2) / n
	}
	return f, nil
}
