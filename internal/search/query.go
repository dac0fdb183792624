package search

import (
	"fmt"
	"strings"

	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/skills"
)

// Limits on what a search may ask, so that no request turns into a full scan by accident.
const (
	MaxSearchLength = 200
	MaxTerms        = 8
	// minPrefix is the shortest term matched as a prefix ("kube" finds Kubernetes); shorter
	// terms match whole words only, so "go" does not find "google".
	minPrefix = 3
)

// Term is one word of a search.
type Term struct {
	Word   string
	Prefix bool
}

// Query is a parsed search: every term must match (AND).
type Query struct {
	Terms []Term
	// filters are tsquery clauses over the status, location and role tokens (PostgreSQL only).
	filters []string
	// narrow are clauses implied by the search's skill filters (narrow.go): in its statements,
	// not in the plan that decides on a window (broad).
	narrow []string
}

// Parse reads what a person typed. Words are normalised like the documents; duplicates drop
// out. A blank search, one over MaxSearchLength characters or with more than MaxTerms words is a
// BAD_USER_INPUT error naming the search argument.
func Parse(text string) (Query, error) {
	if len(text) > MaxSearchLength {
		return Query{}, apperr.BadInput("search", "search is %d characters long; send at most %d", len(text), MaxSearchLength)
	}
	var q Query
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(text, splitter) {
		k := skills.Key(w)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		q.Terms = append(q.Terms, Term{Word: k, Prefix: len(k) >= minPrefix})
	}
	if len(q.Terms) == 0 {
		return Query{}, apperr.BadInput("search", "search is blank: send at least one word, or leave search out to list openings without searching")
	}
	if len(q.Terms) > MaxTerms {
		return Query{}, apperr.BadInput("search", "search has %d words; send at most %d", len(q.Terms), MaxTerms)
	}
	return q, nil
}

// Exact turns off prefix matching for the words known reports as whole words (skill names and
// synonyms): "golang" then matches the word golang only, which the index answers much faster
// than every word starting with it.
func (q Query) Exact(known func(string) bool) Query {
	out := Query{Terms: make([]Term, len(q.Terms)), filters: q.filters, narrow: q.narrow}
	for i, t := range q.Terms {
		out.Terms[i] = Term{Word: t.Word, Prefix: t.Prefix && (known == nil || !known(t.Word))}
	}
	return out
}

// TSQuery renders q for PostgreSQL's to_tsquery('simple', …): "golang & kube:*", followed by
// the filter tokens. Words are letters and digits only, so nothing in them is tsquery syntax.
func (q Query) TSQuery() string { return q.tsquery(true) }

// RankTSQuery is TSQuery without the filter tokens: relevance is about the words alone.
func (q Query) RankTSQuery() string { return q.tsquery(false) }

func (q Query) tsquery(withFilters bool) string {
	parts := make([]string, 0, len(q.Terms)+len(q.filters))
	for _, t := range q.Terms {
		w := t.Word
		if t.Prefix {
			w += ":*"
		}
		parts = append(parts, w)
	}
	if withFilters {
		parts = append(append(parts, q.filters...), q.narrow...)
	}
	return strings.Join(parts, " & ")
}

// broad is q without its narrowing clauses.
func (q Query) broad() Query {
	q.narrow = nil
	return q
}

// FTS5 renders q for SQLite's MATCH: `"golang"* AND "kubernetes"*`.
func (q Query) FTS5() string {
	parts := make([]string, len(q.Terms))
	for i, t := range q.Terms {
		parts[i] = fmt.Sprintf("%q", t.Word)
		if t.Prefix {
			parts[i] += "*"
		}
	}
	return strings.Join(parts, " AND ")
}
