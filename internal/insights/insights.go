// Package insights answers market questions from the live openings and salary records: which
// skills are most in demand ("the most in-demand skills on listings today") and what a role pays.
// Live openings are counted and their pay summarised on the matching package's in-memory index
// of them (no openings are read from the database); salary records, a handful per role, are read
// and summarised here.
package insights

import (
	"context"
	"slices"
	"strings"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/predicate"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/salaryrecord"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/pay"
)

// Service answers market questions.
type Service struct {
	client  *ent.Client
	matcher *matching.Matcher
}

// New returns a Service over client, counting demand and openings' pay on matcher's index.
func New(client *ent.Client, matcher *matching.Matcher) *Service {
	return &Service{client: client, matcher: matcher}
}

// Demand is one skill's demand.
type Demand struct {
	Skill    *ent.Skill
	Openings int
	// Share is Openings over all live openings in scope, from 0 to 1.
	Share float64
}

// MaxDemand caps skillDemand's first.
const MaxDemand = 100

// roleID resolves a role slug; an unknown slug is a BAD_USER_INPUT error naming the argument.
func (s *Service) roleID(ctx context.Context, arg, slug string) (int, error) {
	id, err := s.client.Role.Query().Where(role.Slug(slug)).OnlyID(ctx)
	if ent.IsNotFound(err) {
		return 0, apperr.BadInput(arg, "unknown role %q: send a role slug such as \"backend-developer\"", slug)
	}
	return id, err
}

// SkillDemand ranks skills by the number of live openings that ask for them, optionally for one
// role and one city, most in demand first (ties by skill ID, the older skill first). It counts
// on the matching index (matching.Matcher.Demand), which holds every live opening's skills.
func (s *Service) SkillDemand(ctx context.Context, roleSlug, city *string, first int) ([]*Demand, error) {
	if first < 0 || first > MaxDemand {
		return nil, apperr.BadInput("first", "first: %d is out of range: ask for 0 to %d skills", first, MaxDemand)
	}
	var rid *int
	if roleSlug != nil {
		id, err := s.roleID(ctx, "role", *roleSlug)
		if err != nil {
			return nil, err
		}
		rid = &id
	}
	var locs []int
	if city != nil {
		ids, err := matching.CityIDs(ctx, s.client, "city", *city, "")
		if err != nil {
			return nil, err
		}
		locs = ids
	}
	counts, total, err := s.matcher.Demand(ctx, rid, locs)
	if err != nil || total == 0 || first == 0 {
		return []*Demand{}, err
	}
	type row struct{ skill, n int }
	rows := make([]row, 0, len(counts))
	for id, n := range counts {
		rows = append(rows, row{id, n})
	}
	slices.SortFunc(rows, func(a, b row) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return a.skill - b.skill
	})
	rows = rows[:min(first, len(rows))]
	ids := make([]int, len(rows))
	for i, r := range rows {
		ids[i] = r.skill
	}
	skills, err := s.client.Skill.Query().Where(skill.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[int]*ent.Skill{}
	for _, sk := range skills {
		byID[sk.ID] = sk
	}
	out := make([]*Demand, 0, len(rows))
	for _, r := range rows {
		if sk := byID[r.skill]; sk != nil {
			out = append(out, &Demand{Skill: sk, Openings: r.n, Share: float64(r.n) / float64(total)})
		}
	}
	return out, nil
}

// Basis says which data salary figures come from.
type Basis string

// The bases.
const (
	BasisOpenings      Basis = "OPENINGS"
	BasisSalaryRecords Basis = "SALARY_RECORDS"
)

// Stats are salary figures over a set of data points, in whole currency units per year.
type Stats struct {
	Basis                      Basis
	Currency                   string
	Count                      int
	Min, P25, Median, P75, Max int
}

// Salary are a role's pay figures from both sources; Best is the one to show.
type Salary struct {
	Best     *Stats
	Openings *Stats
	Records  *Stats
}

// MinOpeningsForBest is how many advertised ranges outweigh curated salary records.
const MinOpeningsForBest = 5

