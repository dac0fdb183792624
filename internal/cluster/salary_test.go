package cluster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/salaryrecord"
)

func rec(id int, level *salaryrecord.Level, lo int64, hi *int64, asOf *time.Time) *ent.SalaryRecord {
	return &ent.SalaryRecord{ID: id, CountryCode: "IN", Currency: "INR", Period: salaryrecord.PeriodYEAR,
		Level: level, MinAmount: lo, MaxAmount: hi, AsOf: asOf, Source: "test"}
}

func lvl(l salaryrecord.Level) *salaryrecord.Level { return &l }
func amt(v int64) *int64                           { return &v }

func TestSummarizeSalary(t *testing.T) {
	old := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	recent := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := SummarizeSalary([]*ent.SalaryRecord{
		rec(1, lvl(salaryrecord.LevelSENIOR), 2000000, nil, nil),
		rec(2, nil, 300000, amt(2000000), &old),
		rec(3, nil, 400000, amt(2400000), &recent),
		rec(4, lvl(salaryrecord.LevelFRESHER), 400000, amt(800000), nil),
		rec(5, lvl(salaryrecord.LevelMID), 1000000, amt(1800000), nil),
	})
	require.NotNil(t, s)
	assert.Equal(t, 400000, s.Min, "the most recent typical record wins")
	assert.Equal(t, 2400000, *s.Max)
	require.Len(t, s.Bands, 3)
	assert.Equal(t, []salaryrecord.Level{salaryrecord.LevelFRESHER, salaryrecord.LevelMID, salaryrecord.LevelSENIOR},
		[]salaryrecord.Level{s.Bands[0].Level, s.Bands[1].Level, s.Bands[2].Level}, "bands in level order")
	assert.Nil(t, s.Bands[2].Max, "open-ended stays open-ended")
}

func TestSummarizeSalaryWithoutTypicalIsNil(t *testing.T) {
	assert.Nil(t, SummarizeSalary(nil))
	assert.Nil(t, SummarizeSalary([]*ent.SalaryRecord{rec(1, lvl(salaryrecord.LevelMID), 1, nil, nil)}),
		"bands alone are not a typical range")
}

func TestBandsInAnotherCurrencyAreLeftOut(t *testing.T) {
	b := rec(2, lvl(salaryrecord.LevelMID), 1, nil, nil)
	b.Currency = "USD"
	s := SummarizeSalary([]*ent.SalaryRecord{rec(1, nil, 1, nil, nil), b})
	require.NotNil(t, s)
	assert.Empty(t, s.Bands)
}
