package seed

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/openingskill"
	"github.com/careergraph/careergraph/ent/predicate"
	"github.com/careergraph/careergraph/internal/search"
)

// SampleEpoch anchors the sample openings' dates, so that the same data comes out on every
// machine and every day: openings were posted in the 60 days before it.
var SampleEpoch = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

// OpeningSpec is one generated sample opening, before it has database IDs.
type OpeningSpec struct {
	Role, ExternalID, Title, Company string
	// Location is empty for a remote opening with no office.
	Location       string
	WorkMode       opening.WorkMode
	EmploymentType opening.EmploymentType
	ExpMin         int
	ExpMax         *int
	SalaryMin      *int64
	SalaryMax      *int64
	PostedAt       time.Time
	ValidThrough   time.Time
	Status         opening.Status
	Skills         []string
	// Preferred are the skills of Skills asked for as preferred ("nice to have"): the role's
	// extra skills, which postings list after the core ones. Only `careergraph gen` writes
	// them (OpeningWriter.Preferred); the seed's openings ask for every skill as essential,
	// the figures its tests work out by hand.
	Preferred      []string
	Description    string
	SalaryCurrency string
}

// cityWeight skews openings towards India's big hiring cities; other cities weigh 2.
var cityWeight = map[string]int{
	"bengaluru": 30, "hyderabad": 15, "pune": 12, "chennai": 10, "gurugram": 8, "mumbai": 8, "noida": 6, "delhi": 4,
}

// Generator makes sample openings with a realistic skew: big hiring cities and a few large
// employers dominate, pay follows the role's band for the experience asked, some openings are
// closed or expired. Its output depends only on the data and the random source.
type Generator struct {
	skills map[string]skillJSON
	roles  []roleJSON
	roleW  []int
	cities []string
	cityW  []int
	comps  []string
	compW  []int
}

// NewGenerator prepares a Generator over the seed data.
func NewGenerator(d *Data) *Generator {
	g := &Generator{skills: map[string]skillJSON{}}
	for _, s := range d.Skills {
		g.skills[s.Slug] = s
	}
	for _, l := range d.Locations {
		w := cityWeight[l.Slug]
		if w == 0 {
			w = 2
		}
		g.cities, g.cityW = append(g.cities, l.Slug), append(g.cityW, w)
	}
	for i, c := range d.Companies {
		g.comps, g.compW = append(g.comps, c.Slug), append(g.compW, 1+60/(i+2)) // a few big hirers, a long tail
	}
	for _, r := range d.Roles {
		if len(r.Openings.Titles) > 0 {
			g.roles, g.roleW = append(g.roles, r), append(g.roleW, max(5, r.Openings.Count))
		}
	}
	return g
}

// GenerateOpenings makes each role's sample openings (roles/*.json "openings"), deterministically.
func GenerateOpenings(d *Data) []OpeningSpec {
	g := NewGenerator(d)
	var out []OpeningSpec
	for _, r := range d.Roles {
		h := fnv.New64a()
		_, _ = h.Write([]byte(r.Slug))
		rng := rand.New(rand.NewPCG(20261101, h.Sum64()))
		for i := 0; i < r.Openings.Count; i++ {
			out = append(out, g.opening(rng, r, fmt.Sprintf("%s-%04d", r.Slug, i+1), 60))
		}
	}
	return out
}

// Random makes one opening for a role picked by weight (roles with more sample openings are
// more common), posted within the given number of days before SampleEpoch.
func (g *Generator) Random(rng *rand.Rand, externalID string, days int) OpeningSpec {
	return g.opening(rng, g.roles[pick(rng, g.roleW)], externalID, days)
}

