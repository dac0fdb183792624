package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/careergraph/careergraph/ent/opening"
)

// jobPosting is the part of schema.org JobPosting the importer reads. Properties that may be
// one value or a list, text or an object, are kept raw and read by the functions below.
type jobPosting struct {
	Title                         string          `json:"title"`
	Description                   string          `json:"description"`
	DatePosted                    string          `json:"datePosted"`
	ValidThrough                  string          `json:"validThrough"`
	EmploymentType                json.RawMessage `json:"employmentType"`
	HiringOrganization            json.RawMessage `json:"hiringOrganization"`
	JobLocation                   json.RawMessage `json:"jobLocation"`
	JobLocationType               json.RawMessage `json:"jobLocationType"`
	ApplicantLocationRequirements json.RawMessage `json:"applicantLocationRequirements"`
	BaseSalary                    json.RawMessage `json:"baseSalary"`
	Identifier                    json.RawMessage `json:"identifier"`
	URL                           string          `json:"url"`
	ExperienceRequirements        json.RawMessage `json:"experienceRequirements"`
	Skills                        json.RawMessage `json:"skills"`
}

// Org is a posting's hiringOrganization.
type Org struct{ Name, URL string }

// Address is a posting's jobLocation (a PostalAddress).
type Address struct{ City, Region, Country string }

// Draft is a posting mapped to the graph's terms, before it has database IDs.
type Draft struct {
	ExternalID         string
	Title              string
	Org                Org
	Address            *Address // nil for a remote opening with no office
	WorkMode           opening.WorkMode
	EmploymentType     opening.EmploymentType
	ExpMin             int
	ExpMax             *int
	SalaryMin          *int64
	SalaryMax          *int64
	SalaryCurrency     string
	SalaryPeriod       opening.SalaryPeriod
	PostedAt           time.Time
	ValidThrough       *time.Time
	URL                string
	DescriptionHTML    string
	Description        string // plain text
	SkillNames         []string
	ApplicantLocations []string
}

// reject is a record's reason for refusal.
type reject struct{ reason string }

func (r reject) Error() string { return r.reason }

func rejectf(format string, args ...any) error { return reject{fmt.Sprintf(format, args...)} }

// maxExternalID is the longest identity the openings table keeps; a longer url is replaced by
// its hash.
const maxExternalID = 200

// identityOf is a posting's identity from its identifier and url: the identifier, else the
// url (replaced by "url:" and its hash when longer than maxExternalID).
func identityOf(ident json.RawMessage, url string) string {
	id := identifier(ident)
	if id == "" {
		id = strings.TrimSpace(url)
		if len(id) > maxExternalID {
			id = "url:" + hashHex([]byte(id))[:32]
		}
	}
	return id
}

// rawIdentity is the identity of a raw JobPosting, read without mapping it ("" when it has
// none or is not a JSON object): what a rejected or skipped record still lists.
func rawIdentity(raw json.RawMessage) string {
	var p struct {
		Identifier json.RawMessage `json:"identifier"`
		URL        string          `json:"url"`
	}
	if json.Unmarshal(raw, &p) != nil {
		return ""
	}
	return identityOf(p.Identifier, p.URL)
}

