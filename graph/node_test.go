package graph_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/testenv"
)

// TestNodeRoundTrips asks node(id:) and nodes(ids:) for one object of every type and checks
// that each comes back as itself.
func TestNodeRoundTrips(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := context.Background()
		c := env.DB.Client
		want := map[string]int{
			"Role":              c.Role.Query().FirstIDX(ctx),
			"RoleItem":          c.RoleItem.Query().FirstIDX(ctx),
			"RoleSkill":         c.RoleSkill.Query().FirstIDX(ctx),
			"Skill":             c.Skill.Query().FirstIDX(ctx),
			"SalaryRecord":      c.SalaryRecord.Query().FirstIDX(ctx),
			"Opening":           c.Opening.Query().FirstIDX(ctx),
			"Company":           c.Company.Query().FirstIDX(ctx),
			"Location":          c.Location.Query().FirstIDX(ctx),
			"InterviewQuestion": c.InterviewQuestion.Query().FirstIDX(ctx),
			"CareerRoute":       c.CareerRoute.Query().FirstIDX(ctx),
		}
		var ids []string
		var types []string
		for typ, id := range want {
			sid := fmt.Sprint(id)
			var d struct {
				Node *struct {
					Typename string `json:"__typename"`
					ID       string `json:"id"`
				} `json:"node"`
			}
			testenv.Post(t, h, `query($id: ID!) { node(id: $id) { __typename id } }`, map[string]any{"id": sid}).MustData(t, &d)
			require.NotNil(t, d.Node, typ)
			assert.Equal(t, typ, d.Node.Typename)
			assert.Equal(t, sid, d.Node.ID)
			ids, types = append(ids, sid), append(types, typ)
		}
		var d struct {
			Nodes []struct {
				Typename string `json:"__typename"`
				ID       string `json:"id"`
			} `json:"nodes"`
		}
		testenv.Post(t, h, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, map[string]any{"ids": ids}).MustData(t, &d)
		require.Len(t, d.Nodes, len(ids))
		for i := range ids {
			assert.Equal(t, ids[i], d.Nodes[i].ID)
			assert.Equal(t, types[i], d.Nodes[i].Typename)
		}

		// IDs are globally unique: each type owns its own range.
		seen := map[int]string{}
		for typ, id := range want {
			assert.Empty(t, seen[id], "%s and %s share id %d", typ, seen[id], id)
			seen[id] = typ
		}

		// A well-formed ID that names nothing is null, without an error.
		var none struct {
			Node *struct{ ID string } `json:"node"`
		}
		testenv.Post(t, h, `{ node(id: "999999999999") { id } }`, nil).MustData(t, &none)
		assert.Nil(t, none.Node)
	})
}

// TestTheGraphIsNavigable walks role -> skill -> opening -> company -> openings and back.
func TestTheGraphIsNavigable(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		var d struct {
			Skill struct {
				Name     string `json:"name"`
				Openings struct {
					TotalCount int `json:"totalCount"`
					Edges      []struct {
						Node struct {
							Role    struct{ Slug string } `json:"role"`
							Skills  []named               `json:"skills"`
							Company struct {
								Name     string `json:"name"`
								Openings struct {
									TotalCount int `json:"totalCount"`
								} `json:"openings"`
							} `json:"company"`
							Location *struct {
								City     string `json:"city"`
								Openings struct {
									TotalCount int `json:"totalCount"`
								} `json:"openings"`
							} `json:"location"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"openings"`
			} `json:"skill"`
		}
		testenv.Post(t, env.Handler(t), `{ skill(slug: "docker") { name
			openings(first: 5) { totalCount edges { node {
				role { slug } skills { name }
				company { name openings(first: 1) { totalCount } }
				location { city openings(first: 1) { totalCount } } } } } } }`, nil).MustData(t, &d)
		assert.Equal(t, "Docker", d.Skill.Name)
		require.NotEmpty(t, d.Skill.Openings.Edges)
		for _, e := range d.Skill.Openings.Edges {
			var names []string
			for _, s := range e.Node.Skills {
				names = append(names, s.Name)
			}
			assert.Contains(t, names, "Docker", "an opening reached from Docker asks for Docker")
			assert.NotEmpty(t, e.Node.Role.Slug)
			assert.Positive(t, e.Node.Company.Openings.TotalCount, "and its company has openings")
			if e.Node.Location != nil {
				assert.Positive(t, e.Node.Location.Openings.TotalCount)
			}
		}
	})
}
