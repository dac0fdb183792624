package search

import (
	"slices"
	"strconv"
	"strings"
	"sync"
)

// PostgreSQL's limits on a tsvector that to_tsvector enforces (tsearch/ts_type.h and
// ts_parse.c): a lexeme is shorter than maxLexeme bytes, positions stop at maxPosition and
// a lexeme keeps at most maxPositions of them.
const (
	maxLexeme    = 2047
	maxPosition  = 16383
	maxPositions = 255
)

// Vector returns, in tsvector's text form, the search vector PostgreSQL's trigger computes for
// an opening (migrations/postgres/*_search_vector_written.sql):
//
//	to_tsvector('simple', coalesce(search_text, '') || ' zzcgstatus' || lower(status)
//	  || ' zzcgloc' || coalesce(location_id, 0) || ' zzcgrole' || coalesce(role_id, 0)
//	  || ' zzcgblk' || (id >> 17))
//
// so that a bulk writer (the importer's COPY) can send the vector instead of having the
// database parse the text: reading this form costs PostgreSQL about a quarter of what
// to_tsvector does. A nil location or role is 0, as coalesce makes it; id is the opening's
// (its block token: see Block).
//
// The two agree because a document is words of letters and digits separated by single spaces
// (Document), and PostgreSQL's parser takes a word of ASCII letters and digits whole, as one
// lexeme of itself (the 'simple' dictionary only lower-cases, and the words are lower case),
// at the next position. ok is false when doc has anything else (a non-ASCII letter, whose class
// depends on the database's locale; a word that starts with a digit and has an "e", which the
// parser may read as a float and a word), a word too long to index, or more words or repeats than
// positions can hold: the writer then sends NULL and the trigger computes the vector.
// TestVectorMatchesPostgres checks the agreement against the database.
func Vector(doc, status string, location, role *int, id int64) (string, bool) {
	ref := func(p *int) string {
		if p == nil {
			return "0"
		}
		return strconv.Itoa(*p)
	}
	v := vectorPool.Get().(*vectorScratch)
	defer vectorPool.Put(v)
	v.reset()
	if !v.add(doc) || !v.add(tokenStatus+strings.ToLower(status)+" "+tokenLocation+ref(location)+" "+tokenRole+ref(role)+" "+tokenBlock+strconv.FormatInt(Block(id), 10)) {
		return "", false
	}
	return v.String(), true
}

// vectorScratch collects a document's words: each distinct word once (lexemes, in order of
// first appearance) with its positions chained through next.
type vectorScratch struct {
	index   map[string]int
	lexemes []lexeme
	next    []int32 // next[p]: the next position of the word at position p, or 0
	pos     int
	out     []byte // the text form, reused
}

type lexeme struct {
	w           string
	first, last int32
	n           int
}

var vectorPool = sync.Pool{New: func() any { return &vectorScratch{index: map[string]int{}} }}

func (v *vectorScratch) reset() {
	clear(v.index)
	v.lexemes, v.next, v.pos = v.lexemes[:0], append(v.next[:0], 0), 0
}

// add adds the words of s (separated by spaces), or reports false for one the parser may not
// take whole.
func (v *vectorScratch) add(s string) bool {
	for w := range strings.SplitSeq(s, " ") {
		if w == "" {
			continue
		}
		if len(w) > maxLexeme || !asciiWord(w) {
			return false
		}
		v.pos++
		if v.pos > maxPosition {
			return false
		}
		p := int32(v.pos)
		v.next = append(v.next, 0)
		if i, ok := v.index[w]; ok {
			l := &v.lexemes[i]
			v.next[l.last] = p
			l.last = p
			if l.n++; l.n > maxPositions {
				return false
			}
			continue
		}
		v.index[w] = len(v.lexemes)
		v.lexemes = append(v.lexemes, lexeme{w: w, first: p, last: p, n: 1})
	}
	return true
}

// String writes the vector in tsvector's text form, lexemes sorted as PostgreSQL keeps them
// (so that reading it sorts nothing): 'golang':3,17 'kubernetes':4.
func (v *vectorScratch) String() string {
	slices.SortFunc(v.lexemes, func(a, b lexeme) int { return strings.Compare(a.w, b.w) })
	b := v.out[:0]
	for i, l := range v.lexemes {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(append(append(b, '\''), l.w...), "':"...)
		for p := l.first; p != 0; p = v.next[p] {
			if p != l.first {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(p), 10)
		}
	}
	v.out = b
	return string(b)
}

// asciiWord reports whether PostgreSQL's parser takes w (not empty) whole: lower-case ASCII letters and
// digits, and not a number with an exponent ("9e9e9" is the float 9e9, then the word e9).
func asciiWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return w[0] < '0' || w[0] > '9' || !strings.Contains(w, "e")
}
