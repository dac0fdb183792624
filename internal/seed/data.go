package seed

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
)

//go:embed data/*.json data/roles/*.json
var files embed.FS

// The JSON shapes of data/; FORMAT.md there documents them.
type (
	locationJSON struct {
		Slug        string `json:"slug"`
		City        string `json:"city"`
		Region      string `json:"region"`
		CountryCode string `json:"countryCode"`
		Source      string `json:"source"`
	}
	companyJSON struct {
		Slug         string `json:"slug"`
		Name         string `json:"name"`
		Industry     string `json:"industry"`
		Size         string `json:"size"`
		Website      string `json:"website"`
		Headquarters string `json:"headquarters"`
		Source       string `json:"source"`
	}
	skillJSON struct {
		Slug      string   `json:"slug"`
		Name      string   `json:"name"`
		Category  string   `json:"category"`
		Synonyms  []string `json:"synonyms"`
		GroupMode string   `json:"groupMode"`
		Members   []string `json:"members"`
		Source    string   `json:"source"`
	}
	bandJSON struct {
		Level              string `json:"level"`
		Min                int64  `json:"min"`
		Max                *int64 `json:"max"`
		ExperienceMinYears *int   `json:"experienceMinYears"`
		ExperienceMaxYears *int   `json:"experienceMaxYears"`
	}
	roleJSON struct {
		Slug               string   `json:"slug"`
		Title              string   `json:"title"`
		Family             string   `json:"family"`
		Source             string   `json:"source"`
		Summary            string   `json:"summary"`
		Overview           string   `json:"overview"`
		Aliases            []string `json:"aliases"`
		ExperienceMinYears int      `json:"experienceMinYears"`
		ExperienceMaxYears int      `json:"experienceMaxYears"`
		CoreSkills         []string `json:"coreSkills"`
		Responsibilities   []string `json:"responsibilities"`
		Requirements       []struct {
			Text  string `json:"text"`
			Skill string `json:"skill"`
		} `json:"requirements"`
		FAQs []struct {
			Question string `json:"question"`
			Answer   string `json:"answer"`
		} `json:"faqs"`
		Salary struct {
			Country  string     `json:"country"`
			Currency string     `json:"currency"`
			Period   string     `json:"period"`
			Min      int64      `json:"min"`
			Max      *int64     `json:"max"`
			Bands    []bandJSON `json:"bands"`
		} `json:"salary"`
		InterviewQuestions []struct {
			Kind        string `json:"kind"`
			Difficulty  string `json:"difficulty"`
			Skill       string `json:"skill"`
			Question    string `json:"question"`
			AnswerNotes string `json:"answerNotes"`
		} `json:"interviewQuestions"`
		Routes []struct {
			To           string   `json:"to"`
			Kind         string   `json:"kind"`
			TypicalYears *float64 `json:"typicalYears"`
		} `json:"routes"`
		Openings struct {
			Titles      []string `json:"titles"`
			ExtraSkills []string `json:"extraSkills"`
			Count       int      `json:"count"`
		} `json:"openings"`
	}
)

// codesJSON are a role's occupation codes (data/occupation-codes.json).
type codesJSON struct {
	ISCO08  string `json:"isco08"`
	NCO2015 string `json:"nco2015"`
	ONETSOC string `json:"onetSoc"`
}

// occupationCodesJSON is data/occupation-codes.json: the codes by role slug, with the code
// lists they come from.
type occupationCodesJSON struct {
	Sources map[string]string    `json:"sources"`
	Notes   string               `json:"notes"`
	Roles   map[string]codesJSON `json:"roles"`
}

// skillCodeJSON is a skill's ESCO concept (data/skill-codes.json): its URI, and the concept's
// preferred label and ESCO version so that a reader can check it.
type skillCodeJSON struct {
	EscoURI     string `json:"escoURI"`
	EscoLabel   string `json:"escoLabel"`
	EscoVersion string `json:"escoVersion"`
}