// parsePosting maps one JobPosting. A missing title, hiringOrganization or datePosted, a
// posting with neither identifier nor url, and an impossible salary are rejected.
func parsePosting(raw json.RawMessage) (*Draft, error) {
	var p jobPosting
	if err := json.Unmarshal(raw, &p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, rejectf("%s: expected %s, got %s", te.Field, te.Type, te.Value)
		}
		return nil, rejectf("malformed JSON: %s", jsonReason(err))
	}
	d := &Draft{Title: collapse(p.Title), URL: strings.TrimSpace(p.URL)}
	if d.Title == "" {
		return nil, rejectf("title: missing")
	}
	if len(d.Title) > 300 {
		return nil, rejectf("title: longer than 300 characters")
	}
	org, err := parseOrg(p.HiringOrganization)
	if err != nil {
		return nil, err
	}
	d.Org = org
	if strings.TrimSpace(p.DatePosted) == "" {
		return nil, rejectf("datePosted: missing")
	}
	if d.PostedAt, err = parseDate(p.DatePosted); err != nil {
		return nil, rejectf("datePosted: %v", err)
	}
	if s := strings.TrimSpace(p.ValidThrough); s != "" {
		t, err := parseDate(s)
		if err != nil {
			return nil, rejectf("validThrough: %v", err)
		}
		if t.Before(d.PostedAt) {
			return nil, rejectf("validThrough: before datePosted")
		}
		d.ValidThrough = &t
	}
	id := identityOf(p.Identifier, d.URL)
	if id == "" {
		return nil, rejectf("identifier: missing, and no url to identify the posting by")
	}
	if len(id) > maxExternalID {
		return nil, rejectf("identifier: longer than %d characters", maxExternalID)
	}
	d.ExternalID = id
	d.EmploymentType = employmentType(p.EmploymentType)
	telecommute := hasText(p.JobLocationType, "TELECOMMUTE")
	addrs, err := parseLocations(p.JobLocation)
	if err != nil {
		return nil, err
	}
	switch {
	case telecommute:
		d.WorkMode = opening.WorkModeREMOTE
	case len(addrs) == 0:
		return nil, rejectf("jobLocation: missing (required unless jobLocationType is TELECOMMUTE)")
	default:
		d.WorkMode = opening.WorkModeONSITE
	}
	if len(addrs) > 0 {
		d.Address = &addrs[0]
	}
	d.ApplicantLocations = names(p.ApplicantLocationRequirements)
	if err := parseSalary(p.BaseSalary, d); err != nil {
		return nil, err
	}
	d.ExpMin, d.ExpMax = experience(p.ExperienceRequirements)
	d.DescriptionHTML, d.Description = description(p.Description)
	d.SkillNames = skillNames(p.Skills)
	return d, nil
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// parseDate reads an ISO 8601 date or date-time; a date alone is midnight UTC.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 date", truncate(s, 40))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// text reads a value that may be a string, a number, or an object with a name or value.
func text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return collapse(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	var o struct {
		Name  json.RawMessage `json:"name"`
		Value json.RawMessage `json:"value"`
	}
	if json.Unmarshal(raw, &o) == nil {
		if v := text(o.Value); v != "" {
			return v
		}
		return text(o.Name)
	}
	return ""
}

// list reads a value that may be one item or an array of them.
func list(raw json.RawMessage) []json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] == '[' {
		var xs []json.RawMessage
		if json.Unmarshal(raw, &xs) == nil {
			return xs
		}
		return nil
	}
	return []json.RawMessage{raw}
}

