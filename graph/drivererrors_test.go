package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/testenv"
)

// driverWords are what lib/pq, modernc SQLite and database/sql put in their errors.
var driverWords = []string{"sql:", "pq:", "sqlite", "SQL logic", "database is closed", "SELECT ", " FROM ", "relation "}

func assertNoDriverWords(t *testing.T, res *testenv.Response) {
	t.Helper()
	body, _ := json.Marshal(res)
	for _, w := range driverWords {
		assert.NotContains(t, string(body), w)
	}
}

// TestDriverErrorsNeverReachClients closes the pool under a running handler, so every path
// that reads the database fails in the driver: root connections, node and nodes (whose
// generated form adds errors itself with graphql.AddError), search, matching, insights and
// login. Each answer is INTERNAL_SERVER_ERROR with the request id, on both databases, and
// carries none of the driver's words.
func TestDriverErrorsNeverReachClients(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		roleID := env.DB.Client.Role.Query().FirstIDX(t.Context())
		require.NoError(t, env.DB.SQL.Close())
		for _, q := range []string{
			`{ roles(first: 2) { totalCount edges { node { title } } } }`,
			`{ role(slug: "backend-developer") { title coreSkills { name } } }`,
			fmt.Sprintf(`{ node(id: %d) { id } }`, roleID),
			fmt.Sprintf(`{ nodes(ids: [%d, %d]) { id } }`, roleID, roleID+1),
			`{ openings(search: "golang", first: 3) { totalCount } }`,
			`{ match(profile: {skills: ["Go"], experienceYears: 3}, first: 3) { totalCount } }`,
			`{ skillDemand(first: 3) { openings } }`,
			`mutation { login(email: "someone@example.com", password: "a wrong password") { token } }`,
		} {
			res := testenv.Post(t, h, q, nil)
			require.NotEmpty(t, res.Errors, "%s: %s", q, res)
			assert.Less(t, res.Status, 500+100, "%s", q) // any status, but a GraphQL body
			for _, e := range res.Errors {
				assert.Equal(t, "INTERNAL_SERVER_ERROR", e.Extensions["code"], "%s: %s", q, res)
				assert.NotEmpty(t, e.Extensions["requestId"], "%s", q)
			}
			assertNoDriverWords(t, res)
		}
	})
}

// TestCancelledRequestsSayTimeout: a client that goes away (its request context cancelled)
// mid-request gets TIMEOUT, never the driver's words about the cancelled statement.
func TestCancelledRequestsSayTimeout(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		body := `{"query":"{ roles(first: 5) { totalCount edges { node { title openings(first: 5) { totalCount } } } } }"}`
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/query", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		res := testenv.Do(t, h, req)
		require.NotEmpty(t, res.Errors, "%s", res)
		for _, e := range res.Errors {
			assert.Equal(t, "TIMEOUT", e.Extensions["code"], "%s", res)
		}
		assertNoDriverWords(t, res)
	})
}
