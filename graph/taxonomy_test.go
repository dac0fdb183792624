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

// TestOccupationCodes: the seed roles carry ISCO-08, NCO-2015 (family level) and O*NET-SOC
// codes (internal/seed/data/occupation-codes.json), the seed skills their ESCO URIs
// (skill-codes.json), rolesByCode finds roles in any classification, the role's Occupation names
// the codes, and malformed codes are refused naming the field.
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
		assert.Equal(t, []string{"data-scientist"}, byCode("2120"))
		assert.ElementsMatch(t, []string{"devops-engineer", "site-reliability-engineer"}, byCode("2522"))
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
		require.NotNil(t, d.Role.Nco2015Code)
		assert.Equal(t, "2512", *d.Role.Nco2015Code, "the NCO-2015 family: see occupation-codes.json")
		assert.Equal(t, []any{
			map[string]any{"@type": "CategoryCode", "codeValue": "2512", "inCodeSet": "ISCO-08"},
			map[string]any{"@type": "CategoryCode", "codeValue": "2512", "inCodeSet": "NCO-2015"},
			map[string]any{"@type": "CategoryCode", "codeValue": "15-1252.00", "inCodeSet": "O*NET-SOC"},
		}, d.Role.SEO.JSONLD["occupationalCategory"])

		// Editors set codes; malformed ones are input errors naming the field.
		_, token := env.User(t, "editor@example.com", "EDITOR")
		ctx := context.Background()
		rid := env.DB.Client.Role.Query().Where(role.Slug("backend-developer")).OnlyIDX(ctx)
		sid := env.DB.Client.Skill.Query().Where(skill.Slug("docker")).OnlyIDX(ctx)
		// NCO-2015: a 4-digit family or an 8-digit occupation.
		for _, code := range []string{"2512.0100", "2512"} {
			var u struct {
				UpdateRole struct{ Nco2015Code string } `json:"updateRole"`
			}
			testenv.PostAs(t, h, token, `mutation($id: ID!, $c: String!) { updateRole(id: $id, input: {nco2015Code: $c}) { nco2015Code } }`,
				map[string]any{"id": rid, "c": code}).MustData(t, &u)
			assert.Equal(t, code, u.UpdateRole.Nco2015Code)
			assert.Contains(t, byCode(code), "backend-developer", code)
		}
		for _, code := range []string{"251", "2512.01", "2512.", "25120100", "2512.0100 "} {
			res := testenv.PostAs(t, h, token, `mutation($id: ID!, $c: String!) { updateRole(id: $id, input: {nco2015Code: $c}) { id } }`,
				map[string]any{"id": rid, "c": code})
			require.NotEmpty(t, res.Errors, code)
			assert.Equal(t, "BAD_USER_INPUT", res.Code(), code)
			assert.Equal(t, "input.nco2015Code", res.Errors[0].Extensions["field"], code)
			assert.Contains(t, res.Errors[0].Message, "NCO-2015", code)
		}
		assert.Equal(t, "2512", *env.DB.Client.Role.GetX(ctx, rid).Nco2015Code, "a refused code is not written")

		// ESCO: the seed's URI for Java, copied from the ESCO v1.1.1 skills_en.csv.
		var java struct {
			Skill struct{ EscoURI *string } `json:"skill"`
		}
		testenv.Post(t, h, `{ skill(slug: "java") { escoURI } }`, nil).MustData(t, &java)
		require.NotNil(t, java.Skill.EscoURI)
		assert.Equal(t, "http://data.europa.eu/esco/skill/19a8293b-8e95-4de3-983f-77484079c389", *java.Skill.EscoURI)
		assert.Nil(t, env.DB.Client.Skill.Query().Where(skill.Slug("html")).OnlyX(ctx).EscoURI,
			"a closest match (use markup languages) is not the skill")
		assert.Equal(t, 36, env.DB.Client.Skill.Query().Where(skill.EscoURINotNil()).CountX(ctx))
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
