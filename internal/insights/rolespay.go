package insights

import (
	"context"
	"strings"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/salaryrecord"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/matching"
)

// RolesPay is, for each of roleIDs, what SalaryInsights answers for that role and country with
// no other argument (its Best figures), for a list of roles at once: two statements whatever
// their number (the roles' salary records in the country, and the country's locations), plus
// one per role that has no salary record there when the country is not India (its currency is
// then its first opening's, as for SalaryInsights). TestRolesPayAgreesWithSalaryInsights holds
// the two to the same answers. A role with no data is absent from the map.
func (s *Service) RolesPay(ctx context.Context, roleIDs []int, country string) (map[int]*Stats, error) {
	country = strings.ToUpper(strings.TrimSpace(country))
	if len(country) != 2 {
		return nil, apperr.BadInput("country", "country %q: send an ISO 3166-1 alpha-2 code such as \"IN\"", country)
	}
	out := map[int]*Stats{}
	if len(roleIDs) == 0 {
		return out, nil
	}
	recs, err := s.client.SalaryRecord.Query().
		Where(salaryrecord.CountryCode(country), salaryrecord.RoleIDIn(roleIDs...)).
		Order(ent.Asc(salaryrecord.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	// The currency per role, as Service.currency decides it.
	currency := map[int]string{}
	for _, r := range recs {
		if _, ok := currency[r.RoleID]; !ok {
			currency[r.RoleID] = r.Currency
		}
	}
	for _, id := range roleIDs {
		if _, ok := currency[id]; ok {
			continue
		}
		c, err := s.currency(ctx, id, country) // INR for India without a statement
		if err != nil {
			return nil, err
		}
		currency[id] = c
	}
	records := map[int][]int64{}
	for _, r := range recs {
		// Country-wide records of the role: narrowed by no city, company or skill.
		if r.Currency == currency[r.RoleID] && r.LocationID == nil && r.CompanyID == nil && r.SkillID == nil {
			records[r.RoleID] = append(records[r.RoleID], recordValue(r))
		}
	}
	ids, err := s.client.Location.Query().Where(location.CountryCode(country)).IDs(ctx)
	if err != nil {
		return nil, err
	}
	locs := make(map[int]bool, len(ids))
	for _, id := range ids {
		locs[id] = true
	}
	wanted := map[int]bool{}
	byCurrency := map[string]bool{}
	for _, id := range roleIDs {
		wanted[id] = true
		byCurrency[currency[id]] = true
	}
	openings := map[int][]int64{}
	for cur := range byCurrency {
		if cur == "" {
			continue
		}
		err := s.matcher.PayEach(ctx, cur, func(o matching.PayOpening, _ func(int) bool, _ matching.Skills) {
			if wanted[o.Role] && currency[o.Role] == cur && locs[o.Location] {
				openings[o.Role] = append(openings[o.Role], o.Mid)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	for _, id := range roleIDs {
		fromOpenings := statsOf(BasisOpenings, currency[id], openings[id])
		fromRecords := statsOf(BasisSalaryRecords, currency[id], records[id])
		best := fromOpenings
		switch {
		case fromOpenings != nil && fromOpenings.Count >= MinOpeningsForBest:
		case fromRecords != nil:
			best = fromRecords
		}
		if best != nil {
			out[id] = best
		}
	}
	return out, nil
}
