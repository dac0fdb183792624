package importer

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestTidy: spaces collapse inside lines; blank lines and lines of a lone "|" go.
func TestTidy(t *testing.T) {
	for in, want := range map[string]string{
		"":                                   "",
		"\n \n\t\n":                          "",
		"  Go   and\tSQL  ":                  "Go and SQL",
		"a\n\n  b  c \n|\n | \nd":            "a\nb c\nd",
		"\n\nfirst":                          "first",
		"last\n\n":                           "last",
		"Go | Kafka\n|  |\n- Redis":          "Go | Kafka\n| |\n- Redis",
		"Ünsere\u00a0 Anforderungen\n\u3000": "Ünsere Anforderungen",
	} {
		assert.Equal(t, want, tidy(in), "%q", in)
		// The same as the definition: the non-blank, non-"|" lines, their fields joined.
		var lines []string
		for _, l := range strings.Split(in, "\n") {
			if l := strings.Join(strings.Fields(l), " "); l != "" && l != "|" {
				lines = append(lines, l)
			}
		}
		assert.Equal(t, strings.Join(lines, "\n"), tidy(in), "%q", in)
	}
}

// TestDescriptionKeepsTheShapeOfListsAndTables: what the skill extractor reads.
func TestDescriptionKeepsTheShapeOfListsAndTables(t *testing.T) {
	safe, plain := description(`<p>We  build <b>APIs</b>.</p><ul><li>Go</li><li> Kafka </li></ul><table><tr><td>Redis</td><td>SQL</td></tr><tr><td></td></tr></table><script>x()</script>`)
	assert.NotContains(t, safe, "script")
	assert.Equal(t, "We build APIs.\n- Go\n- Kafka\nRedis | SQL", plain)
}
