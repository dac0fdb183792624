// Package titles normalises job titles to the graph's roles: "Sr. Backend Engineer (Java)",
// "SDE II – Backend" and "Server-side Developer" all mean backend-developer. The feed importer
// classifies every posting's title with it (Classify), and the role search (internal/rolesearch)
// reads what people type with its Tokens, Distance and Spellings, so that both agree on what a
// title means.
//
// How a title is read (decided here, documented in the README):
//
//   - lower-cased; punctuation, dashes, slashes and parentheses become spaces (the words inside
//     parentheses are kept: "Mobile App Developer (Android)" needs them);
//   - compound spellings are joined first ("back-end", "back end" → backend; "front end" →
//     frontend; "full stack" → fullstack; "server-side" → backend; "machine learning" → ml;
//     "site reliability engineer" → sre; "dev ops" → devops; "software development engineer in
//     test" → sdet);
//   - synonyms meet: engineer, developer, dev, programmer, engineering → developer; SDE and
//     SWE → software developer; tester, testing → test; "quality assurance" → qa;
//   - seniority and level words are dropped: senior, sr, junior, jr, lead, principal, staff,
//     mid, entry, level, experienced, I–V, 1–5, L1–L7, and filler such as "remote" or "urgent".
//
// A title is compared with every phrase of every role (its title, its aliases, and a few
// built-in hints such as "golang developer" → backend-developer, see hints): the phrase's
// weighted coverage (the share of the phrase's words the title has, generic words such as
// "developer" or "software" weighing less) decides, and between equal coverage the phrase with
// more matched weight (the more specific one) wins, then the one that starts earlier in the title
// (its head: "DevOps Engineer - AWS" is a DevOps post). A title is classified when the best phrase
// is covered at least MinCoverage and at least one distinctive word matched; otherwise it is
// Unclassified. A bare "Software Engineer" is therefore unclassified: it names no role.
package titles

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// Unclassified is what Classify returns for a title that matches no role well enough.
const Unclassified = "unclassified"

// MinCoverage is the weighted share of a role phrase's words a title must have to be classified
// under it.
const MinCoverage = 0.75

// Role is what the normaliser knows of a role.
type Role struct {
	Slug, Title string
	Aliases     []string
}

// Match is one role ranked for a title or a query.
type Match struct {
	Slug string
	// Score is the best phrase's weighted coverage in [0, 1].
	Score float64
	// Phrase is the role's title or alias (or hint) that matched best, as written.
	Phrase string
	weight float64
	first  int // position in the title of the phrase's first matched word
}

type phrase struct {
	text   string
	tokens []string
	total  float64
}

type entry struct {
	slug    string
	phrases []phrase
}

// Normaliser classifies titles against a fixed set of roles. It is immutable and safe for
// concurrent use; build a new one when roles or their aliases change.
type Normaliser struct{ roles []entry }

// hints are phrases every deployment understands beyond the roles' own aliases: titles that name
// a technology instead of a function. They apply only to roles that exist (by slug).
var hints = map[string][]string{
	"backend-developer": {"Java Developer", "Golang Developer", "Go Developer", "Python Developer",
		"Node.js Developer", "PHP Developer", "Spring Boot Developer", "Django Developer", "Microservices Developer"},
	"frontend-developer":          {"Angular Developer", "Vue.js Developer", "JavaScript Developer", "UI Engineer"},
	"full-stack-developer":        {"MEAN Stack Developer", "MERN Developer"},
	"android-developer":           {"Android App Developer"},
	"ios-developer":               {"iPhone Developer"},
	"qa-automation-engineer":      {"QA Engineer", "Automation Tester", "Quality Assurance Automation"},
	"software-engineering-intern": {"Software Intern", "Developer Intern", "Internship Software"},
	"graduate-engineer-trainee":   {"Graduate Trainee", "Engineer Trainee", "Fresher Software Trainee"},
	"machine-learning-engineer":   {"Deep Learning Engineer", "NLP Engineer", "Computer Vision Engineer"},
}

