package importer

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// counting reports how many bytes have been read from it, in small reads.
type counting struct {
	r io.Reader
	n int
}

func (c *counting) Read(p []byte) (int, error) {
	if len(p) > 512 {
		p = p[:512]
	}
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestReadStreams: the first posting of a large document is emitted after the sniffer's 64 KiB
// and before the rest of the document is read, in every format; so memory follows the item, not the document.
func TestReadStreams(t *testing.T) {
	post := func(i int) string {
		return fmt.Sprintf(`{"@type":"JobPosting","title":"Backend Developer %d","identifier":"%d","padding":"%s"}`, i, i, strings.Repeat("x", 200))
	}
	var lines, arr, page strings.Builder
	arr.WriteString("[")
	page.WriteString("<html><body>")
	for i := range 2000 {
		lines.WriteString(post(i) + "\n")
		if i > 0 {
			arr.WriteString(",")
		}
		arr.WriteString(post(i))
		page.WriteString(`<script type="application/ld+json">` + post(i) + `</script>`)
	}
	arr.WriteString("]")
	page.WriteString("</body></html>")
	for name, doc := range map[string]string{"jsonl": lines.String(), "array": arr.String(), "html": page.String()} {
		c := &counting{r: strings.NewReader(doc)}
		var atFirst, items int
		require.NoError(t, Read(c, FormatAuto, func(it Item) error {
			require.NoError(t, it.Err, name)
			if items == 0 {
				atFirst = c.n
			}
			items++
			return nil
		}), name)
		assert.Equal(t, 2000, items, name)
		// The sniffer peeks 64 KiB; beyond that, only what the first item needs.
		assert.LessOrEqual(t, atFirst, 64<<10+1024, "%s: first item after %d of %d bytes", name, atFirst, len(doc))
		assert.Greater(t, len(doc), 8*(64<<10), name)
	}
}

func TestParsePostingRules(t *testing.T) {
	base := `"@type":"JobPosting","title":"Backend Developer","identifier":"x","datePosted":"2026-11-01","hiringOrganization":"Acme","jobLocation":{"address":{"addressLocality":"Pune"}}`
	for _, c := range []struct {
		extra            string
		min, max         int64
		period, currency string
	}{
		{`"baseSalary":{"currency":"INR","value":{"value":1200000,"unitText":"YEAR"}}`, 1200000, 1200000, "YEAR", "INR"},
		{`"baseSalary":{"currency":"inr","value":{"minValue":50000,"maxValue":80000,"unitText":"MONTH"}}`, 50000, 80000, "MONTH", "INR"},
		{`"baseSalary":{"currency":"USD","value":{"minValue":1000,"maxValue":1500,"unitText":"WEEK"}}`, 52000, 78000, "YEAR", "USD"},
		{`"baseSalary":{"currency":"EUR","value":{"value":400,"unitText":"DAY"}}`, 104000, 104000, "YEAR", "EUR"},
		{`"baseSalary":{"currency":"INR","value":900000}`, 900000, 900000, "YEAR", "INR"},
	} {
		d, err := parsePosting([]byte("{" + base + "," + c.extra + "}"))
		require.NoError(t, err, c.extra)
		assert.Equal(t, c.min, *d.SalaryMin, c.extra)
		assert.Equal(t, c.max, *d.SalaryMax, c.extra)
		assert.Equal(t, c.period, string(d.SalaryPeriod), c.extra)
		assert.Equal(t, c.currency, d.SalaryCurrency, c.extra)
	}
	for extra, reason := range map[string]string{
		`"baseSalary":{"currency":"INR","value":{"value":100,"unitText":"FORTNIGHT"}}`: "unitText",
		`"baseSalary":{"currency":"RUPEES","value":100}`:                               "ISO 4217",
		`"baseSalary":{"currency":"INR","value":{"value":1e12,"unitText":"HOUR"}}`:     "impossible salary",
		`"baseSalary":{"currency":"INR","value":{"unitText":"YEAR"}}`:                  "no value",
		`"validThrough":"2026-10-01"`:                                                  "before datePosted",
	} {
		_, err := parsePosting([]byte("{" + base + "," + extra + "}"))
		assert.ErrorContains(t, err, reason, extra)
	}
	for text, want := range map[string][2]int{
		`"3+ years"`:                {3, -1},
		`"2–5 years of Java"`:       {2, 5},
		`"4 to 6 yrs"`:              {4, 6},
		`{"monthsOfExperience":18}`: {1, -1},
		`"no experience needed"`:    {0, -1},
	} {
		d, err := parsePosting([]byte("{" + base + `,"experienceRequirements":` + text + "}"))
		require.NoError(t, err)
		assert.Equal(t, want[0], d.ExpMin, text)
		if want[1] < 0 {
			assert.Nil(t, d.ExpMax, text)
		} else if assert.NotNil(t, d.ExpMax, text) {
			assert.Equal(t, want[1], *d.ExpMax, text)
		}
	}
	assert.Equal(t, "acme", CompanyKey("Acme Pvt. Ltd."))
	assert.Equal(t, "acme", CompanyKey("ACME Private Limited"))
	assert.Equal(t, "acme payments", CompanyKey("The Acme Payments Inc."))
	assert.Equal(t, "Bengaluru", City("bangalore"))
	assert.Equal(t, "Gurugram", City("Gurgaon"))
	assert.Equal(t, "Mumbai", City(" Bombay "))
	assert.Equal(t, "example.com/acme", SiteKey("https://www.Example.com/acme/"))
}

// TestReadRejectsWhatIsNotAPosting: each line of JSON Lines that is not a JSON object, or not
// JSON at all, is rejected with the reason that fits (there is one validity pass, Unmarshal's).
func TestReadRejectsWhatIsNotAPosting(t *testing.T) {
	lines := []string{`42`, `"text"`, `{"title":`, `[1,`, `"unterminated`, `{"@type":"JobPosting","@graph":5}`, `nonsense`,
		`{"@type":"JobPosting","title":"Go developer"}`, `{"@type":"Organization"}`}
	var got []string
	err := Read(strings.NewReader(strings.Join(lines, "\n")), FormatJSONLines, func(it Item) error {
		if it.Err != nil {
			got = append(got, it.Err.Error()[:min(len(it.Err.Error()), 16)])
		} else {
			got = append(got, "posting")
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"not a JSON objec", "not a JSON objec", "malformed JSON: ", "malformed JSON: ", "malformed JSON: ",
		"malformed JSON: ", "malformed JSON: ", "posting"}, got)
}
