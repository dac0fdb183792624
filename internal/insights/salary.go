package insights

import (
	"context"
	"slices"
	"strings"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/company"
	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/predicate"
	"github.com/careergraph/careergraph/ent/salaryrecord"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/pay"
)

// SalaryQuery is a salary question. Country is required: pay is only comparable within one
// country's currency. Every other dimension is optional, and each one given narrows the data
// points; any combination may be asked.
type SalaryQuery struct {
	// Role is a role slug; nil: every role.
	Role *string
	// Country is an ISO 3166-1 alpha-2 code.
	Country string
	// City is a city name (case-insensitive) or location slug in Country.
	City *string
	// Company and Skill are slugs (a skill may also be named, case-insensitively).
	Company, Skill *string
	Level          *salaryrecord.Level
	// ExperienceYears keeps openings whose experience range fits it and levelled records
	// whose range contains it (see levelYears).
	ExperienceYears *int
}

// Salary are pay figures from both sources; Best is the one to show. The points behind them
// are kept so that the same answer can say how pay varies by city, company and skill
// (Groups), without another look at the database beyond naming the groups.
type Salary struct {
	Best     *Stats
	Openings *Stats
	Records  *Stats

	openingPoints []point
	recordPoints  []point
	// groupRecords are the records that differ from the question only in one dimension
	// (a city, company or skill the question leaves open), for Groups on SALARY_RECORDS.
	groupRecords []point
	currency     string
	client       *ent.Client
}

// point is one data point (annualised, whole currency units) with the dimensions it belongs
// to. skills are the opening's skills (or the record's one skill).
type point struct {
	value             int64
	location, company int
	skills            matching.Skills
	// open is the one dimension a group record narrows that the question leaves open.
	open Dimension
}

// MinOpeningsForBest is how many advertised ranges outweigh curated salary records.
const MinOpeningsForBest = 5

// levelYears is the experience range a level stands for, in years (max -1: open), when a
// record does not carry its own: FRESHER 0-2, MID 3-6, SENIOR 7 and up. It is also how a
// level question selects openings (by their minimum years).
func levelYears(l salaryrecord.Level) (lo, hi int) {
	switch l {
	case salaryrecord.LevelFRESHER:
		return 0, 2
	case salaryrecord.LevelMID:
		return 3, 6
	default:
		return 7, -1
	}
}

