// Package seo writes the head of a public page from the graph's data: a canonical path, a
// meta title and description (an editor's own, when set, else generated), and schema.org
// JSON-LD: Occupation for a role, JobPosting for an opening, DefinedTerm for a skill and City
// for a location. It is pure: resolvers gather the data, this package decides what to say.
//
// The JSON-LD follows schema.org's types and Google's documented structured-data
// requirements (developers.google.com/search/docs/appearance/structured-data/job-posting and
// …/estimated-salary): a JobPosting always has title, description, datePosted,
// hiringOrganization and either jobLocation or, when fully remote, jobLocationType
// TELECOMMUTE with applicantLocationRequirements; and, where the data has them, the
// recommended validThrough, employmentType, baseSalary and identifier. An Occupation has
// name, occupationLocation and estimatedSalary as a MonetaryAmountDistribution with
// percentiles. URLs are left out: the frontend knows its origin and writes the absolute
// canonical URL from canonicalPath.
package seo

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/cluster"
	"github.com/careergraph/careergraph/internal/display"
	"github.com/careergraph/careergraph/internal/insights"
)

// Head is what a page's <head> needs.
type Head struct {
	CanonicalPath   string
	MetaTitle       string
	MetaDescription string
	JSONLD          map[string]any
}

// Limits of the generated texts, in characters: what search engines show before cutting.
const (
	MaxTitle       = 60
	MaxDescription = 160
)

// SiteName ends every generated title.
const SiteName = "careergraph"

const context_ = "https://schema.org"

// RoleData is what a role's head is made of.
type RoleData struct {
	Role       *ent.Role
	CoreSkills []*ent.Skill
	// Responsibilities and Requirements are the role's items of those kinds, in order.
	Responsibilities, Requirements []*ent.RoleItem
	// Country is the ISO 3166-1 country the page is about (occupationLocation).
	Country string
	// Salary is the role's typical pay in Country (nil: none); Stats its percentiles
	// (salaryInsights' answer; nil: none).
	Salary *cluster.Salary
	Stats  *insights.Stats
}

// Role is a role page's head: /roles/<slug>, and an Occupation.
func Role(d RoleData) Head {
	r := d.Role
	h := Head{CanonicalPath: "/roles/" + r.Slug}
	h.MetaTitle = pick(r.MetaTitle, title(r.Title+" Job Description, Skills & Salary", r.Title+": Job Description & Salary", r.Title+" Job Description"))
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%d–%d yrs)", r.Title, r.ExperienceMinYears, r.ExperienceMaxYears)
	if d.Salary != nil {
		fmt.Fprintf(&b, ": typically %s in %s", d.Salary.DisplayWithPeriod(), countryName(d.Country))
	}
	b.WriteString(".")
	if names := skillNames(d.CoreSkills, 3); len(names) > 0 {
		fmt.Fprintf(&b, " Core skills: %s and more.", strings.Join(names, ", "))
	}
	b.WriteString(" Responsibilities, requirements, FAQs and live openings.")
	h.MetaDescription = pick(r.MetaDescription, clip(b.String(), MaxDescription))

	ld := map[string]any{
		"@context":             context_,
		"@type":                "Occupation",
		"name":                 r.Title,
		"description":          r.Summary,
		"occupationalCategory": occupationalCategory(r),
		"occupationLocation":   []any{map[string]any{"@type": "Country", "name": countryName(d.Country)}},
		"experienceRequirements": map[string]any{
			"@type":              "OccupationalExperienceRequirements",
			"monthsOfExperience": r.ExperienceMinYears * 12,
		},
	}
	if len(r.Aliases) > 0 {
		ld["alternateName"] = r.Aliases
	}
	if names := skillNames(d.CoreSkills, 0); len(names) > 0 {
		ld["skills"] = names
	}
	if t := texts(d.Responsibilities); len(t) > 0 {
		ld["responsibilities"] = t
	}
	if t := texts(d.Requirements); len(t) > 0 {
		ld["qualifications"] = t
	}
	if s := d.Stats; s != nil {
		ld["estimatedSalary"] = []any{map[string]any{
			"@type":        "MonetaryAmountDistribution",
			"name":         "base",
			"currency":     s.Currency,
			"duration":     "P1Y", // insights' figures are per year
			"percentile10": s.P10,
			"percentile25": s.P25,
			"median":       s.Median,
			"percentile75": s.P75,
			"percentile90": s.P90,
		}}
		ld["sampleSize"] = s.Count
	}
	h.JSONLD = ld
	return h
}

// OpeningData is what an opening's head is made of.
type OpeningData struct {
	Opening  *ent.Opening
	Company  *ent.Company
	Location *ent.Location // nil: fully remote without an office
	// HQCountry is the company's headquarters' country, the applicant location of a remote
	// opening when known.
	HQCountry string
	Skills    []*ent.Skill
}

// employmentTypes maps ours to Google's JobPosting values.
var employmentTypes = map[opening.EmploymentType]string{
	opening.EmploymentTypeFULL_TIME: "FULL_TIME", opening.EmploymentTypePART_TIME: "PART_TIME",
	opening.EmploymentTypeCONTRACT: "CONTRACTOR", opening.EmploymentTypeINTERNSHIP: "INTERN",
}