func names(raw json.RawMessage) []string {
	var out []string
	for _, x := range list(raw) {
		if s := text(x); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func hasText(raw json.RawMessage, want string) bool {
	for _, s := range names(raw) {
		if strings.EqualFold(s, want) {
			return true
		}
	}
	return false
}

// identifier reads a PropertyValue's value, or a plain string or number.
func identifier(raw json.RawMessage) string {
	for _, x := range list(raw) {
		if s := text(x); s != "" {
			return s
		}
	}
	return ""
}

func parseOrg(raw json.RawMessage) (Org, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return Org{}, rejectf("hiringOrganization: missing")
	}
	var o struct {
		Name   json.RawMessage `json:"name"`
		SameAs json.RawMessage `json:"sameAs"`
		URL    json.RawMessage `json:"url"`
	}
	var out Org
	if raw[0] == '{' {
		if err := json.Unmarshal(raw, &o); err != nil {
			return Org{}, rejectf("hiringOrganization: %s", jsonReason(err))
		}
		out.Name = text(o.Name)
		if ss := names(o.SameAs); len(ss) > 0 {
			out.URL = ss[0]
		} else {
			out.URL = text(o.URL)
		}
	} else {
		out.Name = text(raw)
	}
	if out.Name == "" {
		return Org{}, rejectf("hiringOrganization.name: missing")
	}
	if len(out.Name) > 200 {
		return Org{}, rejectf("hiringOrganization.name: longer than 200 characters")
	}
	return out, nil
}

// parseLocations reads jobLocation: a Place (with an address that is a PostalAddress or a
// text), a PostalAddress, or a list of either.
func parseLocations(raw json.RawMessage) ([]Address, error) {
	var out []Address
	for i, x := range list(raw) {
		var place struct {
			Address json.RawMessage `json:"address"`
		}
		var a struct {
			Locality json.RawMessage `json:"addressLocality"`
			Region   json.RawMessage `json:"addressRegion"`
			Country  json.RawMessage `json:"addressCountry"`
		}
		if err := json.Unmarshal(x, &place); err != nil {
			if s := text(x); s != "" {
				out = append(out, Address{City: s})
				continue
			}
			return nil, rejectf("jobLocation[%d]: not a Place or PostalAddress", i)
		}
		src := x
		if len(bytes.TrimSpace(place.Address)) > 0 {
			src = place.Address
		}
		if err := json.Unmarshal(src, &a); err != nil {
			if s := text(src); s != "" {
				city, _, _ := strings.Cut(s, ",")
				out = append(out, Address{City: strings.TrimSpace(city)})
				continue
			}
			return nil, rejectf("jobLocation[%d].address: not a PostalAddress", i)
		}
		addr := Address{City: text(a.Locality), Region: text(a.Region), Country: text(a.Country)}
		if addr.City == "" {
			return nil, rejectf("jobLocation[%d].address.addressLocality: missing", i)
		}
		out = append(out, addr)
	}
	return out, nil
}

// employmentType maps schema.org's values to the schema's: FULL_TIME, PART_TIME; CONTRACTOR,
// TEMPORARY and PER_DIEM are CONTRACT; INTERN is INTERNSHIP. The first value that maps wins;
// with none (absent, VOLUNTEER, OTHER) the opening is FULL_TIME, the schema's default.
func employmentType(raw json.RawMessage) opening.EmploymentType {
	for _, s := range names(raw) {
		switch strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", "_")) {
		case "FULL_TIME", "FULLTIME":
			return opening.EmploymentTypeFULL_TIME
		case "PART_TIME", "PARTTIME":
			return opening.EmploymentTypePART_TIME
		case "CONTRACTOR", "CONTRACT", "TEMPORARY", "PER_DIEM":
			return opening.EmploymentTypeCONTRACT
		case "INTERN", "INTERNSHIP":
			return opening.EmploymentTypeINTERNSHIP
		}
	}
	return opening.EmploymentTypeFULL_TIME
}

// perYear annualises pay given per hour, day or week (2,080 hours, 260 days, 52 weeks a year);
// monthly pay keeps its period (the schema has MONTH), yearly is as it is.
var perYear = map[string]float64{"HOUR": 2080, "DAY": 260, "WEEK": 52, "MONTH": 1, "YEAR": 1}

// maxYearly is the most pay a year the importer believes (in any currency's units): beyond it
// a salary is impossible (a misplaced unit or a typo).
const maxYearly = 1e10

