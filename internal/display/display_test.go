package display

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func p(v int64) *int64 { return &v }

func TestRange(t *testing.T) {
	for _, c := range []struct {
		min      int64
		max      *int64
		cur, cty string
		want     string
	}{
		{400000, p(2400000), "INR", "IN", "₹4L–₹24L"}, // the seed page's typical range
		{400000, p(800000), "INR", "IN", "₹4L–₹8L"},
		{1000000, p(1800000), "INR", "IN", "₹10L–₹18L"},
		{2000000, nil, "INR", "IN", "₹20L+"},
		{1250000, p(12500000), "INR", "IN", "₹12.5L–₹1.3Cr"},
		{45000, p(99999), "INR", "IN", "₹45,000–₹99,999"},
		{1234567, p(1234567), "INR", "IN", "₹12.3L"},
		{120000, p(150000), "USD", "US", "$120,000–$150,000"},
		{85000, nil, "GBP", "GB", "£85,000+"},
		{85000, p(95000), "EUR", "DE", "85.000 € – 95.000 €"},
		{85000, p(95000), "EUR", "FR", "85\u202f000 € – 95\u202f000 €"},
		{85000, p(95000), "EUR", "IE", "€85,000–€95,000"},
		{9000, p(12000), "SGD", "SG", "S$9,000–S$12,000"},
		{300000, p(400000), "AED", "AE", "AED 300,000 – AED 400,000"},
	} {
		assert.Equal(t, c.want, Range(c.min, c.max, c.cur, c.cty), "%+v", c)
	}
}

func TestLiveJobs(t *testing.T) {
	for n, want := range map[int]string{
		0: "No live jobs", 1: "1 live job", 47: "47 live jobs", 99: "99 live jobs", 100: "100 live jobs",
		101: "100+ live jobs", 999: "990+ live jobs", 1234: "1,200+ live jobs", 47000: "47,000 live jobs",
		47312: "47,000+ live jobs", 1049999: "1,000,000+ live jobs",
	} {
		assert.Equal(t, want, LiveJobs(n), n)
	}
}