// SalaryInsights computes pay percentiles for q from two sources: live openings' advertised
// ranges (each contributes the annualised midpoint of its range; read from the matching index)
// and salary records (each its median, else the midpoint of its range, else its minimum when
// open-ended). Percentiles are nearest-rank. Best is the openings' figures when at least
// MinOpeningsForBest openings advertise pay, else the records'. Amounts are per year.
//
// Records match a dimension the question gives by equality, and one it leaves open only when
// the record is not narrowed by it either (a company's record does not answer a question about
// the whole city): a record's narrowing describes a subset. The role is the exception (every
// record has one): without a role, every role's records count. Without a level or
// experienceYears, the typical records and every level's count; with experienceYears,
// levelled records whose experience range contains it (the record's own range, else
// levelYears).
//
// An unknown role, city, company or skill is a BAD_USER_INPUT error naming the argument; nil
// (no error) when there is no data.
func (s *Service) SalaryInsights(ctx context.Context, q SalaryQuery) (*Salary, error) {
	country := strings.ToUpper(strings.TrimSpace(q.Country))
	if len(country) != 2 {
		return nil, apperr.BadInput("country", "country %q: send an ISO 3166-1 alpha-2 code such as \"IN\"", q.Country)
	}
	if q.ExperienceYears != nil && (*q.ExperienceYears < 0 || *q.ExperienceYears > 60) {
		return nil, apperr.BadInput("experienceYears", "experienceYears: %d is out of range: send 0 to 60", *q.ExperienceYears)
	}
	var rid, cid, sid int
	var err error
	if q.Role != nil {
		if rid, err = s.roleID(ctx, "role", *q.Role); err != nil {
			return nil, err
		}
	}
	var cityIDs []int
	if q.City != nil {
		if cityIDs, err = matching.CityIDs(ctx, s.client, "city", *q.City, country); err != nil {
			return nil, err
		}
	}
	if q.Company != nil {
		c, err := s.client.Company.Query().Where(company.Slug(strings.ToLower(strings.TrimSpace(*q.Company)))).OnlyID(ctx)
		if ent.IsNotFound(err) {
			return nil, apperr.BadInput("company", "unknown company %q: send a company slug", *q.Company)
		}
		if err != nil {
			return nil, err
		}
		cid = c
	}
	// A skill group also stands for its members on openings: a Java opening is a
	// "Node.js / Java / Python" opening.
	var skillSet []int
	if q.Skill != nil {
		name := strings.TrimSpace(*q.Skill)
		sk, err := s.client.Skill.Query().Where(skill.Or(skill.Slug(strings.ToLower(name)), skill.NameEqualFold(name))).
			WithMembers().Only(ctx)
		if ent.IsNotFound(err) {
			return nil, apperr.BadInput("skill", "unknown skill %q: send a skill slug or name such as \"docker\"", *q.Skill)
		}
		if err != nil {
			return nil, err
		}
		sid = sk.ID
		skillSet = append(skillSet, sk.ID)
		for _, m := range sk.Edges.Members {
			skillSet = append(skillSet, m.ID)
		}
	}
	currency, err := s.currency(ctx, rid, country)
	if err != nil {
		return nil, err
	}
	out := &Salary{currency: currency, client: s.client}

	// Records, a handful per role: read and summarised here.
	rp := []predicate.SalaryRecord{salaryrecord.CountryCode(country), salaryrecord.Currency(currency)}
	if rid != 0 {
		rp = append(rp, salaryrecord.RoleID(rid))
	}
	switch {
	case q.Level != nil:
		rp = append(rp, salaryrecord.LevelEQ(*q.Level))
	case q.ExperienceYears != nil:
		rp = append(rp, salaryrecord.LevelNotNil())
	}
	recs, err := s.client.SalaryRecord.Query().Where(rp...).All(ctx)
	if err != nil {
		return nil, err
	}
	inCity := func(id *int) bool { return id != nil && slices.Contains(cityIDs, *id) }
	for _, r := range recs {
		if q.ExperienceYears != nil && !recordFits(r, *q.ExperienceYears) {
			continue
		}
		// How the record differs from the question: each dimension either matches or is one
		// the question leaves open and the record narrows.
		open := 0
		dims := [3]bool{}
		switch {
		case q.City != nil && !inCity(r.LocationID):
			continue
		case q.City == nil && r.LocationID != nil:
			open++
			dims[0] = true
		}
		switch {
		case q.Company != nil && (r.CompanyID == nil || *r.CompanyID != cid):
			continue
		case q.Company == nil && r.CompanyID != nil:
			open++
			dims[1] = true
		}
		switch {
		case q.Skill != nil && (r.SkillID == nil || *r.SkillID != sid):
			continue
		case q.Skill == nil && r.SkillID != nil:
			open++
			dims[2] = true
		}
		p := point{value: recordValue(r)}
		if r.LocationID != nil {
			p.location = *r.LocationID
		}
		if r.CompanyID != nil {
			p.company = *r.CompanyID
		}
		if r.SkillID != nil {
			p.skills = matching.SkillList(*r.SkillID)
		}
		switch open {
		case 0:
			out.recordPoints = append(out.recordPoints, p)
		case 1:
			p.open = Dimension(slices.Index(dims[:], true))
			out.groupRecords = append(out.groupRecords, p)
		}
	}
	out.Records = statsOf(BasisSalaryRecords, currency, values(out.recordPoints))

	// Openings: read from the matching index, which holds every live opening's pay.
	locs := map[int]bool{}
	if cityIDs != nil {
		for _, id := range cityIDs {
			locs[id] = true
		}
	} else {
		ids, err := s.client.Location.Query().Where(location.CountryCode(country)).IDs(ctx)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			locs[id] = true
		}
	}
	minYears, maxYears := 0, -1
	if q.Level != nil {
		minYears, maxYears = levelYears(*q.Level)
	}
	err = s.matcher.PayEach(ctx, currency, func(o matching.PayOpening, has func(int) bool, skills matching.Skills) {
		if rid != 0 && o.Role != rid || !locs[o.Location] || cid != 0 && o.Company != cid {
			return
		}
		if o.ExpMin < minYears || maxYears >= 0 && o.ExpMin > maxYears {
			return
		}
		if n := q.ExperienceYears; n != nil && (*n < o.ExpMin || o.ExpMax >= 0 && *n > o.ExpMax) {
			return
		}
		if skillSet != nil && !slices.ContainsFunc(skillSet, has) {
			return
		}
		out.openingPoints = append(out.openingPoints, point{value: o.Mid, location: o.Location, company: o.Company, skills: skills})
	})
	if err != nil {
		return nil, err
	}
	out.Openings = statsOf(BasisOpenings, currency, values(out.openingPoints))
	switch {
	case out.Openings != nil && out.Openings.Count >= MinOpeningsForBest:
		out.Best = out.Openings
	case out.Records != nil:
		out.Best = out.Records
	default:
		out.Best = out.Openings
	}
	return out, nil
}

