package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/internal/insights"
	"github.com/careergraph/careergraph/internal/matching"
	"github.com/careergraph/careergraph/internal/testenv"
)

type roleCard struct {
	Slug             string    `json:"slug"`
	ClusterUpdatedAt time.Time `json:"clusterUpdatedAt"`
	RelatedRoles     []struct {
		Role  struct{ Title string } `json:"role"`
		Score int                    `json:"score"`
	} `json:"relatedRoles"`
	LiveOpenings struct {
		Count int `json:"count"`
	} `json:"liveOpenings"`
	Seo struct {
		MetaTitle string         `json:"metaTitle"`
		JSONLd    map[string]any `json:"jsonLd"`
	} `json:"seo"`
}

const roleCardFields = `slug clusterUpdatedAt relatedRoles { role { title } score sharedSkills { name } route { kind } }
	liveOpenings { count display } seo { canonicalPath metaTitle metaDescription jsonLd }`

// TestRoleListNewerFieldsStatementCount: a list of roles asking for clusterUpdatedAt,
// relatedRoles, liveOpenings and seo costs the same number of statements for two roles as for
// all fourteen, and each role's values are those its own page shows.
func TestRoleListNewerFieldsStatementCount(t *testing.T) {
	list := `query($n: Int) { roles(first: $n, orderBy: {field: TITLE}) { edges { node { ` + roleCardFields + ` } } } }`
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		roles := func(n int) ([]roleCard, int) {
			t.Helper()
			env.Statements.Reset()
			var d struct {
				Roles struct {
					Edges []struct{ Node roleCard } `json:"edges"`
				} `json:"roles"`
			}
			testenv.Post(t, h, list, map[string]any{"n": n}).MustData(t, &d)
			require.Len(t, d.Roles.Edges, n)
			out := make([]roleCard, n)
			for i, e := range d.Roles.Edges {
				out[i] = e.Node
			}
			return out, env.Statements.Count()
		}
		roles(1) // the match index's first build
		_, two := roles(2)
		all, fourteen := roles(14)
		t.Logf("%s: 2 roles %d statements, 14 roles %d", b, two, fourteen)
		assert.Equal(t, two, fourteen, env.Statements.Statements())
		// By code, too.
		byCode := func(code string) int {
			env.Statements.Reset()
			testenv.Post(t, h, `query($c: String!) { rolesByCode(code: $c, first: 20) { `+roleCardFields+` } }`,
				map[string]any{"c": code}).MustData(t, &struct{}{})
			return env.Statements.Count()
		}
		assert.Equal(t, byCode("2512"), byCode("2513"), "rolesByCode: four roles and two")

		// The list's values are each role's own.
		for _, r := range all {
			var d struct{ Role roleCard }
			testenv.Post(t, h, `query($s: String!) { role(slug: $s) { `+roleCardFields+` } }`, map[string]any{"s": r.Slug}).MustData(t, &d)
			assert.True(t, d.Role.ClusterUpdatedAt.Equal(r.ClusterUpdatedAt), "%s: %s vs %s", r.Slug, d.Role.ClusterUpdatedAt, r.ClusterUpdatedAt)
			assert.Equal(t, d.Role.RelatedRoles, r.RelatedRoles, r.Slug)
			assert.Equal(t, d.Role.LiveOpenings, r.LiveOpenings, r.Slug)
			assert.Equal(t, d.Role.Seo, r.Seo, r.Slug)
		}
	})
}

// TestRolesPayAgreesWithSalaryInsights: the list's batched pay figures (insights.RolesPay) are
// salaryInsights' for each role, in India and in a country with no data.
func TestRolesPayAgreesWithSalaryInsights(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		svc := insights.New(env.DB.Client, matching.New(env.DB.Client, env.Querier, env.DB.Dialect))
		rs := env.DB.Client.Role.Query().Order(role.ByID()).AllX(ctx)
		ids := make([]int, len(rs))
		for i, r := range rs {
			ids[i] = r.ID
		}
		for _, country := range []string{"IN", "US"} {
			got, err := svc.RolesPay(ctx, ids, country)
			require.NoError(t, err)
			for _, r := range rs {
				want, err := svc.SalaryInsights(ctx, insights.SalaryQuery{Role: &r.Slug, Country: country})
				require.NoError(t, err)
				assert.Equal(t, want.Best, got[r.ID], "%s in %s", r.Slug, country)
			}
		}
	})
}