// SalaryInsights computes pay percentiles for a role in a country (optionally a city and a level)
// from two sources: live openings' advertised ranges (each contributes the annualised midpoint of
// its range; read from the matching index) and salary records (each its median, else the midpoint of its range, else its
// minimum when open-ended). Percentiles are nearest-rank. Best is the openings' figures when at
// least MinOpeningsForBest openings advertise pay, else the records'. Amounts are per year.
func (s *Service) SalaryInsights(ctx context.Context, roleSlug, country string, city *string, level *salaryrecord.Level) (*Salary, error) {
	country = strings.ToUpper(strings.TrimSpace(country))
	if len(country) != 2 {
		return nil, apperr.BadInput("country", "country %q: send an ISO 3166-1 alpha-2 code such as \"IN\"", country)
	}
	rid, err := s.roleID(ctx, "role", roleSlug)
	if err != nil {
		return nil, err
	}
	var cityIDs []int
	if city != nil {
		if cityIDs, err = matching.CityIDs(ctx, s.client, "city", *city, country); err != nil {
			return nil, err
		}
	}
	// Records: the role's, in the country, of the level (or the typical ones without a level).
	rp := []predicate.SalaryRecord{salaryrecord.RoleID(rid), salaryrecord.CountryCode(country),
		salaryrecord.CompanyIDIsNil(), salaryrecord.SkillIDIsNil()}
	if level != nil {
		rp = append(rp, salaryrecord.LevelEQ(*level))
	}
	if cityIDs != nil {
		rp = append(rp, salaryrecord.LocationIDIn(cityIDs...))
	} else {
		rp = append(rp, salaryrecord.LocationIDIsNil())
	}
	currency, err := s.currency(ctx, rid, country)
	if err != nil {
		return nil, err
	}
	out := &Salary{}
	// Records are curated, a handful per role: their points are read and summarised here.
	recs, err := s.client.SalaryRecord.Query().Where(append(rp, salaryrecord.Currency(currency))...).All(ctx)
	if err != nil {
		return nil, err
	}
	points := make([]int64, len(recs))
	for i, r := range recs {
		v := pay.Midpoint(&r.MinAmount, r.MaxAmount)
		if r.MedianAmount != nil {
			v = *r.MedianAmount
		}
		points[i] = pay.Annual(v, r.Period == salaryrecord.PeriodMONTH)
	}
	out.Records = statsOf(BasisSalaryRecords, currency, points)
	// Openings: read from the matching index, which holds every live opening's pay.
	locs := cityIDs
	if locs == nil {
		if locs, err = s.client.Location.Query().Where(location.CountryCode(country)).IDs(ctx); err != nil {
			return nil, err
		}
	}
	minYears, maxYears := 0, -1
	if level != nil {
		switch *level {
		case salaryrecord.LevelFRESHER:
			maxYears = 2
		case salaryrecord.LevelMID:
			minYears, maxYears = 3, 6
		case salaryrecord.LevelSENIOR:
			minYears = 7
		}
	}
	pay, err := s.matcher.Pay(ctx, currency, rid, locs, minYears, maxYears)
	if err != nil {
		return nil, err
	}
	out.Openings = statsOf(BasisOpenings, currency, pay)
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

// currency is the currency the role's pay is quoted in for a country: its typical record's,
// else INR for India, else the most common among its openings there.
func (s *Service) currency(ctx context.Context, rid int, country string) (string, error) {
	rec, err := s.client.SalaryRecord.Query().Where(salaryrecord.RoleID(rid), salaryrecord.CountryCode(country)).
		Order(ent.Asc(salaryrecord.FieldID)).First(ctx)
	if err == nil {
		return rec.Currency, nil
	}
	if !ent.IsNotFound(err) {
		return "", err
	}
	if country == "IN" {
		return "INR", nil
	}
	o, err := s.client.Opening.Query().Where(opening.RoleID(rid), opening.SalaryCurrencyNotNil(),
		opening.HasLocationWith(location.CountryCode(country))).First(ctx)
	if ent.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return *o.SalaryCurrency, nil
}

// statsOf computes count, min, nearest-rank p25/median/p75 and max of values; nil when empty.
func statsOf(basis Basis, currency string, values []int64) *Stats {
	if len(values) == 0 {
		return nil
	}
	slices.Sort(values)
	n := len(values)
	at := func(p int) int { return int(values[(n*p+99)/100-1]) }
	return &Stats{Basis: basis, Currency: currency, Count: n, Min: int(values[0]), P25: at(25),
		Median: at(50), P75: at(75), Max: int(values[n-1])}
}