// recordFits reports whether a levelled record's experience range contains n: the record's own
// range where it has one, else its level's (levelYears).
func recordFits(r *ent.SalaryRecord, n int) bool {
	if r.Level == nil {
		return false
	}
	lo, hi := levelYears(*r.Level)
	if r.ExperienceMinYears != nil {
		lo = *r.ExperienceMinYears
	}
	if r.ExperienceMaxYears != nil {
		hi = *r.ExperienceMaxYears
	}
	return n >= lo && (hi < 0 || n <= hi)
}

// recordValue is a record's data point per year: its median, else the midpoint of its range,
// else its minimum when open-ended.
func recordValue(r *ent.SalaryRecord) int64 {
	v := pay.Midpoint(&r.MinAmount, r.MaxAmount)
	if r.MedianAmount != nil {
		v = *r.MedianAmount
	}
	return pay.Annual(v, r.Period == salaryrecord.PeriodMONTH)
}

func values(ps []point) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.value
	}
	return out
}

// Dimension is what Groups splits pay by.
type Dimension int

// The dimensions the seed page's caveat names ("varies by city, company and skills").
const (
	ByCity Dimension = iota
	ByCompany
	BySkill
)

// MinGroupOpenings is the fewest openings a group needs to be reported on the OPENINGS basis:
// fewer say more about one employer than about a city or skill. On the SALARY_RECORDS basis
// one record is enough: a curated record already summarises many salaries.
const MinGroupOpenings = 3

// MaxGroups caps the groups one answer lists.
const MaxGroups = 50

// Group is the pay of one city, company or skill within an answer. Exactly one of City,
// Company and Skill is set.
type Group struct {
	City    *ent.Location
	Company *ent.Company
	Skill   *ent.Skill
	Stats   *Stats
}

