package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"html"
	"net/url"
	"strings"
	"unicode"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// sanitiser is bluemonday's policy for user-generated content: formatting, lists, tables and
// links (nofollow) stay; scripts, styles, event handlers and iframes go. It is safe for
// concurrent use.
var sanitiser = bluemonday.UGCPolicy().RequireNoFollowOnLinks(true).AddTargetBlankToFullyQualifiedLinks(true)

// description returns a posting's description as sanitised HTML and as plain text. A
// description without markup is plain text only (its HTML is empty). Feeds often HTML-escape
// the markup inside JSON ("&lt;p&gt;"); that is undone first.
func description(s string) (safeHTML, plain string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	if !strings.Contains(s, "<") && strings.Contains(s, "&lt;") {
		s = html.UnescapeString(s)
	}
	if !strings.Contains(s, "<") {
		return "", strings.TrimSpace(html.UnescapeString(s))
	}
	safeHTML = sanitiser.Sanitize(s)
	return safeHTML, plainText(safeHTML)
}

// plainText renders HTML as text: block elements and line breaks become new lines, list items
// start with "- ", table cells are separated by " | ", so that lists and tables keep the shape
// the skill extractor reads.
func plainText(s string) string {
	z := xhtml.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	newline := func() {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
	}
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return tidy(b.String())
		case xhtml.TextToken:
			b.Write(z.Text())
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken, xhtml.EndTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.P, atom.Div, atom.Br, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Ul, atom.Ol, atom.Tr, atom.Table, atom.Section, atom.Blockquote, atom.Pre:
				newline()
			case atom.Li:
				newline()
				if tt == xhtml.StartTagToken {
					b.WriteString("- ")
				}
			case atom.Td, atom.Th:
				if tt == xhtml.StartTagToken && b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
					b.WriteString(" | ")
				}
			}
		}
	}
}

// tidy collapses spaces inside lines and drops blank lines (and lines of a lone "|", what
// an empty table row leaves), in one buffer.
func tidy(s string) string {
	out := make([]byte, 0, len(s))
	for line := range strings.SplitSeq(s, "\n") {
		mark := len(out)
		if mark > 0 {
			out = append(out, '\n')
		}
		body := len(out)
		for f := range strings.FieldsSeq(line) {
			if len(out) > body {
				out = append(out, ' ')
			}
			out = append(out, f...)
		}
		if len(out) == body || string(out[body:]) == "|" {
			out = out[:mark]
		}
	}
	return string(out)
}

func hashHex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// legalSuffixes are words that say what kind of company a name is, not which: "Acme Pvt.
// Ltd." and "ACME Private Limited" are both "acme".
var legalSuffixes = map[string]bool{
	"pvt": true, "private": true, "ltd": true, "limited": true, "inc": true, "incorporated": true,
	"llc": true, "llp": true, "plc": true, "corp": true, "corporation": true, "co": true,
	"company": true, "gmbh": true, "ag": true, "sa": true, "bv": true, "pte": true, "the": true,
}

// CompanyKey is the normalised name companies are matched by: lower case, words only, legal
// forms dropped from the end ("Acme Pvt. Ltd." = "ACME Private Limited" = "acme").
func CompanyKey(name string) string {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for len(words) > 1 && legalSuffixes[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	if len(words) > 1 && words[0] == "the" {
		words = words[1:]
	}
	return strings.Join(words, " ")
}

// slugify makes a slug from a normalised name ("acme payments" → "acme-payments"), within the
// schema's 100 characters; letters outside ASCII are dropped (the slug pattern is ASCII).
func slugify(key string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(key) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if b.Len() > 0 && !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimRight(b.String(), "-")
	if len(s) > 90 {
		s = strings.TrimRight(s[:90], "-")
	}
	return s
}

// SiteKey is the normalised URL companies are matched by: host without "www.", and the path
// without a trailing slash ("https://www.acme.com/" = "http://acme.com").
func SiteKey(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	return host + strings.TrimRight(u.EscapedPath(), "/")
}

// cityAliases are old or other names of cities, by normalised name.
var cityAliases = map[string]string{
	"bangalore": "Bengaluru", "bengaluru": "Bengaluru", "gurgaon": "Gurugram", "bombay": "Mumbai",
	"madras": "Chennai", "calcutta": "Kolkata", "new delhi": "Delhi", "poona": "Pune",
	"cochin": "Kochi", "trivandrum": "Thiruvananthapuram", "mysore": "Mysuru", "baroda": "Vadodara",
	"mangalore": "Mangaluru", "benares": "Varanasi", "banaras": "Varanasi", "allahabad": "Prayagraj",
	"gurugram": "Gurugram", "noida sector 62": "Noida", "greater noida": "Greater Noida",
}

// City is a city's canonical name ("Bangalore" → "Bengaluru").
func City(name string) string {
	n := strings.Join(strings.Fields(name), " ")
	if c, ok := cityAliases[strings.ToLower(n)]; ok {
		return c
	}
	return n
}

// countries maps country names and codes feeds use to ISO 3166-1 alpha-2.
var countries = map[string]string{
	"india": "IN", "in": "IN", "ind": "IN", "united states": "US", "usa": "US", "us": "US",
	"united kingdom": "GB", "uk": "GB", "gb": "GB", "singapore": "SG", "sg": "SG",
	"united arab emirates": "AE", "uae": "AE", "ae": "AE", "germany": "DE", "de": "DE",
	"canada": "CA", "ca": "CA", "australia": "AU", "au": "AU", "netherlands": "NL", "nl": "NL",
}

// Country returns the ISO code for a country name or code, or "" when unknown. Any other
// two-letter code is taken as it is.
func Country(s string) string {
	k := strings.ToLower(strings.TrimSpace(s))
	if c, ok := countries[k]; ok {
		return c
	}
	if len(k) == 2 && k[0] >= 'a' && k[0] <= 'z' && k[1] >= 'a' && k[1] <= 'z' {
		return strings.ToUpper(k)
	}
	return ""
}
