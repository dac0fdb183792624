// Package insights answers market questions from the live openings and salary records: which
// skills are most in demand ("the most in-demand skills on listings today") and what a role pays.
// Live openings are counted and their pay summarised on the matching package's in-memory index
// of them (no openings are read from the database); salary records, a handful per role, are read
// and summarised here.
package insights

import (
	"context"
	"slices"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/predicate"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/salaryrecord"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/matching"
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
	// P10 and P90 are for schema.org's MonetaryAmountDistribution (SEO); nearest-rank too.
	P10, P90 int
}

// currency is the currency pay is quoted in for a country (for one role when rid is not 0):
// the first matching salary record's, else INR for India, else the first matching opening's.
func (s *Service) currency(ctx context.Context, rid int, country string) (string, error) {
	rp := []predicate.SalaryRecord{salaryrecord.CountryCode(country)}
	op := []predicate.Opening{opening.SalaryCurrencyNotNil(), opening.HasLocationWith(location.CountryCode(country))}
	if rid != 0 {
		rp = append(rp, salaryrecord.RoleID(rid))
		op = append(op, opening.RoleID(rid))
	}
	rec, err := s.client.SalaryRecord.Query().Where(rp...).Order(ent.Asc(salaryrecord.FieldID)).First(ctx)
	if err == nil {
		return rec.Currency, nil
	}
	if !ent.IsNotFound(err) {
		return "", err
	}
	if country == "IN" {
		return "INR", nil
	}
	o, err := s.client.Opening.Query().Where(op...).First(ctx)
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
	return &Stats{Basis: basis, Currency: currency, Count: n, Min: int(values[0]), P10: at(10), P25: at(25),
		Median: at(50), P75: at(75), P90: at(90), Max: int(values[n-1])}
}
