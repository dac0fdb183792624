package extract

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Preferred returns the IDs of the skills a posting's description asks for only as preferred
// ("nice to have"), not as essential (required). Decided rules (tested on the labelled cases
// in testdata/requirements.jsonl):
//
//   - A heading starts a section: a line of at most six words ending in a colon ("Nice to
//     have:"), the words before a colon that begins a line ("Must have: Go, SQL"), or a short
//     line of at most five words that names a kind of section ("Preferred qualifications",
//     "## Bonus points"). A heading that says nice to have, good to have, preferred,
//     preferable, bonus, plus, desirable, desired, optional or advantage starts a preferred
//     section; one that says requirements, required, must, mandatory, essential,
//     qualifications, what you need, you have, you bring, skills, stack or responsibilities,
//     an essential one; any other line-ending heading ("About us:") ends the section. The
//     text before the first heading is essential.
//   - In an essential section, a sentence that says the skill is a plus, a bonus or an
//     advantage, nice or good to have, preferred, desirable, optional or not required makes
//     that sentence's skills preferred ("Experience with Docker is a plus."); when the same
//     sentence also says required, must, mandatory or essential, only the clauses (split at
//     commas, semicolons and "but") with the preferred words are ("Java required, Kotlin
//     preferred").
//   - A skill named in any essential place is essential: essential wins. A skill the
//     description does not name is not in the answer (callers treat skills as essential unless
//     this says otherwise: the posting's skills property and title are essential).
func (e *Extractor) Preferred(text string) map[int]bool {
	if !mayPrefer(text) {
		return nil // no word that makes a skill preferred, heading or sentence, anywhere
	}
	return preferredAt(text, e.mentions(text))
}

// preferredAt is Preferred given the mentions of text.
func preferredAt(text string, mentions []mention) map[int]bool {
	// Each byte of text is essential or preferred; the mentions of the whole text (found as
	// Skills finds them) are then read at their offsets.
	pref := make([]bool, len(text))
	set := func(from, to int, p bool) {
		for i := from; i < to; i++ {
			pref[i] = p
		}
	}
	section := false // in a preferred section
	for off := 0; off < len(text); {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += off
		}
		line := text[off:end]
		lineOff := off
		off = end + 1
		// The line's body, past list marks and numbering, as offsets into text.
		b := lineOff + len(line) - len(strings.TrimLeftFunc(line, func(r rune) bool {
			return unicode.IsSpace(r) || strings.ContainsRune("-*•·#>–|", r) || unicode.IsDigit(r) || r == '.' || r == ')'
		}))
		body := strings.TrimRightFunc(text[b:end], unicode.IsSpace)
		if body == "" {
			continue
		}
		if head, rest, ok := strings.Cut(body, ":"); ok && words(head) <= 6 {
			switch kind := headingKind(head); {
			case kind != 0:
				section = kind < 0
				b += len(head) + 1
				body = rest
			case strings.TrimSpace(rest) == "":
				section = false // another kind of heading ("About us:") ends the section
				continue
			}
		} else if words(body) <= 5 && !strings.ContainsAny(body, ".,;") {
			if kind := headingKind(body); kind != 0 {
				section = kind < 0
				continue
			}
		}
		if section {
			set(b, b+len(body), true)
			continue
		}
		for _, sen := range pieces(sentenceEnd, body, b) {
			sentence := text[sen[0]:sen[1]]
			switch {
			case !mayPrefer(sentence) || !preferWords.MatchString(sentence):
			case !requires(sentence):
				set(sen[0], sen[1], true)
			default:
				for _, cl := range pieces(clauseEnd, sentence, sen[0]) {
					clause := text[cl[0]:cl[1]]
					set(cl[0], cl[1], preferWords.MatchString(clause) && !requires(clause))
				}
			}
		}
	}
	essential, preferred := map[int]bool{}, map[int]bool{}
	for _, m := range mentions {
		if pref[m.start] {
			preferred[m.skill.ID] = true
		} else {
			essential[m.skill.ID] = true
		}
	}
	for id := range essential {
		delete(preferred, id)
	}
	return preferred
}

// pieces splits s (which starts at offset off of the text) at the matches of sep, as
// [from, to) offsets of the text.
func pieces(sep *regexp.Regexp, s string, off int) [][2]int {
	if sep == sentenceEnd {
		return sentences(s, off)
	}
	var out [][2]int
	from := 0
	for _, m := range sep.FindAllStringIndex(s, -1) {
		out = append(out, [2]int{off + from, off + m[0]})
		from = m[1]
	}
	return append(out, [2]int{off + from, off + len(s)})
}

