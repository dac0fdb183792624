package rolesearch

import (
	"slices"
	"strings"

	"github.com/careergraph/careergraph/internal/titles"
)

// Candidate is a role as search sees it.
type Candidate struct {
	ID      int
	Title   string
	Aliases []string
}

// Hit is a role that matches a search, with its score (0 to 100).
type Hit struct {
	ID    int
	Score int
	// Name is the title or alias that matched best.
	Name string
}

// MinScore is the lowest score a role needs to be returned: below it, fewer than about half
// of the searcher's words found the role.
const MinScore = 50

// Word-match strengths, in hundredths.
const (
	exact  = 100
	prefix = 80 // a query word of 3+ letters that begins a title word ("back" → "backend")
	typo   = 70 // within the edit distance allowed for its length (maxEdits)
)

// maxEdits is how many single-letter edits (insert, delete, substitute, swap two neighbours)
// a query word may be from a title word and still match: none below 4 letters ("go" is not
// "js"), one for 4 to 7 letters ("backnd", "devloper"), two from 8 letters ("devolopper").
func maxEdits(n int) int {
	switch {
	case n < 4:
		return 0
	case n < 8:
		return 1
	default:
		return 2
	}
}

// Rank scores every candidate against query and returns those scoring at least MinScore, best
// first (ties: shorter name first, then lower ID). A candidate's score is that of its best
// name (the title or an alias; an alias scores at most 95 so that the title wins a tie), and a
// name's score is
//
//	words × (50 + 50 × covered / len(name)) / 100
//
// where words is the average match
// strength of the query's words (exact 100, prefix 80, typo 70, none 0) and covered the
// name's words some query word matched. So "backend engineer" scores 100 against "Backend
// Developer" (titles.Tokens reads engineer as developer), "backend" alone 75 (half the title
// unasked), and "frontend developer" 37 against it (below MinScore). Both sides go through
// titles.Tokens, the importer's normaliser, so that a searcher's words and an imported
// opening's title are read by the same rules.
func Rank(query string, cands []Candidate) []Hit {
	q := titles.Tokens(query)
	if len(q) == 0 {
		return nil
	}
	var hits []Hit
	for _, c := range cands {
		best := Hit{ID: c.ID}
		try := func(name string, weight int) {
			if s := score(q, titles.Tokens(name)) * weight / 100; s > best.Score ||
				s == best.Score && best.Name != "" && len(name) < len(best.Name) {
				best.Score, best.Name = s, name
			}
		}
		try(c.Title, 100)
		for _, a := range c.Aliases {
			try(a, 95)
		}
		if best.Score >= MinScore {
			hits = append(hits, best)
		}
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		switch {
		case a.Score != b.Score:
			return b.Score - a.Score
		case len(a.Name) != len(b.Name):
			return len(a.Name) - len(b.Name)
		}
		return a.ID - b.ID
	})
	return hits
}

// score is a name's score for the query's words (both normalised), 0 to 100.
func score(q, name []string) int {
	if len(name) == 0 {
		return 0
	}
	covered := make([]bool, len(name))
	sum := 0
	for _, w := range q {
		bestS, bestI := 0, -1
		for i, n := range name {
			if s := wordMatch(w, n); s > bestS {
				bestS, bestI = s, i
			}
		}
		sum += bestS
		if bestI >= 0 {
			covered[bestI] = true
		}
	}
	c := 0
	for _, ok := range covered {
		if ok {
			c++
		}
	}
	words := sum / len(q)
	return words * (50 + 50*c/len(name)) / 100
}

// wordMatch is how strongly query word w matches title word n.
func wordMatch(w, n string) int {
	switch {
	case w == n:
		return exact
	case len(w) >= 3 && strings.HasPrefix(n, w):
		return prefix
	case maxEdits(len([]rune(w))) > 0 && titles.Distance(w, n) <= maxEdits(len([]rune(w))):
		return typo
	case maxEdits(len([]rune(w))) > 0:
		// titles.Tokens collapsed the name's "engineer" into "developer"; a misspelt word
		// ("enginer") is measured against every spelling of the canonical word.
		for _, sp := range titles.Spellings(n) {
			if len(sp) >= 4 && titles.Distance(w, sp) <= maxEdits(len([]rune(w))) {
				return typo
			}
		}
	}
	return 0
}
