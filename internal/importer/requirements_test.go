package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/openingskill"
	"github.com/careergraph/careergraph/internal/database"
	"github.com/careergraph/careergraph/internal/importer"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestImportSetsEssentialAndPreferred: the importer flags each skill link from the posting: the
// skills property and the title are essential, a description's "Nice to have" section
// preferred, everything else essential; a re-import of a changed posting flags afresh. Both
// write paths: ent's, and (on PostgreSQL) COPY, which writes the flags with the links.
func TestImportSetsEssentialAndPreferred(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		paths := map[string]importer.Options{"ent": {Source: "ent-feed"}}
		if b == testenv.Postgres {
			paths["copy"] = importer.Options{Source: "copy-feed", SQL: env.DB.SQL, Dialect: env.DB.Dialect, TxClient: database.ClientOnTx}
		}
		for name, opts := range paths {
			t.Run(name, func(t *testing.T) { flagsOnPath(t, env.DB.Client, opts) })
		}
	})
}

func flagsOnPath(t *testing.T, c *ent.Client, opts importer.Options) {
	ctx := context.Background()
	write := func(desc string) string {
		p := filepath.Join(t.TempDir(), "p.jsonld")
		doc := `{"@context": "https://schema.org/", "@type": "JobPosting", "title": "Backend Engineer (Go)",
		  "description": "` + desc + `", "identifier": "REQ-1", "datePosted": "2026-11-20",
		  "hiringOrganization": {"@type": "Organization", "name": "Paylinza"},
		  "jobLocation": {"@type": "Place", "address": {"addressLocality": "Bengaluru", "addressCountry": "IN"}},
		  "skills": "Docker"}`
		require.NoError(t, os.WriteFile(p, []byte(doc), 0o600))
		return p
	}
	flags := func() string {
		t.Helper()
		links, err := c.OpeningSkill.Query().
			Where(openingskill.HasOpeningWith(opening.Source("import:"+opts.Source), opening.ExternalID("REQ-1"))).
			WithSkill().All(ctx)
		require.NoError(t, err)
		var out []string
		for _, l := range links {
			f := "P"
			if l.Essential {
				f = "E"
			}
			out = append(out, l.Edges.Skill.Slug+":"+f)
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	rep := run(t, c, opts, write(`<p>We build payments.</p><h3>Requirements</h3><ul><li>Go</li><li>PostgreSQL</li></ul>`+
		`<h3>Nice to have</h3><ul><li>Kafka</li><li>Docker</li><li>Redis</li></ul><p>Experience with Kubernetes is a plus.</p>`))
	require.Equal(t, 1, rep.Created, rep.Rejects)
	// Docker: the skills property; Go: the title and the requirements; Kafka, Redis: the
	// nice-to-have section; Kubernetes: "is a plus".
	assert.Equal(t, "docker:E go:E kafka:P kubernetes:P postgresql:E redis:P", flags())

	// The posting changes: Kafka becomes a requirement.
	rep = run(t, c, opts, write(`<h3>Must have</h3><ul><li>Go</li><li>PostgreSQL</li><li>Kafka</li></ul>`+
		`<h3>Good to have</h3><ul><li>Redis</li></ul>`))
	require.Equal(t, 1, rep.Updated, rep.Rejects)
	assert.Equal(t, "docker:E go:E kafka:E postgresql:E redis:P", flags())
}
