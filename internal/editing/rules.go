package editing

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/internal/apperr"
)

// Currencies are the ISO 4217 codes salary figures may be in. The list is short on purpose:
// a code outside it is far more likely a typo than a market we publish.
var Currencies = map[string]bool{
	"INR": true, "USD": true, "EUR": true, "GBP": true, "SGD": true, "AED": true,
	"AUD": true, "CAD": true, "JPY": true, "CHF": true, "CNY": true, "HKD": true,
	"SAR": true, "QAR": true, "NZD": true, "SEK": true, "NOK": true, "DKK": true,
	"MYR": true, "IDR": true, "THB": true, "PHP": true, "VND": true, "LKR": true,
	"BDT": true, "NPR": true, "PKR": true, "ZAR": true, "BRL": true, "MXN": true,
}

var (
	slugRe    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	countryRe = regexp.MustCompile(`^[A-Z]{2}$`)
)

// Slug checks the shape of a slug.
func Slug(field, s string) error {
	if len(s) == 0 || len(s) > 100 || !slugRe.MatchString(s) {
		return apperr.BadInput(field, "%s: %q is not a slug: use lower-case letters and digits in words joined by single hyphens, such as \"backend-developer\"", leaf(field), s)
	}
	return nil
}

// Currency checks that code is a known ISO 4217 code.
func Currency(field, code string) error {
	if !Currencies[code] {
		return apperr.BadInput(field, "%s: %q is not a known ISO 4217 currency code; send one such as INR, USD, EUR, GBP, SGD or AED", leaf(field), code)
	}
	return nil
}

// Country checks an ISO 3166-1 alpha-2 code in upper case.
func Country(field, code string) error {
	if !countryRe.MatchString(code) {
		return apperr.BadInput(field, "%s: %q is not an ISO 3166-1 alpha-2 country code in upper case, such as IN", leaf(field), code)
	}
	return nil
}

type number interface{ ~int | ~int64 | ~float64 }

// Range checks min <= max where both are known; maxField names the field blamed.
func Range[T number](maxField string, min T, max *T, minName string) error {
	if max != nil && *max < min {
		return apperr.BadInput(maxField, "%s: %v is less than %s (%v)", leaf(maxField), *max, minName, min)
	}
	return nil
}

// NonNegative checks that years or amounts are not below zero.
func NonNegative[T number](field string, v *T) error {
	if v != nil && *v < 0 {
		return apperr.BadInput(field, "%s: %v is negative", leaf(field), *v)
	}
	return nil
}

// First returns the first non-nil error.
func First(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Unique answers a duplicate of a unique field as an input error naming it, instead of the
// CONFLICT a constraint violation would give. taken counts the other rows holding the value.
func Unique(ctx context.Context, field, value string, taken func(context.Context) (int, error)) error {
	n, err := taken(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return apperr.BadInput(field, "%s: %q is already taken; choose another", leaf(field), value)
	}
	return nil
}

func leaf(field string) string {
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		return field[i+1:]
	}
	return field
}

// Role checks a role as it is after a change.
func Role(r *ent.Role) error {
	return First(
		Slug("input.slug", r.Slug),
		Range("input.experienceMaxYears", r.ExperienceMinYears, &r.ExperienceMaxYears, "experienceMinYears"),
	)
}

// SalaryRecord checks a salary record as it is after a change.
func SalaryRecord(s *ent.SalaryRecord) error {
	errs := []error{
		Country("input.countryCode", s.CountryCode),
		Currency("input.currency", s.Currency),
		Range("input.maxAmount", s.MinAmount, s.MaxAmount, "minAmount"),
	}
	if s.ExperienceMinYears != nil {
		errs = append(errs, Range("input.experienceMaxYears", *s.ExperienceMinYears, s.ExperienceMaxYears, "experienceMinYears"))
	}
	if s.P25Amount != nil {
		errs = append(errs, Range("input.p25Amount", s.MinAmount, s.P25Amount, "minAmount"))
	}
	if s.P25Amount != nil && s.MedianAmount != nil {
		errs = append(errs, Range("input.medianAmount", *s.P25Amount, s.MedianAmount, "p25Amount"))
	}
	if s.MedianAmount != nil && s.P75Amount != nil {
		errs = append(errs, Range("input.p75Amount", *s.MedianAmount, s.P75Amount, "medianAmount"))
	}
	if s.P75Amount != nil && s.MaxAmount != nil {
		errs = append(errs, Range("input.maxAmount", *s.P75Amount, s.MaxAmount, "p75Amount"))
	}
	return First(errs...)
}

