// Package display writes numbers the way a public page prints them: salary ranges ("₹4L–₹24L",
// "$120,000–$150,000", "85.000 €") and counts of openings ("47,000+ live jobs"). The rules are
// here, in one place, so that every page and every client shows the same strings; resolvers
// return them next to the numbers, never instead of them.
//
// Decided: the formats are a small table of our own rather than golang.org/x/text, whose
// number formatting has neither the lakh/crore short forms Indian pages use (₹4L, ₹1.2Cr) nor
// a compact form; the locales we print are few and listed in locales.
package display

import (
	"strconv"
	"strings"
)

// locale is how one country writes an amount of money.
type locale struct {
	group, decimal string
	// symbolAfter puts the symbol after the amount, with a space ("85.000 €").
	symbolAfter bool
}

// locales by ISO 3166-1 country; any other country writes amounts like en-US.
var locales = map[string]locale{
	"DE": {".", ",", true}, "AT": {".", ",", true}, "ES": {".", ",", true}, "IT": {".", ",", true},
	"NL": {".", ",", false}, "FR": {"\u202f", ",", true}, "BE": {"\u202f", ",", true},
}

var enUS = locale{",", ".", false}

// symbols of the currencies we print; others are written as their code and a space.
var symbols = map[string]string{
	"INR": "₹", "USD": "$", "EUR": "€", "GBP": "£", "SGD": "S$", "AUD": "A$", "CAD": "C$", "JPY": "¥",
}

// Money writes amount (whole currency units) as a page prints it in country (ISO 3166-1,
// may be empty). Indian rupees use the short forms of Indian pages whatever the country:
// below a lakh in full with Indian grouping ("₹85,000"), from a lakh in lakhs ("₹4L",
// "₹12.5L"), from a crore in crores ("₹1.2Cr"), with at most one decimal, rounded half up,
// and no ".0". Other currencies are written in full with the country's grouping and symbol
// placement: "$120,000" (US and by default), "£85,000", "85.000 €" (DE), "85 000 €" (FR,
// with a narrow no-break space), "€85,000" (IE and other English-writing countries).
func Money(amount int64, currency, country string) string {
	currency = strings.ToUpper(currency)
	if currency == "INR" {
		return "₹" + inr(amount)
	}
	loc, ok := locales[strings.ToUpper(country)]
	if !ok {
		loc = enUS
	}
	digits := group(amount, loc.group)
	sym, ok := symbols[currency]
	switch {
	case !ok:
		return currency + " " + digits
	case loc.symbolAfter:
		return digits + " " + sym
	default:
		return sym + digits
	}
}

// Range writes a pay range: "₹4L–₹24L"; "₹20L+" when max is nil (open-ended); one amount when
// min and max are the same. Amounts that contain a space are joined by a spaced dash
// ("85 000 € – 95 000 €"), others by a bare en dash as the seed page does.
func Range(min int64, max *int64, currency, country string) string {
	lo := Money(min, currency, country)
	switch {
	case max == nil:
		return lo + "+"
	case *max == min:
		return lo
	}
	hi := Money(*max, currency, country)
	if strings.ContainsAny(lo+hi, " \u202f") {
		return lo + " – " + hi
	}
	return lo + "–" + hi
}

// PerPeriod is the suffix a page writes after a range: "/yr" for YEAR, "/mo" for MONTH.
func PerPeriod(period string) string {
	if period == "MONTH" {
		return "/mo"
	}
	return "/yr"
}

const (
	lakh  = 100_000
	crore = 10_000_000
)

func inr(n int64) string {
	switch {
	case n >= crore:
		return tenths(n, crore) + "Cr"
	case n >= lakh:
		return tenths(n, lakh) + "L"
	default:
		return group(n, ",") // below a lakh Indian and western grouping agree
	}
}

// tenths writes n/unit with at most one decimal, rounded half up, without a trailing ".0".
func tenths(n, unit int64) string {
	t := (n*10 + unit/2) / unit
	s := strconv.FormatInt(t/10, 10)
	if t%10 != 0 {
		s += "." + strconv.FormatInt(t%10, 10)
	}
	return s
}

// group writes n with sep between groups of three digits.
func group(n int64, sep string) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// LiveJobs writes a count of live openings as the page does ("47,000+ live jobs"). The rule:
// below 100 the exact count ("47 live jobs", "1 live job", "No live jobs"); from 100, the
// count rounded down to two significant figures, with "+" when that dropped anything
// ("47,312" → "47,000+", "1,234" → "1,200+", "100" → "100"): a page should never claim more
// openings than there are, and a round figure reads better than an exact one that changes
// by the minute. Thousands are separated by commas, as the seed page prints them.
func LiveJobs(n int) string {
	switch {
	case n <= 0:
		return "No live jobs"
	case n == 1:
		return "1 live job"
	case n < 100:
		return strconv.Itoa(n) + " live jobs"
	}
	return Count(n) + " live jobs"
}

// Count is n by LiveJobs' rounding rule, without the words: "47,000+".
func Count(n int) string {
	if n < 100 {
		return strconv.Itoa(max(n, 0))
	}
	unit := 1
	for n/unit >= 100 {
		unit *= 10
	}
	r := n / unit * unit
	s := group(int64(r), ",")
	if r < n {
		s += "+"
	}
	return s
}