func (g *Generator) opening(rng *rand.Rand, r roleJSON, externalID string, days int) OpeningSpec {
	o := OpeningSpec{
		Role:           r.Slug,
		ExternalID:     externalID,
		Title:          r.Openings.Titles[rng.IntN(len(r.Openings.Titles))],
		Company:        g.comps[pick(rng, g.compW)],
		EmploymentType: opening.EmploymentTypeFULL_TIME,
	}
	switch x := rng.IntN(100); {
	case x < 55:
		o.WorkMode = opening.WorkModeONSITE
	case x < 85:
		o.WorkMode = opening.WorkModeHYBRID
	default:
		o.WorkMode = opening.WorkModeREMOTE
	}
	if o.WorkMode != opening.WorkModeREMOTE || rng.IntN(2) == 0 {
		o.Location = g.cities[pick(rng, g.cityW)]
	}
	span := r.ExperienceMaxYears - r.ExperienceMinYears
	o.ExpMin = r.ExperienceMinYears + rng.IntN(span+1)*2/3
	maxExp := min(o.ExpMin+2+rng.IntN(4), max(r.ExperienceMaxYears, o.ExpMin+2))
	o.ExpMax = &maxExp
	if r.Slug == "software-engineering-intern" {
		o.EmploymentType = opening.EmploymentTypeINTERNSHIP
	} else if rng.IntN(100) < 6 {
		o.EmploymentType = opening.EmploymentTypeCONTRACT
	}
	if band := bandFor(r, o.ExpMin); band != nil && rng.IntN(100) < 75 {
		hi := band.Min * 3 / 2
		if band.Max != nil {
			hi = *band.Max
		}
		lo := roundTo(band.Min+rng.Int64N(max(1, (hi-band.Min)/2)), 10000)
		up := roundTo(lo+(hi-lo)/2+rng.Int64N(max(1, (hi-lo)/2)), 10000)
		o.SalaryMin, o.SalaryMax = &lo, &up
		o.SalaryCurrency = r.Salary.Currency
	}
	o.PostedAt = SampleEpoch.Add(-time.Duration(rng.IntN(days*24)) * time.Hour)
	o.ValidThrough = o.PostedAt.Add(60 * 24 * time.Hour)
	switch x := rng.IntN(100); {
	case x < 84:
		o.Status = opening.StatusLIVE
	case x < 94:
		o.Status = opening.StatusCLOSED
	default:
		o.Status = opening.StatusEXPIRED
	}
	o.Skills, o.Preferred = openingSkills(rng, r, g.skills)
	o.Description = fmt.Sprintf("Sample opening (generated sample data, not a real job): %s with %d+ years of experience. Skills: %d listed.",
		o.Title, o.ExpMin, len(o.Skills))
	return o
}

// openingSkills picks the concrete skills an opening asks for: most of the role's core skills
// (a group contributes one member if ANY_OF, all if ALL_OF; higher ranks more often) and a few
// of its extra skills, which it returns again as the preferred ones (a skill that is also
// core stays essential).
func openingSkills(rng *rand.Rand, r roleJSON, skills map[string]skillJSON) (out, preferred []string) {
	seen := map[string]bool{}
	add := func(s string) bool {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
			return true
		}
		return false
	}
	for rank, slug := range r.CoreSkills {
		if rng.IntN(100) >= 90-5*rank {
			continue
		}
		s := skills[slug]
		switch s.GroupMode {
		case "ANY_OF":
			add(s.Members[rng.IntN(len(s.Members))])
		case "ALL_OF":
			for _, m := range s.Members {
				add(m)
			}
		default:
			add(slug)
		}
	}
	if n := len(r.Openings.ExtraSkills); n > 0 {
		for _, i := range rng.Perm(n)[:min(n, 1+rng.IntN(3))] {
			if add(r.Openings.ExtraSkills[i]) {
				preferred = append(preferred, r.Openings.ExtraSkills[i])
			}
		}
	}
	return out, preferred
}

func bandFor(r roleJSON, years int) *bandJSON {
	level := "SENIOR"
	switch {
	case years <= 2:
		level = "FRESHER"
	case years <= 6:
		level = "MID"
	}
	for i := range r.Salary.Bands {
		if r.Salary.Bands[i].Level == level {
			return &r.Salary.Bands[i]
		}
	}
	return nil
}