// Opening checks an opening as it is after a change.
func Opening(o *ent.Opening) error {
	errs := []error{Range("input.experienceMaxYears", o.ExperienceMinYears, o.ExperienceMaxYears, "experienceMinYears")}
	if o.SalaryMin != nil {
		errs = append(errs, Range("input.salaryMax", *o.SalaryMin, o.SalaryMax, "salaryMin"))
	}
	if o.SalaryCurrency != nil {
		errs = append(errs, Currency("input.salaryCurrency", *o.SalaryCurrency))
	} else if o.SalaryMin != nil || o.SalaryMax != nil {
		errs = append(errs, apperr.BadInput("input.salaryCurrency", "salaryCurrency: required when salaryMin or salaryMax is given"))
	}
	if o.ValidThrough != nil && o.ValidThrough.Before(o.PostedAt) {
		errs = append(errs, apperr.BadInput("input.validThrough", "validThrough: is before postedAt"))
	}
	return First(errs...)
}

// Location checks a location as it is after a change.
func Location(l *ent.Location) error {
	return First(Slug("input.slug", l.Slug), Country("input.countryCode", l.CountryCode))
}

// Company checks a company as it is after a change.
func Company(c *ent.Company) error {
	return First(Slug("input.slug", c.Slug), WebURL("input.website", c.Website))
}

// CareerRoute checks a route as it is after a change.
func CareerRoute(r *ent.CareerRoute) error {
	if r.FromRoleID == r.ToRoleID {
		return apperr.BadInput("input.toID", "toID: a route must lead to another role")
	}
	return NonNegative("input.typicalYears", r.TypicalYears)
}

// RoleItem checks a responsibility, requirement or FAQ as it is after a change.
func RoleItem(i *ent.RoleItem) error {
	if i.Kind == "FAQ" && strings.TrimSpace(i.Answer) == "" {
		return apperr.BadInput("input.answer", "answer: an FAQ needs an answer")
	}
	return nil
}

// Skill checks a skill and its group membership as they are after a change: a skill with
// members is a group and needs groupMode; members are plain skills (groups nest one level).
// membersField names the input field that sets members ("input.memberIDs" when creating,
// "input.addMemberIDs" when updating).
func Skill(ctx context.Context, s *ent.Skill, membersField string) error {
	if err := Slug("input.slug", s.Slug); err != nil {
		return err
	}
	members, err := s.QueryMembers().All(ctx)
	if err != nil {
		return err
	}
	if len(members) > 0 && s.GroupMode == nil {
		return apperr.BadInput("input.groupMode", "groupMode: a skill with members is a group: say ANY_OF or ALL_OF")
	}
	for _, m := range members {
		if m.ID == s.ID {
			return apperr.BadInput(membersField, "%s: a skill cannot be a member of itself", leaf(membersField))
		}
		n, err := m.QueryMembers().Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 || m.GroupMode != nil {
			return apperr.BadInput(membersField, "%s: %s is a group; groups nest one level only, so members must be plain skills", leaf(membersField), m.Name)
		}
	}
	if len(members) > 0 {
		if n, err := s.QueryGroups().Count(ctx); err != nil {
			return err
		} else if n > 0 {
			return apperr.BadInput(membersField, "%s: %s is a member of a group, so it cannot have members itself", leaf(membersField), s.Name)
		}
	}
	return nil
}

// NotFound is the error for an id that names nothing of the expected type.
func NotFound(field string, id int) error {
	return &apperr.Error{Code: apperr.CodeNotFound, Field: field, Message: fmt.Sprintf("%s: nothing with id %d", leaf(field), id)}
}
