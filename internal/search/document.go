// Package search is full-text search over openings: the indexed document each opening carries,
// the parsing of what people type, and the ranked, keyset-paginated query on both databases
// (PostgreSQL: a tsvector column with a GIN index; SQLite: an FTS5 table), plus the structured
// opening filters (experience fit, minimum pay, skills).
package search

import (
	"iter"
	"strings"
	"unicode"

	"github.com/careergraph/careergraph/internal/skills"
)

// Document builds an opening's search_text: the normalised words of its title, company, city,
// skills (each skill's name and synonyms, so "golang" finds Go openings) and description. Words
// are normalised as skills.Key does for each whitespace-separated word, so both databases'
// tokenizers see the same plain words.
func Document(title, company, city, description string, skillNames [][]string) string {
	var b strings.Builder
	b.Grow(len(title) + len(company) + len(city) + len(description) + 16*len(skillNames))
	word := func(k string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
	}
	add := func(s string) {
		for k := range keys(s) {
			word(k)
		}
	}
	add(title)
	add(company)
	add(city)
	for _, names := range skillNames {
		for _, n := range names {
			add(n)
			// "Node.js" is also indexed as one word, "nodejs".
			if k := skills.Key(n); k != "" && strings.ContainsAny(n, " ./-") {
				word(k)
			}
		}
	}
	add(description)
	return b.String()
}

// SkillWords is what one skill an opening asks for contributes to its document: its name and
// synonyms, then each member's name and synonyms (a group is found by its members: "golang"
// finds openings that need "Go / Rust"). members are the members' name-then-synonyms lists.
// The seed's writer and Reindex both build documents with it.
func SkillWords(name string, synonyms []string, members ...[]string) []string {
	out := append([]string{name}, synonyms...)
	for _, m := range members {
		out = append(out, m...)
	}
	return out
}

// keys are the words of s as a document holds them: split by splitter, normalised by
// skills.Key, empty ones dropped. Document writes each name's with them, and narrowing
// (narrow.go) asks for a name's by them, so the two cannot drift apart.
func keys(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for w := range strings.FieldsFuncSeq(s, splitter) {
			if k := skills.Key(w); k != "" && !yield(k) {
				return
			}
		}
	}
}

// splitter separates words; "+" and "#" stay inside them ("c++", "c#").
func splitter(r rune) bool {
	return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '+' || r == '#')
}