// parseSalary reads baseSalary: a MonetaryAmount whose value is a number or a
// QuantitativeValue (value, or minValue/maxValue, with unitText).
func parseSalary(raw json.RawMessage, d *Draft) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var m struct {
		Currency string          `json:"currency"`
		Value    json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return rejectf("baseSalary: not a MonetaryAmount")
	}
	var q struct {
		Value    *json.Number `json:"value"`
		Min      *json.Number `json:"minValue"`
		Max      *json.Number `json:"maxValue"`
		UnitText string       `json:"unitText"`
	}
	var lo, hi *float64
	num := func(n *json.Number, field string) (*float64, error) {
		if n == nil {
			return nil, nil
		}
		f, err := n.Float64()
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, rejectf("baseSalary.value.%s: not a number", field)
		}
		return &f, nil
	}
	var n json.Number
	var err error
	if json.Unmarshal(m.Value, &n) == nil {
		if lo, err = num(&n, "value"); err != nil {
			return err
		}
		hi = lo
		q.UnitText = "YEAR"
	} else if json.Unmarshal(m.Value, &q) == nil {
		if q.Value != nil {
			if lo, err = num(q.Value, "value"); err != nil {
				return err
			}
			hi = lo
		} else {
			if lo, err = num(q.Min, "minValue"); err != nil {
				return err
			}
			if hi, err = num(q.Max, "maxValue"); err != nil {
				return err
			}
		}
	} else {
		return rejectf("baseSalary.value: not a number or QuantitativeValue")
	}
	if lo == nil && hi == nil {
		return rejectf("baseSalary.value: no value, minValue or maxValue")
	}
	if lo == nil {
		lo = hi
	}
	if hi == nil {
		hi = lo
	}
	cur := strings.ToUpper(strings.TrimSpace(m.Currency))
	if len(cur) != 3 || strings.IndexFunc(cur, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return rejectf("baseSalary.currency: %q is not an ISO 4217 code", truncate(m.Currency, 10))
	}
	unit := strings.ToUpper(strings.TrimSpace(q.UnitText))
	if unit == "" {
		unit = "YEAR"
	}
	factor, ok := perYear[unit]
	if !ok {
		return rejectf("baseSalary.value.unitText: %q is not HOUR, DAY, WEEK, MONTH or YEAR", truncate(q.UnitText, 20))
	}
	if *lo <= 0 || *hi <= 0 {
		return rejectf("baseSalary: impossible salary (not positive)")
	}
	if *lo > *hi {
		return rejectf("baseSalary: impossible salary (minValue above maxValue)")
	}
	yearly := *hi * factor
	if unit == "MONTH" {
		yearly *= 12
	}
	if yearly > maxYearly {
		return rejectf("baseSalary: impossible salary (more than %.0f a year)", maxYearly)
	}
	d.SalaryPeriod = opening.SalaryPeriodYEAR
	if unit == "MONTH" {
		d.SalaryPeriod = opening.SalaryPeriodMONTH
	}
	a, b := int64(math.Round(*lo*factor)), int64(math.Round(*hi*factor))
	d.SalaryMin, d.SalaryMax, d.SalaryCurrency = &a, &b, cur
	return nil
}

var (
	yearsRange = regexp.MustCompile(`(?i)(\d{1,2})\s*(?:-|–|—|to)\s*(\d{1,2})\s*\+?\s*(?:years?|yrs?)`)
	yearsMin   = regexp.MustCompile(`(?i)(\d{1,2})\s*\+?\s*(?:years?|yrs?)`)
)

// experience reads experienceRequirements: OccupationalExperienceRequirements with
// monthsOfExperience (whole years, rounded down), or text such as "3+ years" or "2–5 years".
func experience(raw json.RawMessage) (int, *int) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0, nil
	}
	var o struct {
		Months *float64 `json:"monthsOfExperience"`
	}
	if raw[0] == '{' && json.Unmarshal(raw, &o) == nil && o.Months != nil {
		if *o.Months <= 0 {
			return 0, nil
		}
		return int(*o.Months / 12), nil
	}
	s := text(raw)
	if m := yearsRange.FindStringSubmatch(s); m != nil {
		lo, _ := strconv.Atoi(m[1])
		hi, _ := strconv.Atoi(m[2])
		if hi >= lo {
			return lo, &hi
		}
	}
	if m := yearsMin.FindStringSubmatch(s); m != nil {
		lo, _ := strconv.Atoi(m[1])
		return lo, nil
	}
	return 0, nil
}

// skillNames reads the skills property: text (comma-separated), DefinedTerms, or a list.
func skillNames(raw json.RawMessage) []string {
	var out []string
	for _, s := range names(raw) {
		for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
			if p := strings.TrimFunc(part, func(r rune) bool { return unicode.IsSpace(r) || r == '.' }); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
