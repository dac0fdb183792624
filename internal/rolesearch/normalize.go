package rolesearch

import (
	"strings"
	"unicode"
)

// Normalize turns a job title or a searcher's words into canonical tokens. The rules, in order:
//
//  1. Lower-case; every character that is not a letter or digit separates words, except that
//     a hyphen between two letters joins them ("Back-end" → "backend", "full-stack" →
//     "fullstack"), and so does a slash inside a known compound ("front/end" → "frontend"):
//     the usual spellings of one word.
//  2. Known compounds written as two words are joined: "back end", "front end", "full stack",
//     "server side", "dev ops", "data base", "web site" (joinPairs).
//  3. Abbreviations expand to their words: "sde"/"swe" → "software developer", "sre" → "site
//     reliability developer", "ml" → "machine learning", "ai" → "artificial intelligence",
//     "qa" → "quality assurance", "ui" → "frontend", "sr"/"snr" → "senior", "jr" → "junior",
//     "k8s" → "kubernetes" (expansions).
//  4. Words for the same role noun collapse into one: "developer", "engineer", "dev", "eng",
//     "programmer", "coder" → "developer" ("backend engineer" and "Backend Developer" are one
//     role to a searcher; both words occur in the titles of this graph's roles).
//  5. Filler words are dropped: "a", "an", "the", "of", "and", "for", "in", "&" (stopWords).
func Normalize(s string) []string {
	var words []string
	var cur strings.Builder
	runes := []rune(strings.ToLower(s))
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	for i, r := range runes {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(r)
		case (r == '-' || r == '/') && i > 0 && i+1 < len(runes) &&
			unicode.IsLetter(runes[i-1]) && unicode.IsLetter(runes[i+1]) && joins(r, cur.String(), runes[i+1:]):
			// joined: keep building the same word
		default:
			flush()
		}
	}
	flush()
	var joined []string
	for i := 0; i < len(words); i++ {
		if i+1 < len(words) && joinPairs[words[i]+" "+words[i+1]] {
			joined = append(joined, words[i]+words[i+1])
			i++
			continue
		}
		joined = append(joined, words[i])
	}
	out := make([]string, 0, len(joined))
	for _, w := range joined {
		if e, ok := expansions[w]; ok {
			out = append(out, e...)
			continue
		}
		if roleNouns[w] {
			w = "developer"
		}
		if !stopWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// joins reports whether the hyphen or slash between left and rest joins two words: a hyphen
// always does ("server-side", "e-commerce"); a slash only for a known compound
// ("front/end"), so that "iOS/Android" stays two words.
func joins(sep rune, left string, rest []rune) bool {
	if sep == '-' {
		return true
	}
	end := 0
	for end < len(rest) && (unicode.IsLetter(rest[end]) || unicode.IsDigit(rest[end])) {
		end++
	}
	return joinPairs[left+" "+string(rest[:end])]
}

// joinPairs are compounds that searchers write as one word, two words or hyphenated.
var joinPairs = map[string]bool{
	"back end": true, "front end": true, "full stack": true, "server side": true, "client side": true,
	"dev ops": true, "data base": true, "web site": true, "dev sec": true, "sec ops": true,
}

// expansions are abbreviations searchers use for the words in titles.
var expansions = map[string][]string{
	"sde": {"software", "developer"}, "swe": {"software", "developer"},
	"sre": {"site", "reliability", "developer"}, "ml": {"machine", "learning"},
	"ai": {"artificial", "intelligence"}, "qa": {"quality", "assurance"},
	"ui": {"frontend"}, "sr": {"senior"}, "snr": {"senior"}, "jr": {"junior"},
	"k8s": {"kubernetes"},
}

// roleNouns are the words for "someone who builds software" in titles.
var roleNouns = map[string]bool{
	"developer": true, "developers": true, "engineer": true, "engineers": true, "dev": true,
	"devs": true, "eng": true, "programmer": true, "coder": true,
}

// stopWords carry no meaning in a title.
var stopWords = map[string]bool{"a": true, "an": true, "the": true, "of": true, "and": true, "for": true, "in": true}
