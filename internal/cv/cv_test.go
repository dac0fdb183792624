package cv

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestYears(t *testing.T) {
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	for text, want := range map[string]int{
		"Backend engineer with 6+ years of experience.":         6,
		"Total exp: 4.5 yrs. Led a team for 2 years.":           4,
		"Experience\nAcme (2019 – present)\nBeta (2016 - 2019)": 10,
		"Worked 2012 to 2015 and 2018 to 2020.":                 8,
		"3 years of experience in Go; 12 months in Rust":        3,
	} {
		got := Years(text, now)
		if assert.NotNil(t, got, text) {
			assert.Equal(t, want, *got, text)
		}
	}
	assert.Nil(t, Years("Go, Kafka and Redis.", now))
	assert.Nil(t, Years("Graduating 2030 - 2034", now), "ranges in the future are not experience")
}
