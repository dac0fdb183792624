// Package extract finds the skills a text asks for (a job posting's title and description, or
// a CV) with the skill vocabulary: every skill's name and synonyms, matched as whole words and
// phrases, longest first.
//
// Decided rules (each tested on the labelled corpus in testdata/postings.jsonl):
//
//   - Text is split into words at spaces and punctuation; "+", "#" and "." stay inside a word
//     ("C++", "C#", "Node.js"), and a word's phrase key is skills.Key, so "Node.js", "NodeJS"
//     and "node js" are one skill, "C++" is not "C", and "C#" or ".NET" (not in the
//     vocabulary) match nothing rather than something wrong.
//   - Phrases of up to four words are tried, longest first, and the words a match uses are
//     consumed: "React Native" is not also React, "JavaScript" is never Java, "REST Assured" is
//     not REST. Phrases never span a comma, full stop, colon, semicolon, parenthesis, bullet or
//     line break, but do span spaces, hyphens and slashes ("CI/CD", "REST-ful", "A/B testing").
//   - Words that are also ordinary English ("Go", "REST", "Swift", "Spark", "Express", "Helm",
//     "R", "node", …; see ambiguous) count only when written as a name: not all lower case,
//     and, at the start of a sentence (or list item), only when followed by list punctuation,
//     written in capitals, or followed by a word that continues a skill ("for", "and",
//     "experience", …; see continues). "Go" is also not the language before "live", "to", "beyond" or "ahead", or in
//     "Go-to"; "R" not in "R&D"; "node" not before "pool", "affinity" or "selector".
//   - "and" may sit inside a phrase of three or more words ("data structures and algorithms"
//     is "Data structures & algorithms"). A name ending in "fundamentals" also matches without
//     it ("DBMS"), and a few common spellings the vocabulary lacks are known here (extra).
//   - A skill right after "no", "not" or "without" is not asked for ("No Java.").
//   - Group skills ("Node.js / Java / Python") are never extracted: an opening lists the
//     concrete skills, and groups are satisfied by their members (internal/skills).
package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/internal/skills"
)

// maxPhrase is the longest phrase, in words, that is looked up ("Google Cloud Platform",
// "Amazon Web Services", "software development engineer in test" is not a skill).
const maxPhrase = 4

// Extractor finds skills in text. It is immutable and safe for concurrent use.
type Extractor struct {
	byKey map[string]*ent.Skill
	// prefix holds every prefix of every key of byKey (the keys included): a phrase's key
	// begins with its first word's key, so a word whose key is not in prefix begins no
	// phrase, and longest is done with it after one lookup (most words of a text).
	prefix map[string]bool
}

// New prepares an extractor over the vocabulary's skills (as passed to skills.New). Group
// skills are left out.
func New(all []*ent.Skill) *Extractor {
	e := &Extractor{byKey: map[string]*ent.Skill{}}
	// Names win over synonyms, as in skills.New.
	for _, s := range all {
		if s.GroupMode != nil {
			continue
		}
		for _, syn := range s.Synonyms {
			if k := skills.Key(syn); k != "" {
				e.byKey[k] = s
			}
		}
	}
	bySlug := map[string]*ent.Skill{}
	for _, s := range all {
		if s.GroupMode != nil {
			continue
		}
		bySlug[s.Slug] = s
		if base, ok := strings.CutSuffix(s.Name, " fundamentals"); ok {
			if k := skills.Key(base); k != "" && e.byKey[k] == nil {
				e.byKey[k] = s
			}
		}
	}
	for slug, spellings := range extra {
		for _, sp := range spellings {
			if s := bySlug[slug]; s != nil && e.byKey[skills.Key(sp)] == nil {
				e.byKey[skills.Key(sp)] = s
			}
		}
	}
	for _, s := range all {
		if s.GroupMode != nil {
			continue
		}
		if k := skills.Key(s.Name); k != "" {
			e.byKey[k] = s
		}
	}
	e.prefix = map[string]bool{}
	for k := range e.byKey {
		for n := 1; n <= len(k); n++ {
			e.prefix[k[:n]] = true
		}
	}
	return e
}