// Opening is an opening page's head: /jobs/<title-slug>-<id>, and a JobPosting.
func Opening(d OpeningData) Head {
	o := d.Opening
	h := Head{CanonicalPath: fmt.Sprintf("/jobs/%s-%d", slugify(o.Title), o.ID)}
	where := "Remote"
	if d.Location != nil {
		where = d.Location.City
	}
	company := ""
	if d.Company != nil {
		company = d.Company.Name
	}
	h.MetaTitle = pick(o.MetaTitle, title(o.Title+" at "+company+", "+where, o.Title+" at "+company, o.Title))
	pay := payText(o)
	var b strings.Builder
	fmt.Fprintf(&b, "%s is hiring a %s", company, o.Title)
	if d.Location != nil {
		fmt.Fprintf(&b, " in %s", d.Location.City)
	}
	if o.WorkMode != opening.WorkModeONSITE {
		fmt.Fprintf(&b, " (%s)", strings.ToLower(string(o.WorkMode)))
	}
	fmt.Fprintf(&b, ": %s", years(o))
	if pay != "" {
		fmt.Fprintf(&b, ", %s", pay)
	}
	b.WriteString(".")
	if names := skillNames(d.Skills, 4); len(names) > 0 {
		fmt.Fprintf(&b, " Skills: %s.", strings.Join(names, ", "))
	}
	generated := clip(b.String(), MaxDescription)
	h.MetaDescription = pick(o.MetaDescription, generated)

	desc := strings.TrimSpace(o.Description)
	if desc == "" {
		desc = b.String()
	}
	ld := map[string]any{
		"@context":       context_,
		"@type":          "JobPosting",
		"title":          o.Title,
		"description":    desc,
		"datePosted":     o.PostedAt.UTC().Format("2006-01-02"),
		"employmentType": employmentTypes[o.EmploymentType],
		"hiringOrganization": compact(map[string]any{
			"@type":  "Organization",
			"name":   company,
			"sameAs": companySite(d.Company),
		}),
		"identifier": map[string]any{"@type": "PropertyValue", "name": company, "value": o.ExternalID},
		"experienceRequirements": map[string]any{
			"@type":              "OccupationalExperienceRequirements",
			"monthsOfExperience": o.ExperienceMinYears * 12,
		},
	}
	if o.ValidThrough != nil {
		ld["validThrough"] = o.ValidThrough.UTC().Format("2006-01-02T15:04:05Z")
	}
	if names := skillNames(d.Skills, 0); len(names) > 0 {
		ld["skills"] = names
	}
	if d.Location != nil {
		ld["jobLocation"] = map[string]any{"@type": "Place", "address": compact(map[string]any{
			"@type":           "PostalAddress",
			"addressLocality": d.Location.City,
			"addressRegion":   d.Location.Region,
			"addressCountry":  d.Location.CountryCode,
		})}
	}
	if o.WorkMode == opening.WorkModeREMOTE {
		ld["jobLocationType"] = "TELECOMMUTE"
		country := d.HQCountry
		if country == "" && d.Location != nil {
			country = d.Location.CountryCode
		}
		if country == "" && o.SalaryCurrency != nil {
			country = currencyCountry[*o.SalaryCurrency]
		}
		if country != "" {
			ld["applicantLocationRequirements"] = map[string]any{"@type": "Country", "name": countryName(country)}
		}
	}
	if o.SalaryMin != nil && o.SalaryCurrency != nil {
		unit := "YEAR"
		if o.SalaryPeriod != nil && *o.SalaryPeriod == opening.SalaryPeriodMONTH {
			unit = "MONTH"
		}
		v := map[string]any{"@type": "QuantitativeValue", "unitText": unit, "minValue": *o.SalaryMin}
		if o.SalaryMax != nil {
			v["maxValue"] = *o.SalaryMax
		}
		ld["baseSalary"] = map[string]any{"@type": "MonetaryAmount", "currency": *o.SalaryCurrency, "value": v}
	}
	h.JSONLD = ld
	return h
}

// Skill is a skill page's head: /skills/<slug>, and a DefinedTerm.
func Skill(s *ent.Skill) Head {
	h := Head{CanonicalPath: "/skills/" + s.Slug}
	h.MetaTitle = pick(s.MetaTitle, title(s.Name+": Roles, Jobs & Interview Questions", s.Name+" Jobs"))
	d := s.Name + ": the roles that rank it as a core skill, live openings that ask for it, interview questions and pay."
	if len(s.Synonyms) > 0 {
		d += " Also written " + strings.Join(s.Synonyms, ", ") + "."
	}
	h.MetaDescription = pick(s.MetaDescription, clip(d, MaxDescription))
	ld := map[string]any{
		"@context": context_,
		"@type":    "DefinedTerm",
		"name":     s.Name,
		"termCode": s.Slug,
		"inDefinedTermSet": map[string]any{
			"@type": "DefinedTermSet",
			"name":  SiteName + " skills",
		},
	}
	if len(s.Synonyms) > 0 {
		ld["alternateName"] = s.Synonyms
	}
	h.JSONLD = ld
	return h
}

