// Package cluster assembles the views of a topic cluster that are more than one row: the
// salary summary of a role. It knows the rules; the loaders fetch, the resolvers translate.
package cluster

import (
	"time"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/salaryrecord"
	"github.com/careergraph/careergraph/internal/display"
)

// Salary is a role's pay in one country: the typical range across levels and a band per level.
// Amounts are whole currency units.
type Salary struct {
	CountryCode string
	Currency    string
	Period      salaryrecord.Period
	Min         int
	Max         *int
	Median      *int
	Source      string
	AsOf        *time.Time
	Bands       []*SalaryBand
}

// SalaryBand is the pay for one level.
type SalaryBand struct {
	Level              salaryrecord.Level
	ExperienceMinYears *int
	ExperienceMaxYears *int
	Min                int
	Max                *int
	Median             *int
	Source             string

	currency, country string
	period            salaryrecord.Period
}

var levelOrder = []salaryrecord.Level{salaryrecord.LevelFRESHER, salaryrecord.LevelMID, salaryrecord.LevelSENIOR}

// SummarizeSalary builds a Salary from a role's country-wide records for one country. The
// typical range is the record without a level; when several exist (several sources) the most
// recent wins, then the newest row. It returns nil when there is no typical record: bands alone
// are not presented as a typical range.
func SummarizeSalary(records []*ent.SalaryRecord) *Salary {
	var typical *ent.SalaryRecord
	bands := map[salaryrecord.Level]*ent.SalaryRecord{}
	for _, r := range records {
		if r.Level == nil {
			if typical == nil || newer(r, typical) {
				typical = r
			}
			continue
		}
		if cur, ok := bands[*r.Level]; !ok || newer(r, cur) {
			bands[*r.Level] = r
		}
	}
	if typical == nil {
		return nil
	}
	s := &Salary{
		CountryCode: typical.CountryCode,
		Currency:    typical.Currency,
		Period:      typical.Period,
		Min:         int(typical.MinAmount),
		Max:         intPtr(typical.MaxAmount),
		Median:      intPtr(typical.MedianAmount),
		Source:      typical.Source,
		AsOf:        typical.AsOf,
		Bands:       []*SalaryBand{},
	}
	for _, lvl := range levelOrder {
		b, ok := bands[lvl]
		if !ok || b.Currency != typical.Currency || b.Period != typical.Period {
			continue
		}
		s.Bands = append(s.Bands, &SalaryBand{
			Level:              lvl,
			ExperienceMinYears: b.ExperienceMinYears,
			ExperienceMaxYears: b.ExperienceMaxYears,
			Min:                int(b.MinAmount),
			Max:                intPtr(b.MaxAmount),
			Median:             intPtr(b.MedianAmount),
			Source:             b.Source,
			currency:           b.Currency,
			country:            b.CountryCode,
			period:             b.Period,
		})
	}
	return s
}

// newer reports whether a should win over b: a later as-of date, else a later row.
func newer(a, b *ent.SalaryRecord) bool {
	switch {
	case a.AsOf != nil && b.AsOf != nil && !a.AsOf.Equal(*b.AsOf):
		return a.AsOf.After(*b.AsOf)
	case a.AsOf != nil && b.AsOf == nil:
		return true
	case a.AsOf == nil && b.AsOf != nil:
		return false
	}
	return a.ID > b.ID
}

func intPtr(v *int64) *int {
	if v == nil {
		return nil
	}
	n := int(*v)
	return &n
}

func int64Ptr(v *int) *int64 {
	if v == nil {
		return nil
	}
	n := int64(*v)
	return &n
}

// Display is the typical range as the page prints it ("₹4L–₹24L"; see display.Range).
func (s *Salary) Display() string {
	return display.Range(int64(s.Min), int64Ptr(s.Max), s.Currency, s.CountryCode)
}

// DisplayWithPeriod is Display with the period ("₹4L–₹24L/yr").
func (s *Salary) DisplayWithPeriod() string { return s.Display() + display.PerPeriod(string(s.Period)) }

// Display is the band's range as the page prints it ("₹10L–₹18L", "₹20L+").
func (b *SalaryBand) Display() string {
	return display.Range(int64(b.Min), int64Ptr(b.Max), b.currency, b.country)
}

// DisplayWithPeriod is Display with the period ("₹20L+/yr").
func (b *SalaryBand) DisplayWithPeriod() string {
	return b.Display() + display.PerPeriod(string(b.period))
}
