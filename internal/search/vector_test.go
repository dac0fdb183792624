package search_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/search"
	"github.com/careergraph/careergraph/internal/testenv"
)

// vectorCase is a document with the opening fields the vector's tokens come from.
type vectorCase struct {
	doc, status    string
	location, role *int
}

func vectorCases() (realistic, stress []vectorCase) {
	loc, role := 12884901888, 21474836481
	for _, d := range []struct{ title, company, city, text string }{
		{"Sr. Backend Engineer (Java)", "Acme Pvt. Ltd.", "Bengaluru", "Build REST-ful APIs in Java 17 and Spring Boot; k8s, Postgres, Kafka. 3+ years. C/C++/C# a plus."},
		{"SDE II – Backend", "Zeta", "Gurugram", "Go (golang) services on AWS; gRPC, Redis; we go fast. Node vs Node.js: both. 2–5 years; a million requests a day."},
		{"Frontend Developer", "Example", "", "React, TypeScript, HTML5 and CSS3; Jest and Cypress; 100% remote; v8 internals."},
	} {
		doc := search.Document(d.title, d.company, d.city, d.text, [][]string{{"Java", "java se"}, {"Go", "golang"}, {"Node.js", "nodejs"}})
		realistic = append(realistic, vectorCase{doc, "LIVE", &loc, &role}, vectorCase{doc, "EXPIRED", nil, nil})
	}
	// Words the parser might split or drop: digits, exponents, long words, repeats.
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789eeabxz"
	for range 300 {
		var words []string
		for range 1 + r.IntN(12) {
			var b strings.Builder
			for range 1 + r.IntN(7) {
				b.WriteByte(alphabet[r.IntN(len(alphabet))])
			}
			words = append(words, b.String())
		}
		stress = append(stress, vectorCase{doc: strings.Join(words, " "), status: "CLOSED"})
	}
	for _, n := range []int{2046, 2047, 2048} {
		stress = append(stress, vectorCase{doc: "a " + strings.Repeat("x", n) + " b", status: "LIVE"})
	}
	for _, n := range []int{255, 256} {
		stress = append(stress, vectorCase{doc: strings.TrimSpace(strings.Repeat("java ", n)) + " go", status: "LIVE"})
	}
	stress = append(stress, vectorCase{doc: "bengaluru café १२३ go", status: "LIVE"}, vectorCase{doc: "", status: "LIVE"},
		vectorCase{doc: "1e6 requests 9e9e9 v1e5 e5 10e", status: "LIVE"})
	return realistic, stress
}

// TestVectorMatchesPostgres: wherever search.Vector builds a vector, it is the one the
// database's trigger computes from the same document and fields (to_tsvector over the same
// text); realistic documents always get one.
func TestVectorMatchesPostgres(t *testing.T) {
	for _, b := range testenv.Backends(t) {
		if b != testenv.Postgres {
			continue // the vector is PostgreSQL's; SQLite indexes search_text with FTS5
		}
		t.Run(string(b), func(t *testing.T) {
			env := testenv.New(t, b)
			ctx := context.Background()
			realistic, stress := vectorCases()
			built := 0
			for i, c := range append(realistic, stress...) {
				opening := int64(17179869184 + i*40000) // ids of several blocks
				v, ok := search.Vector(c.doc, c.status, c.location, c.role, opening)
				if i < len(realistic) {
					require.True(t, ok, "a realistic document gets a vector: %q", c.doc)
				}
				if !ok {
					continue
				}
				built++
				id := func(p *int) string {
					if p == nil {
						return "0"
					}
					return strconv.Itoa(*p)
				}
				var same bool
				var want string
				require.NoError(t, env.DB.SQL.QueryRowContext(ctx, `SELECT $1::tsvector = t, t::text FROM (SELECT to_tsvector('simple',
					coalesce($2::text, '') || ' zzcgstatus' || lower($3) || ' zzcgloc' || $4 || ' zzcgrole' || $5
					|| ' zzcgblk' || ($6::bigint >> 17)) AS t) x`,
					v, c.doc, c.status, id(c.location), id(c.role), opening).Scan(&same, &want))
				assert.True(t, same, "document %q:\n built    %s\n postgres %s", c.doc, v, want)
			}
			assert.Greater(t, built, len(realistic)+100, "most stress documents are built too, so the comparison covers them")
		})
	}
}

// TestVectorMatchesTheTrigger: the vector the database's trigger writes for a stored opening is
// the one search.Vector builds from the same row. The check above spells the trigger's
// expression out; this one runs the trigger itself, so that the block size it was written with
// (…_search_vector_block.sql) and search.BlockBits cannot drift apart, nor the rest of its body
// and search.Vector.
func TestVectorMatchesTheTrigger(t *testing.T) {
	for _, b := range testenv.Backends(t) {
		if b != testenv.Postgres {
			continue // the vector is PostgreSQL's; SQLite indexes search_text with FTS5
		}
		t.Run(string(b), func(t *testing.T) {
			env := testenv.Seeded(t, b)
			ctx := context.Background()
			rows, err := env.DB.SQL.QueryContext(ctx, `SELECT id FROM openings ORDER BY id DESC LIMIT 5`)
			require.NoError(t, err)
			var ids []int64
			for rows.Next() {
				var id int64
				require.NoError(t, rows.Scan(&id))
				ids = append(ids, id)
			}
			require.NoError(t, rows.Err())
			require.Len(t, ids, 5)
			for _, id := range ids {
				require.NotEqual(t, id>>(search.BlockBits-1), id>>search.BlockBits, "the ids tell block sizes apart")
				// Changing the text makes the trigger compute the vector afresh.
				_, err := env.DB.SQL.ExecContext(ctx, `UPDATE openings SET search_text = coalesce(search_text, '') || ' trigger' WHERE id = $1`, id)
				require.NoError(t, err)
				var text, status string
				var location, role *int
				var stored string
				require.NoError(t, env.DB.SQL.QueryRowContext(ctx, `SELECT search_text, status, location_id, role_id, search_vector::text
					FROM openings WHERE id = $1`, id).Scan(&text, &status, &location, &role, &stored))
				v, ok := search.Vector(text, status, location, role, id)
				require.True(t, ok)
				var same bool
				require.NoError(t, env.DB.SQL.QueryRowContext(ctx, `SELECT $1::tsvector = search_vector FROM openings WHERE id = $2`, v, id).Scan(&same))
				assert.True(t, same, "opening %d:\n built   %s\n trigger %s", id, v, stored)
			}
		})
	}
}

// TestVectorRefuses: what PostgreSQL's parser may not take whole, or what exceeds a tsvector's
// limits, is left to the database.
func TestVectorRefuses(t *testing.T) {
	for _, doc := range []string{
		"café", "a १२३", "9e9e9", "1e5", // locale-dependent letters; numbers with exponents
		"a " + strings.Repeat("x", 2048),                // longer than a lexeme may be
		strings.TrimSpace(strings.Repeat("java ", 256)), // more positions than a lexeme keeps
		strings.TrimSpace(strings.Repeat("w ", 16384)),  // past the last position
		"C++", "node.js", // not a document's words
	} {
		_, ok := search.Vector(doc, "LIVE", nil, nil, 1)
		assert.False(t, ok, "%.40q", doc)
	}
	v, ok := search.Vector("go java go", "LIVE", nil, nil, 1)
	require.True(t, ok)
	assert.Equal(t, "'go':1,3 'java':2 'zzcgblk0':7 'zzcgloc0':5 'zzcgrole0':6 'zzcgstatuslive':4", v)
}