// extra are spellings postings use that the vocabulary does not list (by skill slug). They
// apply only where nothing in the vocabulary already claims the spelling.
var extra = map[string][]string{
	"slo-sli":       {"SLO", "SLOs", "SLI", "SLIs"},
	"unit-testing":  {"unit tests", "unit test"},
	"a-b-testing":   {"A/B tests", "A/B test"},
	"microservices": {"microservice"},
	"rest":          {"REST API", "REST-ful"},
}

// negations before a skill mean the posting does not ask for it.
var negations = map[string]bool{"no": true, "not": true, "without": true}

// continues are words after which a capitalised word at the start of a sentence is a skill
// ("Jest for unit tests", "Hilt for dependency injection", "Spark and Kafka").
var continues = map[string]bool{
	"for": true, "and": true, "or": true, "experience": true, "knowledge": true, "skills": true,
	"expertise": true, "developer": true, "developers": true, "engineer": true, "engineers": true,
	"programming": true, "framework": true, "apis": true, "api": true, "services": true,
	"backend": true, "microservices": true, "tests": true, "testing": true,
}

// ambiguous are skill words that are also ordinary words (by skills.Key).
var ambiguous = map[string]bool{
	"go": true, "rest": true, "swift": true, "spark": true, "express": true, "jest": true, "hilt": true,
	"helm": true, "flutter": true, "snowflake": true, "r": true, "node": true, "ml": true, "dl": true,
	"ts": true, "js": true, "agile": true, "coredata": true,
}

// notGoBefore are words after which "Go" is the verb.
var notGoBefore = map[string]bool{"live": true, "to": true, "beyond": true, "ahead": true, "further": true, "above": true, "through": true}

// notNodeBefore are words after which "node" is a machine or a graph vertex.
var notNodeBefore = map[string]bool{"pool": true, "pools": true, "affinity": true, "selector": true, "selectors": true, "group": true, "groups": true}

type word struct {
	raw        string // as written
	start      int    // byte offset in the text
	key        string // skills.Key(raw)
	breakAfter bool   // a phrase may not continue past this word
	sentence   bool   // first word of a sentence (or of the text, a line or a list item)
	before     byte   // the character just before the word ('\x00' at the start)
	after      byte   // the character just after the word ('\x00' at the end)
}

// Skills returns the skills text mentions, in order of first mention, without duplicates.
func (e *Extractor) Skills(text string) []*ent.Skill { return distinctSkills(e.mentions(text)) }

// SkillsAndPreferred is Skills and Preferred of one text, finding its mentions once (an
// importer asks both of every posting).
func (e *Extractor) SkillsAndPreferred(text string) ([]*ent.Skill, map[int]bool) {
	ms := e.mentions(text)
	if !mayPrefer(text) {
		return distinctSkills(ms), nil
	}
	return distinctSkills(ms), preferredAt(text, ms)
}

func distinctSkills(ms []mention) []*ent.Skill {
	var out []*ent.Skill
	seen := map[int]bool{}
	for _, m := range ms {
		if !seen[m.skill.ID] {
			seen[m.skill.ID] = true
			out = append(out, m.skill)
		}
	}
	return out
}

// mention is one place text names a skill: the skill and the byte offset where it starts.
type mention struct {
	skill *ent.Skill
	start int
}

// mentions lists every place text names a skill, in order.
func (e *Extractor) mentions(text string) []mention {
	ws := split(text)
	var out []mention
	var key []byte // longest's scratch
	for i := 0; i < len(ws); {
		n, s := e.longest(ws, i, &key)
		if s == nil {
			i++
			continue
		}
		negated := i > 0 && !ws[i-1].breakAfter && negations[ws[i-1].key]
		if !negated {
			out = append(out, mention{s, ws[i].start})
		}
		i += n
	}
	return out
}