// New prepares a normaliser over roles.
func New(roles []Role) *Normaliser {
	n := &Normaliser{}
	for _, r := range roles {
		e := entry{slug: r.Slug}
		for _, text := range append(append([]string{r.Title}, r.Aliases...), hints[r.Slug]...) {
			toks := Tokens(text)
			if len(toks) == 0 {
				continue
			}
			p := phrase{text: text, tokens: toks}
			for _, t := range toks {
				p.total += weight(t)
			}
			e.phrases = append(e.phrases, p)
		}
		n.roles = append(n.roles, e)
	}
	return n
}

// Classify returns the slug of the role title names, or Unclassified.
func (n *Normaliser) Classify(title string) string {
	ms := n.rank(Tokens(title))
	if len(ms) == 0 || ms[0].Score < MinCoverage {
		return Unclassified
	}
	return ms[0].Slug
}

// rank returns every role some phrase of which shares a distinctive word with title, best first
// (by coverage, then matched weight, then position). Words match exactly: a feed's titles are
// not typed by hand, and the role search box (internal/rolesearch) forgives typos on its own.
func (n *Normaliser) rank(title []string) []Match {
	if len(title) == 0 {
		return nil
	}
	var out []Match
	for _, e := range n.roles {
		best := Match{Slug: e.slug}
		for _, p := range e.phrases {
			var got float64
			distinctive, first := false, len(title)
			for _, t := range p.tokens {
				if i := slices.Index(title, t); i >= 0 {
					got += weight(t)
					distinctive = distinctive || weight(t) >= 1
					first = min(first, i)
				}
			}
			if !distinctive {
				continue
			}
			score := got / p.total
			if score > best.Score || (score == best.Score && (got > best.weight || got == best.weight && first < best.first)) {
				best.Score, best.weight, best.Phrase, best.first = score, got, p.text, first
			}
		}
		if best.Score > 0 {
			out = append(out, best)
		}
	}
	slices.SortFunc(out, func(a, b Match) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(b.weight, a.weight); c != 0 {
			return c
		}
		// "DevOps Engineer - AWS" is a DevOps post that names a cloud: the head of a title
		// comes first.
		if c := cmp.Compare(a.first, b.first); c != 0 {
			return c
		}
		return cmp.Compare(a.Slug, b.Slug)
	})
	return out
}

// Distance is the optimal-string-alignment edit distance between a and b: insertions,
// deletions, substitutions and transpositions of neighbours each cost 1. Strings whose lengths
// differ by more than two are reported as 3 without building the table: no caller allows more
// than two edits. It is the one edit distance of the project: the role search's ranking
// (internal/rolesearch) measures typos with it.
func Distance(a, b string) int {
	x, y := []rune(a), []rune(b)
	if d := len(x) - len(y); d > 2 || d < -2 {
		return 3
	}
	prev2 := make([]int, len(y)+1)
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}

// Spellings are the written words Tokens turns into the single canonical word w, w itself
// first ("developer": developer, engineer, dev, programmer, ...), sorted after it. A typo of a
// title word is only recognisable against what was written ("enginer" is one edit from
// "engineer", not from "developer"), so a fuzzy matcher compares it with every spelling.
func Spellings(w string) []string {
	out := []string{w}
	for from, to := range synonyms {
		if len(to) == 1 && to[0] == w && from != w {
			out = append(out, from)
		}
	}
	slices.Sort(out[1:])
	return out
}

// generic words say little about which role a title means.
var generic = map[string]float64{
	"developer": 0.3, "software": 0.3, "app": 0.3, "application": 0.3, "mobile": 0.5, "stack": 0.3,
	"specialist": 0.3, "consultant": 0.3, "web": 0.6, "associate": 0.3, "it": 0.3, "technology": 0.3,
}

// strong words decide a title whatever else it says ("Backend Intern" is an internship).
var strong = map[string]float64{"intern": 3, "trainee": 3}

func weight(t string) float64 {
	if w, ok := generic[t]; ok {
		return w
	}
	if w, ok := strong[t]; ok {
		return w
	}
	return 1
}

