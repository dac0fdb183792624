package search

import (
	"strconv"
	"strings"

	"entgo.io/ent/dialect/sql"

	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/predicate"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/pay"
	"github.com/careergraph/careergraph/internal/skills"
)

// MaxFilterSkills bounds a skill filter.
const MaxFilterSkills = 50

// ExperienceFit keeps openings that fit a candidate with years of experience:
// experience_min_years <= years <= experience_max_years (no maximum: any years above the minimum).
func ExperienceFit(field string, years int) (predicate.Opening, error) {
	if years < 0 || years > 60 {
		return nil, apperr.BadInput(field, "%s is %d; send whole years from 0 to 60", field, years)
	}
	return opening.And(
		opening.ExperienceMinYearsLTE(years),
		opening.Or(opening.ExperienceMaxYearsIsNil(), opening.ExperienceMaxYearsGTE(years)),
	), nil
}

// MinSalary keeps openings whose advertised pay reaches amount per year (a monthly amount is
// multiplied by 12 on both sides) in currency: the top of the range, or its bottom when it has
// no top. Openings without advertised pay, or in another currency, are left out.
func MinSalary(field string, amount int64, currency string, monthly bool) (predicate.Opening, error) {
	currency = strings.ToUpper(strings.TrimSpace(currency))
	if amount < 0 {
		return nil, apperr.BadInput(field+".amount", "%s.amount is negative; send an amount of at least 0", field)
	}
	if len(currency) != 3 {
		return nil, apperr.BadInput(field+".currency", "%s.currency %q: send an ISO 4217 code such as INR", field, currency)
	}
	annual := pay.Annual(amount, monthly)
	return func(s *sql.Selector) {
		// Column names are taken now: the selector may be aliased before the SQL is written.
		period, hi, lo := s.C(opening.FieldSalaryPeriod), s.C(opening.FieldSalaryMax), s.C(opening.FieldSalaryMin)
		s.Where(sql.And(
			sql.EQ(s.C(opening.FieldSalaryCurrency), currency),
			sql.P(func(b *sql.Builder) {
				b.WriteString("(CASE WHEN ").Ident(period).WriteString(" = 'MONTH' THEN " + strconv.Itoa(pay.MonthsPerYear) + " ELSE 1 END * COALESCE(").
					Ident(hi).Comma().Ident(lo).WriteString(")) >= ").Arg(annual)
			}),
		))
	}, nil
}

// Skills keeps openings that ask for all (or, with any, at least one) of the named skills. A
// name is matched through the vocabulary (names and synonyms, case-insensitive); a group also
// matches openings that list one of its members. Unknown names are a BAD_USER_INPUT error.
func Skills(field string, v *skills.Vocabulary, names []string, any bool) (predicate.Opening, error) {
	if len(names) > MaxFilterSkills {
		return nil, apperr.BadInput(field, "%s lists %d skills; send at most %d", field, len(names), MaxFilterSkills)
	}
	found, unknown := v.Resolve(names)
	if len(unknown) > 0 {
		return nil, apperr.BadInput(field, "unknown skill %q in %s: send skill names or synonyms such as \"Go\" or \"golang\"", unknown[0], field)
	}
	if len(found) == 0 {
		if any {
			return opening.IDIn(), nil // any of nothing: no opening
		}
		return opening.And(), nil // all of nothing: every opening
	}
	preds := make([]predicate.Opening, len(found))
	var all []int
	for i, s := range found {
		ids := v.Related(s.ID)
		preds[i] = opening.HasSkillsWith(skill.IDIn(ids...))
		all = append(all, ids...)
	}
	if any {
		return opening.HasSkillsWith(skill.IDIn(all...)), nil
	}
	return opening.And(preds...), nil
}