// skillCodesJSON is data/skill-codes.json: ESCO URIs by skill slug, with the datasets they
// come from.
type skillCodesJSON struct {
	Sources map[string]string        `json:"sources"`
	Notes   string                   `json:"notes"`
	Skills  map[string]skillCodeJSON `json:"skills"`
}

// Code patterns the loader checks; ent/schema/role.go and skill.go validate the same forms.
const (
	ISCO08Pattern  = `^[0-9]{4}$`
	NCO2015Pattern = `^[0-9]{4}(\.[0-9]{4})?$` // a family (2512) or an occupation (2512.0100)
	ONETSOCPattern = `^[0-9]{2}-[0-9]{4}\.[0-9]{2}$`
	EscoURIPattern = `^http://data\.europa\.eu/esco/skill/[0-9a-f-]{36}$`
)

// Data is the whole embedded seed, parsed and checked.
type Data struct {
	Locations []locationJSON
	Companies []companyJSON
	Skills    []skillJSON
	Roles     []roleJSON
	// Codes are the roles' occupation codes by slug (optional file).
	Codes map[string]codesJSON
	// SkillCodes are the skills' ESCO concepts by slug (optional file).
	SkillCodes map[string]skillCodeJSON
}

// EscoURIs are the ESCO URIs the seed gives skills, by skill slug.
func (d *Data) EscoURIs() map[string]string {
	out := make(map[string]string, len(d.SkillCodes))
	for slug, c := range d.SkillCodes {
		out[slug] = c.EscoURI
	}
	return out
}

// Parse reads and checks the embedded seed data.
func Parse() (*Data, error) { return ParseFS(files) }

// ParseFS is Parse over another file system laid out like data/; tests feed it broken data.
func ParseFS(fsys fs.FS) (*Data, error) {
	d := &Data{}
	for name, dst := range map[string]any{
		"data/locations.json": &d.Locations,
		"data/companies.json": &d.Companies,
		"data/skills.json":    &d.Skills,
	} {
		if err := decode(fsys, name, dst); err != nil {
			return nil, err
		}
	}
	if _, err := fs.Stat(fsys, "data/occupation-codes.json"); err == nil {
		var oc occupationCodesJSON
		if err := decode(fsys, "data/occupation-codes.json", &oc); err != nil {
			return nil, err
		}
		for _, k := range []string{"isco08", "onetSoc", "nco2015"} {
			if oc.Sources[k] == "" {
				return nil, fmt.Errorf("seed: data/occupation-codes.json: cite the source of the %s codes in sources", k)
			}
		}
		d.Codes = oc.Roles
	}
	if _, err := fs.Stat(fsys, "data/skill-codes.json"); err == nil {
		var sc skillCodesJSON
		if err := decode(fsys, "data/skill-codes.json", &sc); err != nil {
			return nil, err
		}
		if sc.Sources["esco"] == "" {
			return nil, fmt.Errorf("seed: data/skill-codes.json: cite the source of the ESCO URIs in sources.esco")
		}
		d.SkillCodes = sc.Skills
	}
	names, err := fs.Glob(fsys, "data/roles/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		var r roleJSON
		if err := decode(fsys, name, &r); err != nil {
			return nil, err
		}
		if want := path.Base(name); want != r.Slug+".json" {
			return nil, fmt.Errorf("seed: %s holds role %q; name the file after its slug", name, r.Slug)
		}
		d.Roles = append(d.Roles, r)
	}
	return d, d.check()
}

func decode(fsys fs.FS, name string, dst any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("seed: %s: %w", name, err)
	}
	return nil
}