// Location is a city page's head: /locations/<slug>, and a City.
func Location(l *ent.Location) Head {
	h := Head{CanonicalPath: "/locations/" + l.Slug}
	area := countryName(l.CountryCode)
	if l.Region != "" {
		area = l.Region
	}
	h.MetaTitle = pick(l.MetaTitle, title("Jobs in "+l.City+", "+area, "Jobs in "+l.City))
	place := l.City
	if l.Region != "" {
		place += ", " + l.Region
	}
	place += ", " + countryName(l.CountryCode)
	h.MetaDescription = pick(l.MetaDescription, clip("Live openings, employers and pay in "+place+".", MaxDescription))
	ld := map[string]any{
		"@context": context_,
		"@type":    "City",
		"name":     l.City,
	}
	country := map[string]any{"@type": "Country", "name": countryName(l.CountryCode)}
	if l.Region != "" {
		ld["containedInPlace"] = map[string]any{"@type": "AdministrativeArea", "name": l.Region, "containedInPlace": country}
	} else {
		ld["containedInPlace"] = country
	}
	h.JSONLD = ld
	return h
}

// pick is the editor's text when set, else the generated one.
func pick(edited, generated string) string {
	if strings.TrimSpace(edited) != "" {
		return edited
	}
	return generated
}

// title is the first of the candidates that fits MaxTitle with " | careergraph", else the last
// candidate clipped.
func title(candidates ...string) string {
	for _, c := range candidates {
		if t := c + " | " + SiteName; utf8.RuneCountInString(t) <= MaxTitle {
			return t
		}
	}
	return clip(candidates[len(candidates)-1], MaxTitle)
}

// clip cuts s to at most n characters at a word boundary, ending with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	cut := strings.LastIndex(string(r), " ")
	if cut > 0 {
		return strings.TrimRight(string(r)[:cut], " ,.;:–-") + "…"
	}
	return string(r) + "…"
}

func skillNames(skills []*ent.Skill, n int) []string {
	var out []string
	for _, s := range skills {
		if n > 0 && len(out) == n {
			break
		}
		out = append(out, s.Name)
	}
	return out
}

func texts(items []*ent.RoleItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Text)
	}
	return out
}

func years(o *ent.Opening) string {
	if o.ExperienceMaxYears != nil {
		return fmt.Sprintf("%d–%d yrs", o.ExperienceMinYears, *o.ExperienceMaxYears)
	}
	return fmt.Sprintf("%d+ yrs", o.ExperienceMinYears)
}

func payText(o *ent.Opening) string {
	if o.SalaryMin == nil || o.SalaryCurrency == nil {
		return ""
	}
	period := "YEAR"
	if o.SalaryPeriod != nil {
		period = string(*o.SalaryPeriod)
	}
	return display.Range(*o.SalaryMin, o.SalaryMax, *o.SalaryCurrency, currencyCountry[*o.SalaryCurrency]) + display.PerPeriod(period)
}

func companySite(c *ent.Company) string {
	if c == nil {
		return ""
	}
	return c.Website
}

// compact drops empty strings from m.
func compact(m map[string]any) map[string]any {
	for k, v := range m {
		if s, ok := v.(string); ok && s == "" {
			delete(m, k)
		}
	}
	return m
}

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

func slugify(s string) string {
	s = strings.Trim(nonAlnum.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	if s == "" {
		return "job"
	}
	return s
}

var countries = map[string]string{
	"IN": "India", "US": "United States", "GB": "United Kingdom", "DE": "Germany", "FR": "France",
	"SG": "Singapore", "AE": "United Arab Emirates", "IE": "Ireland", "NL": "Netherlands", "CA": "Canada",
	"AU": "Australia",
}

// countryName is a country's English name, else its code.
func countryName(code string) string {
	if n, ok := countries[strings.ToUpper(code)]; ok {
		return n
	}
	return strings.ToUpper(code)
}

// currencyCountry is the country a currency most likely means, for a remote opening that
// names no other.
var currencyCountry = map[string]string{"INR": "IN", "USD": "US", "GBP": "GB", "SGD": "SG", "AED": "AE", "CAD": "CA", "AUD": "AU"}

// occupationalCategory is the role's codes as schema.org CategoryCodes, each naming its code
// set, else the family's name (schema.org allows Text; a code is what search engines read).
func occupationalCategory(r *ent.Role) any {
	var out []any
	for _, c := range []struct {
		code *string
		set  string
	}{{r.Isco08Code, "ISCO-08"}, {r.Nco2015Code, "NCO-2015"}, {r.OnetSocCode, "O*NET-SOC"}} {
		if c.code != nil && *c.code != "" {
			out = append(out, map[string]any{"@type": "CategoryCode", "codeValue": *c.code, "inCodeSet": c.set})
		}
	}
	if len(out) == 0 {
		return r.Family
	}
	return out
}