func pick(rng *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := rng.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func roundTo(v, step int64) int64 { return (v + step/2) / step * step }

// batchSize keeps each INSERT well under SQLite's and PostgreSQL's bind-parameter limits.
const batchSize = 200

// Refs maps the seed's slugs to the IDs the database gave them.
type Refs struct{ Roles, Companies, Locations, Skills map[string]int }

// OpeningWriter writes generated openings with their skills, skill counts and search documents;
// the seed and `careergraph gen` share it. It computes the derived fields inline because it
// knows every name already; internal/search.Hook leaves a create that sets search_text alone,
// and TestDerivedDataFollowsEveryWrite checks that what it writes equals what the hook would.
type OpeningWriter struct {
	// Preferred makes Insert write each spec's Preferred skills as preferred; without it
	// every skill is essential.
	Preferred             bool
	refs                  Refs
	companyName, cityName map[string]string
	skillNames            map[string][]string
}

// NewOpeningWriter prepares a writer for openings made from d, whose slugs refs resolves.
func NewOpeningWriter(d *Data, refs Refs) *OpeningWriter {
	w := &OpeningWriter{refs: refs}
	w.companyName, w.cityName, w.skillNames = d.Names()
	return w
}

// Refs returns the IDs the writer resolves slugs to.
func (w *OpeningWriter) Refs() Refs { return w.refs }

// Document is o's search document (search.Document over its company, city and skills).
func (w *OpeningWriter) Document(o OpeningSpec) string {
	names := make([][]string, len(o.Skills))
	for i, s := range o.Skills {
		names[i] = w.skillNames[s]
	}
	return search.Document(o.Title, w.companyName[o.Company], w.cityName[o.Location], o.Description, names)
}

// Insert writes specs through tx in batches that keep each INSERT under the databases'
// bind-parameter limits.
func (w *OpeningWriter) Insert(ctx context.Context, tx *ent.Tx, specs []OpeningSpec) error {
	for start := 0; start < len(specs); start += batchSize {
		batch := specs[start:min(start+batchSize, len(specs))]
		bs := make([]*ent.OpeningCreate, len(batch))
		for i, o := range batch {
			b := tx.Opening.Create().SetSource("sample").SetExternalID(o.ExternalID).SetTitle(o.Title).
				SetDescription(o.Description).SetRoleID(w.refs.Roles[o.Role]).SetCompanyID(w.refs.Companies[o.Company]).
				SetWorkMode(o.WorkMode).SetEmploymentType(o.EmploymentType).SetExperienceMinYears(o.ExpMin).
				SetNillableExperienceMaxYears(o.ExpMax).SetPostedAt(o.PostedAt).SetValidThrough(o.ValidThrough).
				SetStatus(o.Status).SetSkillCount(len(o.Skills)).SetSearchText(w.Document(o))
			if o.Location != "" {
				b.SetLocationID(w.refs.Locations[o.Location])
			}
			if o.SalaryMin != nil {
				b.SetSalaryMin(*o.SalaryMin).SetSalaryMax(*o.SalaryMax).SetSalaryCurrency(o.SalaryCurrency).
					SetSalaryPeriod(opening.SalaryPeriodYEAR)
			}
			for _, s := range o.Skills {
				b.AddSkillIDs(w.refs.Skills[s])
			}
			bs[i] = b
		}
		created, err := tx.Opening.CreateBulk(bs...).Save(ctx)
		if err != nil {
			return err
		}
		if err := w.markPreferred(ctx, tx, batch, created); err != nil {
			return err
		}
	}
	return nil
}

// markPreferred flags the preferred skills of a batch of created openings, in one statement.
func (w *OpeningWriter) markPreferred(ctx context.Context, tx *ent.Tx, batch []OpeningSpec, created []*ent.Opening) error {
	if !w.Preferred {
		return nil
	}
	var anyOf []predicate.OpeningSkill
	for i, o := range batch {
		if len(o.Preferred) == 0 {
			continue
		}
		ids := make([]int, len(o.Preferred))
		for j, s := range o.Preferred {
			ids[j] = w.refs.Skills[s]
		}
		anyOf = append(anyOf, openingskill.And(openingskill.OpeningID(created[i].ID), openingskill.SkillIDIn(ids...)))
	}
	if len(anyOf) == 0 {
		return nil
	}
	return tx.OpeningSkill.Update().Where(openingskill.Or(anyOf...)).SetEssential(false).Exec(ctx)
}

// Names maps slugs to the words search indexes for them: company names, city names, and each
// skill's name followed by its synonyms (and a group's members' names and synonyms).
func (d *Data) Names() (companies, cities map[string]string, skills map[string][]string) {
	companies, cities, skills = map[string]string{}, map[string]string{}, map[string][]string{}
	for _, c := range d.Companies {
		companies[c.Slug] = c.Name
	}
	for _, l := range d.Locations {
		cities[l.Slug] = l.City
	}
	bySlug := map[string]skillJSON{}
	for _, s := range d.Skills {
		bySlug[s.Slug] = s
	}
	for _, s := range d.Skills {
		members := make([][]string, len(s.Members))
		for i, m := range s.Members {
			members[i] = search.SkillWords(bySlug[m].Name, bySlug[m].Synonyms)
		}
		skills[s.Slug] = search.SkillWords(s.Name, s.Synonyms, members...)
	}
	return companies, cities, skills
}