// Slugs is Skills' slugs.
func (e *Extractor) Slugs(text string) []string {
	ss := e.Skills(text)
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Slug
	}
	return out
}

// longest finds the longest phrase starting at ws[i] that names a skill. Each candidate key is
// built in *key, a buffer the caller keeps across calls, and looked up without a string made
// for it (a miss, by far the common case, allocates nothing).
func (e *Extractor) longest(ws []word, i int, key *[]byte) (int, *ent.Skill) {
	if !e.prefix[ws[i].key] {
		return 0, nil
	}
	end := i
	for end < len(ws)-1 && end-i < maxPhrase-1 && !ws[end].breakAfter {
		end++
	}
	for j := end; j >= i; j-- {
		if j > i && (ws[i].key == "and" || ws[j].key == "and") {
			continue
		}
		k := (*key)[:0]
		for _, w := range ws[i : j+1] {
			if w.key == "and" && j-i >= 2 {
				continue
			}
			k = append(k, w.key...)
		}
		*key = k
		s := e.byKey[string(k)]
		if s == nil {
			continue
		}
		if !e.accept(ws, i, j, string(k)) {
			continue
		}
		return j - i + 1, s
	}
	return 0, nil
}

// accept applies the rules for phrases that are also ordinary words (ws[i..j], key k).
func (e *Extractor) accept(ws []word, i, j int, k string) bool {
	if !ambiguous[k] {
		return true
	}
	w, last := ws[i], ws[j]
	if strings.ToLower(w.raw) == w.raw {
		return false
	}
	var next string
	if j+1 < len(ws) && !last.breakAfter {
		next = strings.ToLower(ws[j+1].raw)
	}
	allCaps := strings.ToUpper(w.raw) == w.raw && len(w.raw) > 1
	if w.sentence && !allCaps && next != "" && !continues[next] && !strings.ContainsRune(",/;)&", rune(last.after)) {
		return false
	}
	switch k {
	case "go":
		return !notGoBefore[next] && w.after != '-'
	case "r":
		return w.after != '&' && w.before != '&' && w.after != '\''
	case "node":
		return !notNodeBefore[next]
	}
	return true
}

// split cuts text into words, recording where phrases must stop and sentences start.
func split(text string) []word {
	ws := make([]word, 0, len(text)/6+1) // words average five letters and a space
	sentence := true
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWord(r) && r != '.' && r != '#' {
			// Punctuation between words.
			switch {
			case strings.ContainsRune(",;:()[]{}|•·*!?\n\r\t\"<>=", r):
				if len(ws) > 0 {
					ws[len(ws)-1].breakAfter = true
				}
				if strings.ContainsRune("!?\n\r•*|", r) {
					sentence = true
				}
			case r == '-' && (i == 0 || text[i-1] == '\n'):
				sentence = true // a list item
			}
			i += size
			continue
		}
		if r == '.' || r == '#' {
			// A word may start with '.' (".NET") or be a bare full stop.
			if i+1 >= len(text) || !isWord(rune(text[i+1])) {
				if r == '.' && len(ws) > 0 {
					ws[len(ws)-1].breakAfter = true
					sentence = true
				}
				i += size
				continue
			}
		}
		start := i
		for i < len(text) {
			r, size := utf8.DecodeRuneInString(text[i:])
			if isWord(r) || r == '+' || r == '#' {
				i += size
				continue
			}
			// A dot inside a word ("Node.js", "ASP.NET") stays; one at its end is a full stop.
			if r == '.' && i+1 < len(text) && isWord(rune(text[i+1])) {
				i += size
				continue
			}
			break
		}
		raw := text[start:i]
		w := word{raw: raw, start: start, key: skills.Key(raw), sentence: sentence}
		if start > 0 {
			w.before = text[start-1]
		}
		if i < len(text) {
			w.after = text[i]
		}
		if w.key == "" {
			continue
		}
		ws = append(ws, w)
		sentence = false
	}
	return ws
}
