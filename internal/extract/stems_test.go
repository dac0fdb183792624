package extract

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStemsGateNothing checks what the stems rest on: every text a preferred or required
// expression matches holds one of that expression's stems, so running the expressions only
// on texts with a stem (headingKind, mayPrefer) changes no answer. The texts: every heading
// the rules name, as written, in capitals and in lower case, and every line and sentence of
// both labelled corpora. Taking a stem out of a list makes it fail.
func TestStemsGateNothing(t *testing.T) {
	texts := []string{
		"Nice to have", "Nice-to-haves", "Good to have", "good-to-have", "Preferred", "Preferable",
		"Preferably", "Bonus points", "Plus", "Pluses", "Desirable", "Desired skills", "Optional",
		"Advantage", "Advantageous", "Extra credit", "A big plus", "an added advantage",
		"not required", "Not mandatory", "not essential", "not a must", "would be great",
		"Would be nice", "would be helpful", "Requirements", "Requirement", "Required", "Must have",
		"Mandatory", "Essential", "Qualifications", "Qualification", "What you need",
		"What you'll need", "You have", "You bring", "Skills", "Skill", "Tech stack",
		"Responsibilities", "Experience",
	}
	for _, file := range []string{"testdata/postings.jsonl", "testdata/requirements.jsonl"} {
		f, err := os.Open(file)
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var c struct{ Text string }
			require.NoError(t, json.Unmarshal(sc.Bytes(), &c))
			for _, line := range strings.Split(c.Text, "\n") {
				texts = append(texts, line)
				for _, p := range pieces(sentenceEnd, line, 0) {
					texts = append(texts, line[p[0]:p[1]])
				}
			}
		}
		require.NoError(t, sc.Err())
		f.Close()
	}
	matched := map[string]int{}
	for _, s := range texts {
		for _, v := range []string{s, strings.ToUpper(s), strings.ToLower(s)} {
			if preferHeading.MatchString(v) {
				matched["preferHeading"]++
				assert.True(t, hasStem(v, preferStems), "preferHeading matches %q, which has no stem", v)
			}
			if requireHeading.MatchString(v) {
				matched["requireHeading"]++
				assert.True(t, hasStem(v, requireStems), "requireHeading matches %q, which has no stem", v)
			}
			if preferWords.MatchString(v) {
				matched["preferWords"]++
				assert.True(t, mayPrefer(v), "preferWords matches %q, which has no stem", v)
			}
		}
	}
	// Not vacuous: the expressions matched many of the texts.
	for _, name := range []string{"preferHeading", "requireHeading", "preferWords"} {
		assert.Greater(t, matched[name], 30, name)
	}
	// And the gate passes over what it is for.
	for _, item := range []string{"- Go", "Kafka | Redis", "PostgreSQL", "Docker and Kubernetes"} {
		assert.False(t, hasStem(item, preferStems) || hasStem(item, requireStems), item)
	}
	// Longer than the stack buffer, and not ASCII: lower-cased as strings.ToLower does.
	assert.True(t, hasStem(strings.Repeat("x", 300)+" NICE TO HAVE", preferStems))
	assert.True(t, hasStem("Ünsere Anforderungen: EXPERIENCE", requireStems))
}

// TestWordsCountsAsFields: words is len(strings.Fields(s)).
func TestWordsCountsAsFields(t *testing.T) {
	for _, s := range []string{"", " ", "Nice to have", "  two\twords \n", "a\u00a0b", "Ünsere  Anforderungen", "x\xffy z"} {
		assert.Equal(t, len(strings.Fields(s)), words(s), "%q", s)
	}
}

// TestSentencesAsTheExpression: sentences cuts where sentenceEnd does.
func TestSentencesAsTheExpression(t *testing.T) {
	regexpPieces := func(s string, off int) [][2]int {
		var out [][2]int
		from := 0
		for _, m := range sentenceEnd.FindAllStringIndex(s, -1) {
			out = append(out, [2]int{off + from, off + m[0]})
			from = m[1]
		}
		return append(out, [2]int{off + from, off + len(s)})
	}
	for _, s := range []string{"", ".", ". ", "a. b", "Go. Java!  Rust?\tC;\n\fD", "v1.2 and 3.x. End.", "x;y; z ;  ", "Ünsere. Anforderungen…  ok", " . . ", "a.\u00a0b"} {
		assert.Equal(t, regexpPieces(s, 7), sentences(s, 7), "%q", s)
	}
}
