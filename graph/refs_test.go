package graph_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/editing"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestUnknownReferencesNameTheField: an input that points at nothing, or at a node of another
// type, gets BAD_USER_INPUT naming the field, and nothing is written.
func TestUnknownReferencesNameTheField(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := newMarket(t, b)
		_, token := m.env.User(t, "editor@example.com", "EDITOR")
		create := `mutation($in: CreateOpeningInput!) { createOpening(input: $in) { id } }`
		base := func() map[string]any {
			return map[string]any{"externalID": "ref-1", "title": "T", "workMode": "ONSITE", "postedAt": "2026-11-20T00:00:00Z",
				"roleID": m.ref["backend"], "companyID": m.ref["acme"]}
		}
		before := m.env.DB.Client.Opening.Query().CountX(t.Context())
		for _, tc := range []struct {
			change map[string]any
			field  string
			msg    string
		}{
			{map[string]any{"companyID": "4294967295"}, "input.companyID", "no Company has id 4294967295"},
			{map[string]any{"companyID": m.ref["blr"]}, "input.companyID", "names a Location, not a Company"},
			{map[string]any{"locationID": "999999999999"}, "input.locationID", "no Location has id"},
			{map[string]any{"skillIDs": []string{m.ref["go"], m.ref["acme"]}}, "input.skillIDs", "names a Company, not a Skill"},
			{map[string]any{"roleID": m.ref["go"]}, "input.roleID", "names a Skill, not a Role"},
		} {
			in := base()
			for k, v := range tc.change {
				in[k] = v
			}
			res := testenv.PostAs(t, m.h, token, create, map[string]any{"in": in})
			require.NotEmpty(t, res.Errors, "%v", tc.change)
			assert.Equal(t, "BAD_USER_INPUT", res.Code())
			assert.Equal(t, tc.field, res.Errors[0].Extensions["field"])
			assert.Contains(t, res.Errors[0].Message, tc.msg)
		}
		assert.Equal(t, before, m.env.DB.Client.Opening.Query().CountX(t.Context()), "nothing written")

		// A list longer than editing.MaxRefIDs is refused by its length, through the API too.
		long := make([]string, editing.MaxRefIDs+1)
		for i := range long {
			long[i] = m.ref["go"]
		}
		in := base()
		in["skillIDs"] = long
		res := testenv.PostAs(t, m.h, token, create, map[string]any{"in": in})
		require.NotEmpty(t, res.Errors)
		assert.Equal(t, "BAD_USER_INPUT", res.Code())
		assert.Equal(t, "input.skillIDs", res.Errors[0].Extensions["field"])
		assert.Contains(t, res.Errors[0].Message, "more than the 1000 one field takes")
		assert.Equal(t, before, m.env.DB.Client.Opening.Query().CountX(t.Context()), "nothing written")

		// Anonymous callers learn nothing about ids: authorization comes first.
		res = testenv.PostAs(t, m.h, "", create, map[string]any{"in": map[string]any{
			"externalID": "x", "title": "T", "workMode": "ONSITE", "postedAt": "2026-11-20T00:00:00Z",
			"roleID": "1", "companyID": "2"}})
		assert.Equal(t, "UNAUTHENTICATED", res.Code())
	})
}
