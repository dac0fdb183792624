// Package matching ranks live openings for a job seeker's profile and measures a profile
// against a role's core skills: "the exact skill gaps standing between you and a 100% match".
//
// Scoring (documented in the README): fitScore = skills + experience + location + salary points,
//
//	skills      60 × (the opening's skills the profile satisfies) / (the opening's skills)
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
// Scores are computed in the database over every live opening and only the page is read into
// Go; ties are broken by the higher opening ID (newer first), so the order is deterministic.
package matching

import (
	"context"
	"fmt"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/skills"
)

// Weights of the four parts, in points out of 100.
const (
	SkillsPoints     = 60
	ExperiencePoints = 15
	LocationPoints   = 15
	SalaryPoints     = 10
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
func (m Money) Annual() int64 {
	if m.Monthly {
		return m.Amount * 12
	}
	return m.Amount
}

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

// Result is one ranked opening.
type Result struct {
	Opening       *ent.Opening
	FitScore      int
	MatchedSkills []*ent.Skill
	MissingSkills []*ent.Skill
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
	client  *ent.Client
	dialect string
}

// New returns a Matcher.
func New(client *ent.Client, dia string) *Matcher { return &Matcher{client: client, dialect: dia} }

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
		ids, err := m.client.Location.Query().Where(location.Or(location.CityEqualFold(c), location.Slug(strings.ToLower(c)))).IDs(ctx)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, apperr.BadInput("profile.city", "unknown city %q: send a city that has openings, such as \"Bengaluru\"", c)
		}
		pr.cityIDs, pr.cityGiven = ids, true
	}
	return pr, nil
}

// Column aliases of the scoring query; scores are in thousandths of a point, so that keyset
// cursors compare whole numbers.
const (
	colSkills = "cg_skills"
	colExp    = "cg_exp"
	colLoc    = "cg_loc"
	colSal    = "cg_sal"
	colScore  = "cg_score"
)

type scoredRow struct {
	ID     int   `sql:"id"`
	Skills int64 `sql:"cg_skills"`
	Exp    int64 `sql:"cg_exp"`
	Loc    int64 `sql:"cg_loc"`
	Sal    int64 `sql:"cg_sal"`
	Score  int64 `sql:"cg_score"`
}

// Match ranks every live opening for p and returns the page after the cursor. path leads from
// the GraphQL field in ctx to the opening objects, for eager-loading what the client selected.
func (m *Matcher) Match(ctx context.Context, v *skills.Vocabulary, p Profile, first int, after *entgql.Cursor[int], path ...string) (*Page, error) {
	pr, err := m.prepare(ctx, v, p)
	if err != nil {
		return nil, err
	}
	page := &Page{HasPrevious: after != nil}
	live := m.client.Opening.Query().Where(opening.StatusEQ(opening.StatusLIVE))
	if page.TotalCount, err = live.Clone().Count(ctx); err != nil {
		return nil, err
	}
	if first == 0 {
		return page, nil
	}
	var rows []scoredRow
	err = live.Clone().Modify(func(s *sql.Selector) {
		parts := m.parts(s, pr)
		score := sum(parts...)
		s.Select(s.C(opening.FieldID))
		for i, alias := range []string{colSkills, colExp, colLoc, colSal} {
			s.AppendSelectExprAs(parts[i], alias)
		}
		s.AppendSelectExprAs(score, colScore)
		if after != nil {
			v, ok := toInt64(after.Value)
			if ok {
				s.Where(sql.P(func(b *sql.Builder) {
					b.WriteString("(").Join(score).WriteString(" < ").Arg(v).WriteString(" OR (").Join(score).WriteString(" = ").Arg(v).
						WriteString(" AND ").Ident(s.C(opening.FieldID)).WriteString(" < ").Arg(after.ID).WriteString("))")
				}))
			}
		}
		s.OrderExpr(sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString(colScore + " DESC, ").Ident(s.C(opening.FieldID)).WriteString(" DESC")
		}))
		s.Limit(first + 1)
	}).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("matching: %w", err)
	}
	if len(rows) > first {
		page.HasNextPage = true
		rows = rows[:first]
	}
	if len(rows) == 0 {
		return page, nil
	}
	ids := make([]int, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
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
	for _, r := range rows {
		o := byID[r.ID]
		if o == nil {
			continue
		}
		all, _ := o.NamedSkills("cg_match_skills")
		res := &Result{
			Opening:   o,
			FitScore:  int((r.Score + 500) / 1000),
			Breakdown: Breakdown{Skills: milli(r.Skills), Experience: milli(r.Exp), Location: milli(r.Loc), Salary: milli(r.Sal)},
			Cursor:    entgql.Cursor[int]{ID: r.ID, Value: r.Score},
		}
		for _, s := range all {
			if v.Satisfied(s.ID, pr.have) {
				res.MatchedSkills = append(res.MatchedSkills, s)
			} else {
				res.MissingSkills = append(res.MissingSkills, s)
			}
		}
		page.Results = append(page.Results, res)
	}
	return page, nil
}

func milli(v int64) float64 { return float64(v) / 1000 }

func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), true
	case float64:
		return int64(n), true
	}
	return 0, false
}