// compounds are rewritten before a title is split into words; longer first.
var compounds = []struct{ from, to string }{
	{"software development engineer in test", " sdet "},
	{"software developer in test", " sdet "},
	{"software engineer in test", " sdet "},
	{"sde in test", " sdet "},
	{"site reliability engineering", " sre "},
	{"site reliability engineer", " sre "},
	{"site reliability", " sre "},
	{"machine learning", " ml "},
	{"artificial intelligence", " ai "},
	{"quality assurance", " qa "},
	{"quality analyst", " qa "},
	{"graduate engineer trainee", " graduate developer trainee "},
	{"back-end", " backend "}, {"back end", " backend "},
	{"front-end", " frontend "}, {"front end", " frontend "},
	{"full-stack", " fullstack "}, {"full stack", " fullstack "},
	{"server-side", " backend "}, {"server side", " backend "},
	{"dev ops", " devops "}, {"dev-ops", " devops "},
	{"node.js", " nodejs "}, {"node js", " nodejs "},
	{"vue.js", " vuejs "}, {"react.js", " react "}, {"reactjs", " react "},
	{"big-data", " big data "},
	{"i-os", " ios "},
}

// synonyms map single words to their canonical words (one or more).
var synonyms = map[string][]string{
	"engineer": {"developer"}, "engineers": {"developer"}, "developers": {"developer"},
	"dev": {"developer"}, "devs": {"developer"}, "programmer": {"developer"}, "coder": {"developer"}, "engineering": {"developer"},
	"engg": {"developer"}, "eng": {"developer"}, "development": {"developer"},
	"sde": {"software", "developer"}, "swe": {"software", "developer"}, "sdes": {"software", "developer"},
	"tester": {"test"}, "testing": {"test"}, "tests": {"test"},
	"internship": {"intern"}, "interns": {"intern"},
	"serverside": {"backend"}, "k8s": {"kubernetes"}, "iphone": {"ios"}, "golang": {"go"}, "nodejs": {"node"},
	"scientists": {"scientist"}, "science": {"scientist"},
	"mlops": {"mlops"}, "automated": {"automation"},
}

// dropped words say how senior a post is, or nothing about the role.
var dropped = map[string]bool{
	"senior": true, "sr": true, "snr": true, "junior": true, "jr": true, "lead": true, "principal": true,
	"staff": true, "mid": true, "entry": true, "level": true, "experienced": true, "expert": true,
	"i": true, "ii": true, "iii": true, "iv": true, "v": true,
	"1": true, "2": true, "3": true, "4": true, "5": true,
	"l1": true, "l2": true, "l3": true, "l4": true, "l5": true, "l6": true, "l7": true,
	"remote": true, "hybrid": true, "onsite": true, "wfh": true, "urgent": true, "hiring": true,
	"immediate": true, "joiner": true, "joiners": true, "opening": true, "job": true, "role": true,
	"permanent": true, "contract": true, "fulltime": true, "parttime": true,
	"a": true, "an": true, "the": true, "and": true, "of": true, "for": true, "with": true, "in": true,
	"at": true, "to": true, "or": true, "years": true, "yrs": true, "year": true, "exp": true,
}

// separators are what Tokens reads as a space (or, "‐", a hyphen); a Replacer is safe for
// concurrent use and builds its tables once.
var separators = strings.NewReplacer("–", " ", "—", " ", "‐", "-", "/", " ", "&", " ", "|", " ", ",", " ")

// Tokens is a title's canonical words, in order, without duplicates: what Classify compares,
// and what the role search (internal/rolesearch) compares a searcher's words and role names
// by. It is the project's one title normaliser. A title with no meaningful word gives an empty,
// non-nil slice.
func Tokens(title string) []string {
	s := " " + strings.ToLower(title) + " "
	// Dashes of every kind and slashes separate like spaces, but "back-end" must be joined
	// first; en and em dashes never join words.
	s = separators.Replace(s)
	for _, c := range compounds {
		s = strings.ReplaceAll(s, c.from, c.to)
	}
	// Numbered levels glued to a word ("engineer-2", "sde3") lose the number.
	words := strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '+' || r == '#')
	})
	out := []string{}
	seen := map[string]bool{}
	add := func(w string) {
		if w != "" && !dropped[w] && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, w := range words {
		w = strings.TrimRight(w, ".")
		if len(w) > 3 && (strings.HasPrefix(w, "sde") || strings.HasPrefix(w, "swe")) && isDigits(w[3:]) {
			w = w[:3]
		}
		if syn, ok := synonyms[w]; ok {
			for _, x := range syn {
				add(x)
			}
			continue
		}
		add(w)
	}
	return out
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