// check rejects dangling references and duplicate keys, so that a typo in the data fails the
// tests rather than a first start.
func (d *Data) check() error {
	locs, comps, skills, roles := map[string]bool{}, map[string]bool{}, map[string]*skillJSON{}, map[string]bool{}
	for _, l := range d.Locations {
		if locs[l.Slug] {
			return fmt.Errorf("seed: location %q twice", l.Slug)
		}
		locs[l.Slug] = true
	}
	for _, c := range d.Companies {
		if comps[c.Slug] {
			return fmt.Errorf("seed: company %q twice", c.Slug)
		}
		if c.Headquarters != "" && !locs[c.Headquarters] {
			return fmt.Errorf("seed: company %q: unknown headquarters %q", c.Slug, c.Headquarters)
		}
		comps[c.Slug] = true
	}
	for i := range d.Skills {
		s := &d.Skills[i]
		if skills[s.Slug] != nil {
			return fmt.Errorf("seed: skill %q twice", s.Slug)
		}
		skills[s.Slug] = s
	}
	for _, s := range d.Skills {
		if (len(s.Members) > 0) != (s.GroupMode != "") {
			return fmt.Errorf("seed: skill %q: a group needs both members and groupMode", s.Slug)
		}
		for _, m := range s.Members {
			ms := skills[m]
			if ms == nil || len(ms.Members) > 0 {
				return fmt.Errorf("seed: group %q: member %q is not a plain skill", s.Slug, m)
			}
		}
	}
	for _, r := range d.Roles {
		if roles[r.Slug] {
			return fmt.Errorf("seed: role %q twice", r.Slug)
		}
		roles[r.Slug] = true
	}
	for _, r := range d.Roles {
		refs := append([]string{}, r.CoreSkills...)
		refs = append(refs, r.Openings.ExtraSkills...)
		for _, q := range r.Requirements {
			if q.Skill != "" {
				refs = append(refs, q.Skill)
			}
		}
		for _, q := range r.InterviewQuestions {
			if q.Skill != "" {
				refs = append(refs, q.Skill)
			}
		}
		for _, ref := range refs {
			if skills[ref] == nil {
				return fmt.Errorf("seed: role %q: unknown skill %q", r.Slug, ref)
			}
		}
		for _, rt := range r.Routes {
			if !roles[rt.To] || rt.To == r.Slug {
				return fmt.Errorf("seed: role %q: route to unknown role %q", r.Slug, rt.To)
			}
		}
		if r.Openings.Count > 0 && len(r.Openings.Titles) == 0 {
			return fmt.Errorf("seed: role %q: openings need titles", r.Slug)
		}
	}
	for slug, c := range d.Codes {
		if !roles[slug] {
			return fmt.Errorf("seed: occupation codes for unknown role %q", slug)
		}
		for _, f := range []struct{ name, v, pattern string }{
			{"isco08", c.ISCO08, ISCO08Pattern}, {"nco2015", c.NCO2015, NCO2015Pattern},
			{"onetSoc", c.ONETSOC, ONETSOCPattern},
		} {
			if f.v != "" && !regexp.MustCompile(f.pattern).MatchString(f.v) {
				return fmt.Errorf("seed: role %q: %s code %q is not of the form %s", slug, f.name, f.v, f.pattern)
			}
		}
		if c.NCO2015 != "" && c.ISCO08 != "" && c.NCO2015[:4] != c.ISCO08 {
			// NCO-2015's families are ISCO-08's unit groups.
			return fmt.Errorf("seed: role %q: nco2015 code %q is not in ISCO-08 unit group %s", slug, c.NCO2015, c.ISCO08)
		}
	}
	escoURI := regexp.MustCompile(EscoURIPattern)
	for slug, c := range d.SkillCodes {
		s := skills[slug]
		switch {
		case s == nil:
			return fmt.Errorf("seed: ESCO URI for unknown skill %q", slug)
		case len(s.Members) > 0:
			return fmt.Errorf("seed: skill %q: a group is not an ESCO concept", slug)
		case !escoURI.MatchString(c.EscoURI):
			return fmt.Errorf("seed: skill %q: ESCO URI %q is not of the form %s", slug, c.EscoURI, EscoURIPattern)
		case c.EscoLabel == "" || c.EscoVersion == "":
			return fmt.Errorf("seed: skill %q: give the ESCO concept's escoLabel and escoVersion", slug)
		}
	}
	return nil
}