// sentences is pieces(sentenceEnd, s, off) without the regular expression (a line of a
// description at a time, every line of every posting an import reads): s is cut after each
// '.', '!', '?' or ';' that one or more spaces follow (\s: space, tab, new line, form feed,
// carriage return), the spaces going with neither side.
func sentences(s string, off int) [][2]int {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }
	out := make([][2]int, 0, 1)
	from := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c == '.' || c == '!' || c == '?' || c == ';') && i+1 < len(s) && isSpace(s[i+1]) {
			j := i + 1
			for j < len(s) && isSpace(s[j]) {
				j++
			}
			out = append(out, [2]int{off + from, off + i})
			from, i = j, j-1
		}
	}
	return append(out, [2]int{off + from, off + len(s)})
}

// headingKind says what a heading announces: -1 preferred skills, 1 essential ones, 0 neither.
//
// The regular expressions run only on a heading that has one of their stems: most short lines
// are list items and table cells ("- Go", "Kafka | Redis"), and trying both expressions on
// each was half of preferredAt's time in an import's profile.
func headingKind(h string) int {
	switch {
	case hasStem(h, preferStems) && preferHeading.MatchString(h):
		return -1
	case hasStem(h, requireStems) && requireHeading.MatchString(h):
		return 1
	}
	return 0
}

// requires reports whether s says something is required ("not required" does not).
func requires(s string) bool { return requireWords.MatchString(notRequired.ReplaceAllString(s, "")) }

// words counts the words of s as strings.Fields splits them, without making the list.
func words(s string) int {
	n, in := 0, false
	for _, r := range s {
		space := unicode.IsSpace(r)
		if !space && !in {
			n++
		}
		in = !space
	}
	return n
}

// preferStems are fixed strings one of which every match of preferWords, and every preferred
// heading (headingKind), contains, lower-cased: a text or sentence with none of them cannot
// make a skill preferred, and is passed over without running the regular expressions (which
// backtrack: they were a third of an import's CPU).
var preferStems = stems("to have", "to-have", "plus", "bonus", "advantage", "prefer", "desir", "optional",
	"not required", "not mandatory", "not essential", "not a must", "would be", "extra")

// requireStems are, in the same way, fixed strings one of which every match of
// requireHeading contains, lower-cased.
var requireStems = stems("require", "must", "mandatory", "essential", "qualification", "need", "you have",
	"you bring", "skill", "stack", "responsibilit", "experience")

func stems(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, w := range s {
		out[i] = []byte(w)
	}
	return out
}

// mayPrefer reports whether s contains one of preferStems, in any case.
func mayPrefer(s string) bool { return hasStem(s, preferStems) }

// hasStem reports whether s, lower-cased as strings.ToLower does, contains one of stems. An
// ASCII s of up to 256 bytes (a line, a sentence) is lower-cased on the stack.
func hasStem(s string, stems [][]byte) bool {
	var buf [256]byte
	l := buf[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || len(l) == len(buf) {
			l = []byte(strings.ToLower(s))
			break
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		l = append(l, c)
	}
	for _, w := range stems {
		if bytes.Contains(l, w) {
			return true
		}
	}
	return false
}

var (
	preferHeading  = regexp.MustCompile(`(?i)\b(nice|good)[- ]to[- ]haves?\b|\bprefer(red|able)?\b|\bbonus\b|\bplus(es)?\b|\bdesir(able|ed)\b|\boptional\b|\badvantage(ous)?\b|\bextra\b`)
	requireHeading = regexp.MustCompile(`(?i)\brequire(d|ments?)\b|\bmust\b|\bmandatory\b|\bessential\b|\bqualifications?\b|\bwhat you('ll)? need\b|\byou (have|bring)\b|\bskills?\b|\bstack\b|\bresponsibilities\b|\bexperience\b`)
	preferWords    = regexp.MustCompile(`(?i)\b(nice|good)[- ]to[- ]have\b|\b(a|an)( added| big| huge| strong| real)? (plus|bonus|advantage)\b|\bprefer(red|ably|able)?\b|\bbonus\b|\bdesirable\b|\boptional\b|\bnot (required|mandatory|essential|a must)\b|\bwould be (great|nice|helpful)\b`)
	requireWords   = regexp.MustCompile(`(?i)\b(required|must|mandatory|essential)\b`)
	notRequired    = regexp.MustCompile(`(?i)\bnot (required|mandatory|essential|a must)\b`)
	sentenceEnd    = regexp.MustCompile(`[.!?;]\s+`)
	clauseEnd      = regexp.MustCompile(`[,;]\s*|\s+but\s+`)
)