// parts returns the four score parts as SQL expressions in thousandths of a point.
func (m *Matcher) parts(s *sql.Selector, pr *prepared) []sql.Querier {
	col := func(c string) string { return s.C(c) }
	num := m.real
	// skills: matched / skill_count, via a correlated count over the join table.
	skillsExpr := sql.ExprFunc(func(b *sql.Builder) {
		if len(pr.satisfied) == 0 {
			b.WriteString("0")
			return
		}
		b.WriteString("CASE WHEN ").Ident(col(opening.FieldSkillCount)).WriteString(" = 0 THEN 0 ELSE ROUND(")
		b.WriteString(fmt.Sprintf("%d000 * ", SkillsPoints))
		b.WriteString("(SELECT COUNT(*) FROM opening_skills os WHERE os.opening_id = ").Ident(col(opening.FieldID)).
			WriteString(" AND os.skill_id IN (")
		for i, id := range pr.satisfied {
			if i > 0 {
				b.Comma()
			}
			b.Arg(id)
		}
		b.WriteString(")) / (" + num("") + " ").Ident(col(opening.FieldSkillCount)).WriteString(")) END")
	})
	y := pr.p.ExperienceYears
	expExpr := sql.ExprFunc(func(b *sql.Builder) {
		minC, maxC := col(opening.FieldExperienceMinYears), col(opening.FieldExperienceMaxYears)
		b.WriteString("CASE WHEN ").Ident(minC).WriteString(" > ").Arg(y).
			WriteString(fmt.Sprintf(" THEN CASE WHEN ROUND(%d000 * (1 - (", ExperiencePoints)).Ident(minC).WriteString(" - ").Arg(y).
			WriteString(") / 3.0)) < 0 THEN 0 ELSE ").
			WriteString(fmt.Sprintf("ROUND(%d000 * (1 - (", ExperiencePoints)).Ident(minC).WriteString(" - ").Arg(y).WriteString(") / 3.0)) END").
			WriteString(" WHEN ").Ident(maxC).WriteString(" IS NOT NULL AND ").Ident(maxC).WriteString(" < ").Arg(y).
			WriteString(fmt.Sprintf(" THEN CASE WHEN ROUND(%d000 * (1 - (", ExperiencePoints)).Arg(y).WriteString(" - ").Ident(maxC).
			WriteString(fmt.Sprintf(") / 10.0)) < %d500 THEN %d500 ELSE ", ExperiencePoints/2, ExperiencePoints/2)).
			WriteString(fmt.Sprintf("ROUND(%d000 * (1 - (", ExperiencePoints)).Arg(y).WriteString(" - ").Ident(maxC).WriteString(") / 10.0)) END").
			WriteString(fmt.Sprintf(" ELSE %d000 END", ExperiencePoints))
	})
	locExpr := sql.ExprFunc(func(b *sql.Builder) {
		mode := col(opening.FieldWorkMode)
		b.WriteString("CASE")
		if len(pr.p.WorkModes) > 0 {
			b.WriteString(" WHEN ").Ident(mode).WriteString(" NOT IN (")
			for i, w := range pr.p.WorkModes {
				if i > 0 {
					b.Comma()
				}
				b.Arg(string(w))
			}
			b.WriteString(") THEN 0")
		}
		if !pr.cityGiven {
			b.WriteString(fmt.Sprintf(" WHEN 1 = 1 THEN %d000", LocationPoints))
		} else {
			b.WriteString(" WHEN ").Ident(mode).WriteString(" = ").Arg(string(opening.WorkModeREMOTE)).WriteString(fmt.Sprintf(" THEN %d000", LocationPoints))
			b.WriteString(" WHEN ").Ident(col(opening.FieldLocationID)).WriteString(" IN (")
			for i, id := range pr.cityIDs {
				if i > 0 {
					b.Comma()
				}
				b.Arg(id)
			}
			b.WriteString(fmt.Sprintf(") THEN %d000", LocationPoints))
			b.WriteString(" WHEN ").Ident(mode).WriteString(" = ").Arg(string(opening.WorkModeHYBRID)).WriteString(fmt.Sprintf(" THEN %d", LocationPoints*1000/4))
		}
		b.WriteString(" ELSE 0 END")
	})
	salExpr := sql.ExprFunc(func(b *sql.Builder) {
		e := pr.p.ExpectedSalary
		if e == nil || e.Annual() == 0 {
			b.WriteString(fmt.Sprintf("%d000", SalaryPoints))
			return
		}
		want := e.Annual()
		maxC, minC := col(opening.FieldSalaryMax), col(opening.FieldSalaryMin)
		annual := func(b *sql.Builder) {
			b.WriteString("(CASE WHEN ").Ident(col(opening.FieldSalaryPeriod)).WriteString(" = 'MONTH' THEN 12 ELSE 1 END * COALESCE(").
				Ident(maxC).Comma().Ident(minC).WriteString("))")
		}
		b.WriteString("CASE WHEN ").Ident(minC).WriteString(" IS NULL OR ").Ident(col(opening.FieldSalaryCurrency)).WriteString(" <> ").Arg(strings.ToUpper(e.Currency)).
			WriteString(fmt.Sprintf(" THEN %d WHEN ", SalaryPoints*1000/2))
		annual(b)
		b.WriteString(" >= ").Arg(want).WriteString(fmt.Sprintf(" THEN %d000 ELSE ROUND(%d000 * ", SalaryPoints, SalaryPoints))
		annual(b)
		b.WriteString(" / (" + num("") + " ").Arg(want).WriteString(")) END")
	})
	return []sql.Querier{castInt(skillsExpr), castInt(expExpr), castInt(locExpr), castInt(salExpr)}
}

// real returns the cast that makes a division fractional on this database.
func (m *Matcher) real(string) string {
	if m.dialect == dialect.Postgres {
		return "CAST(1.0 AS DOUBLE PRECISION) *"
	}
	return "1.0 *"
}

func castInt(q sql.Querier) sql.Querier {
	return sql.ExprFunc(func(b *sql.Builder) { b.WriteString("CAST(").Join(q).WriteString(" AS BIGINT)") })
}

func sum(qs ...sql.Querier) sql.Querier {
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("(")
		for i, q := range qs {
			if i > 0 {
				b.WriteString(" + ")
			}
			b.Join(q)
		}
		b.WriteString(")")
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