// Groups splits the answer's data points by d and returns the first groups by median pay,
// highest first (ties: more data points first, then lower ID), each with at least
// MinGroupOpenings openings (or one record). It splits the points of the answer's basis: live openings (an
// opening counts for its city, its company and each skill it asks for), or salary records
// that narrow the question by exactly that one dimension. A dimension the question fixes
// has one group. It costs one statement (naming the groups), none when there are none.
func (s *Salary) Groups(ctx context.Context, d Dimension, first int) ([]*Group, error) {
	if first < 0 || first > MaxGroups {
		return nil, apperr.BadInput("first", "first: %d is out of range: ask for 0 to %d groups", first, MaxGroups)
	}
	if s == nil || s.Best == nil || first == 0 {
		return []*Group{}, nil
	}
	basis := s.Best.Basis
	pts := s.openingPoints
	if basis == BasisSalaryRecords {
		pts = slices.Clip(s.recordPoints)
		for _, p := range s.groupRecords {
			if p.open == d {
				pts = append(pts, p)
			}
		}
	}
	by := map[int][]int64{}
	for _, p := range pts {
		switch d {
		case ByCity:
			if p.location != 0 {
				by[p.location] = append(by[p.location], p.value)
			}
		case ByCompany:
			if p.company != 0 {
				by[p.company] = append(by[p.company], p.value)
			}
		case BySkill:
			p.skills.Each(func(sk int) { by[sk] = append(by[sk], p.value) })
		}
	}
	type row struct {
		id int
		st *Stats
	}
	least := MinGroupOpenings
	if basis == BasisSalaryRecords {
		least = 1
	}
	rows := make([]row, 0, len(by))
	for id, vs := range by {
		if len(vs) >= least {
			rows = append(rows, row{id, statsOf(basis, s.currency, vs)})
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		switch {
		case a.st.Median != b.st.Median:
			return b.st.Median - a.st.Median
		case a.st.Count != b.st.Count:
			return b.st.Count - a.st.Count
		}
		return a.id - b.id
	})
	rows = rows[:min(first, len(rows))]
	if len(rows) == 0 {
		return []*Group{}, nil
	}
	ids := make([]int, len(rows))
	for i, r := range rows {
		ids[i] = r.id
	}
	out := make([]*Group, 0, len(rows))
	switch d {
	case ByCity:
		ls, err := s.client.Location.Query().Where(location.IDIn(ids...)).All(ctx)
		if err != nil {
			return nil, err
		}
		byID := map[int]*ent.Location{}
		for _, l := range ls {
			byID[l.ID] = l
		}
		for _, r := range rows {
			if l := byID[r.id]; l != nil {
				out = append(out, &Group{City: l, Stats: r.st})
			}
		}
	case ByCompany:
		cs, err := s.client.Company.Query().Where(company.IDIn(ids...)).All(ctx)
		if err != nil {
			return nil, err
		}
		byID := map[int]*ent.Company{}
		for _, c := range cs {
			byID[c.ID] = c
		}
		for _, r := range rows {
			if c := byID[r.id]; c != nil {
				out = append(out, &Group{Company: c, Stats: r.st})
			}
		}
	case BySkill:
		ss, err := s.client.Skill.Query().Where(skill.IDIn(ids...)).All(ctx)
		if err != nil {
			return nil, err
		}
		byID := map[int]*ent.Skill{}
		for _, k := range ss {
			byID[k.ID] = k
		}
		for _, r := range rows {
			if k := byID[r.id]; k != nil {
				out = append(out, &Group{Skill: k, Stats: r.st})
			}
		}
	}
	return out, nil
}

// The top-level figures, from Best (the GraphQL SalaryInsights type reads these).

// Basis is Best's basis.
func (s *Salary) Basis() Basis { return s.Best.Basis }

// Currency is the currency of every figure.
func (s *Salary) Currency() string { return s.Best.Currency }

// Count is Best's number of data points.
func (s *Salary) Count() int { return s.Best.Count }

// Min is Best's minimum.
func (s *Salary) Min() int { return s.Best.Min }

// P25 is Best's 25th percentile.
func (s *Salary) P25() int { return s.Best.P25 }

// Median is Best's median.
func (s *Salary) Median() int { return s.Best.Median }

// P75 is Best's 75th percentile.
func (s *Salary) P75() int { return s.Best.P75 }

// Max is Best's maximum.
func (s *Salary) Max() int { return s.Best.Max }

// FromOpenings are the figures from live openings.
func (s *Salary) FromOpenings() *Stats { return s.Openings }

// FromSalaryRecords are the figures from salary records.
func (s *Salary) FromSalaryRecords() *Stats { return s.Records }
