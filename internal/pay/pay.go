// Package pay holds the one rule every pay figure is compared by: amounts are compared per
// year, and a monthly amount is twelve times itself a year. Openings advertise pay per YEAR or
// per MONTH, salary records and profiles likewise; matching, search filters, the match index
// and salary insights all annualise through here (SQL too, through MonthsPerYear).
package pay

// MonthsPerYear turns a monthly amount into a yearly one.
const MonthsPerYear = 12

// Midpoint is the one point that stands for an advertised range: the middle of min and max,
// where a missing max is min (an open-ended "₹20L+" stands at its bottom) and a missing min
// is 0. Salary insights summarise openings and salary records (without a median) by it.
func Midpoint(min, max *int64) int64 {
	var lo, hi int64
	if min != nil {
		lo, hi = *min, *min
	}
	if max != nil {
		hi = *max
	}
	return (lo + hi) / 2
}

// Annual returns amount per year; monthly says amount is per month.
func Annual(amount int64, monthly bool) int64 {
	if monthly {
		return amount * MonthsPerYear
	}
	return amount
}
