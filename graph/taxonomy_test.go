package graph_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestOccupationCodes: the seed roles carry ISCO-08 and O*NET-SOC codes
// (internal/seed/data/occupation-codes.json), rolesByCode finds them in any classification,
// the role's Occupation names them, and malformed codes are refused.
func TestOccupationCodes(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		byCode := func(code string) []string {
			t.Helper()
			var d struct {
				Roles []struct{ Slug string } `json:"rolesByCode"`
			}
			testenv.Post(t, h, `query($c: String!) { rolesByCode(code: $c) { slug } }`, map[string]any{"c": code}).MustData(t, &d)
			out := []string{}
			for _, r := range d.Roles {
				out = append(out, r.Slug)
			}
			return out
		}
		assert.ElementsMatch(t, []string{"backend-developer", "android-developer", "ios-developer", "machine-learning-engineer"}, byCode("2512"))
		assert.ElementsMatch(t, []string{"backend-developer", "android-developer", "ios-developer"}, byCode("15-1252.00"))
		assert.Equal(t, []string{"data-scientist"}, byCode("15-2051.00"))
		assert.Empty(t, byCode("9999"))

		var d struct {
			Role struct {
				Isco08Code  *string `json:"isco08Code"`
				OnetSocCode *string `json:"onetSocCode"`
				Nco2015Code *string `json:"nco2015Code"`
				SEO         struct {
					JSONLD map[string]any `json:"jsonLd"`
				} `json:"seo"`
			} `json:"role"`
		}
		testenv.Post(t, h, `{ role(slug: "backend-developer") { isco08Code onetSocCode nco2015Code seo { jsonLd } } }`, nil).MustData(t, &d)
		require.NotNil(t, d.Role.Isco08Code)
		assert.Equal(t, "2512", *d.Role.Isco08Code)
		require.NotNil(t, d.Role.OnetSocCode)
		assert.Equal(t, "15-1252.00", *d.Role.OnetSocCode)
		assert.Nil(t, d.Role.Nco2015Code, "not filled: see occupation-codes.json")
		assert.Equal(t, []any{
			map[string]any{"@type": "CategoryCode", "codeValue": "2512", "inCodeSet": "ISCO-08"},
			map[string]any{"@type": "CategoryCode", "codeValue": "15-1252.00", "inCodeSet": "O*NET-SOC"},
		}, d.Role.SEO.JSONLD["occupationalCategory"])

		// Editors set codes; malformed ones are input errors naming the field.
		_, token := env.User(t, "editor@example.com", "EDITOR")
		ctx := context.Background()
		rid := env.DB.Client.Role.Query().Where(role.Slug("backend-developer")).OnlyIDX(ctx)
		sid := env.DB.Client.Skill.Query().Where(skill.Slug("docker")).OnlyIDX(ctx)
		testenv.PostAs(t, h, token, `mutation($id: ID!) { updateRole(id: $id, input: {nco2015Code: "2512.0100"}) { id } }`,
			map[string]any{"id": rid}).MustData(t, &struct{}{})
		assert.Contains(t, byCode("2512.0100"), "backend-developer")
		const uri = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000"
		var sk struct {
			UpdateSkill struct{ EscoURI string } `json:"updateSkill"`
		}
		testenv.PostAs(t, h, token, `mutation($id: ID!, $u: String!) { updateSkill(id: $id, input: {escoURI: $u}) { escoURI } }`,
			map[string]any{"id": sid, "u": uri}).MustData(t, &sk)
		assert.Equal(t, uri, sk.UpdateSkill.EscoURI)
		for q, id := range map[string]int{
			`mutation($id: ID!) { updateRole(id: $id, input: {isco08Code: "25"}) { id } }`:                  rid,
			`mutation($id: ID!) { updateRole(id: $id, input: {onetSocCode: "15-1252"}) { id } }`:            rid,
			`mutation($id: ID!) { updateSkill(id: $id, input: {escoURI: "https://example.com/x"}) { id } }`: sid,
		} {
			res := testenv.PostAs(t, h, token, q, map[string]any{"id": id})
			assert.Equal(t, "BAD_USER_INPUT", res.Code(), q)
		}
		res := testenv.Post(t, h, `{ rolesByCode(code: "2512", first: 101) { slug } }`, nil)
		assert.Equal(t, "BAD_USER_INPUT", res.Code())
	})
}
