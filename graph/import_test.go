package graph_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/expiry"
	"github.com/careergraph/careergraph/internal/importer"
	"github.com/careergraph/careergraph/internal/testenv"
)

func importFixtures(t *testing.T, env *testenv.Env, files ...string) {
	t.Helper()
	ctx := context.Background()
	im, err := importer.New(ctx, env.DB.Client, importer.Options{Source: "fixtures",
		Now: func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) }})
	require.NoError(t, err)
	var args []string
	for _, f := range files {
		args = append(args, "../internal/importer/testdata/"+f)
	}
	_, err = importer.Run(ctx, im, args, importer.FetchOptions{}, nil)
	require.NoError(t, err)
}

type seen struct {
	search, match, demand, roleCount int
	inSearch, inMatch                bool
}

// observe reads, through the API, everything an imported opening should count in.
func observe(t *testing.T, env *testenv.Env, id int) seen {
	t.Helper()
	h := env.Handler(t)
	var d struct {
		Openings struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node struct{ ID string } `json:"node"`
			} `json:"edges"`
		} `json:"openings"`
		Match struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node struct {
					Opening struct{ ID string } `json:"opening"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"match"`
		SkillDemand []struct {
			Skill    struct{ Name string } `json:"skill"`
			Openings int                   `json:"openings"`
		} `json:"skillDemand"`
		Role struct {
			Openings struct {
				TotalCount int `json:"totalCount"`
			} `json:"openings"`
		} `json:"role"`
	}
	testenv.Post(t, h, `query($p: ProfileInput!) {
		openings(search: "paylinza kafka", first: 50, where: {status: LIVE}) { totalCount edges { node { id } } }
		match(profile: $p, first: 5) { totalCount edges { node { opening { id } } } }
		skillDemand(role: "backend-developer", first: 50) { skill { name } openings }
		role(slug: "backend-developer") { openings(where: {status: LIVE}) { totalCount } }
	}`, map[string]any{"p": map[string]any{"skills": []string{"Java", "Spring Boot", "Microservices", "REST", "Kubernetes", "PostgreSQL", "Kafka"}, "experienceYears": 5}}).MustData(t, &d)
	s := seen{search: d.Openings.TotalCount, match: d.Match.TotalCount, roleCount: d.Role.Openings.TotalCount}
	want := fmt.Sprint(id)
	for _, e := range d.Openings.Edges {
		s.inSearch = s.inSearch || e.Node.ID == want
	}
	for _, e := range d.Match.Edges {
		s.inMatch = s.inMatch || e.Node.Opening.ID == want
	}
	for _, x := range d.SkillDemand {
		if x.Skill.Name == "Kafka" {
			s.demand = x.Openings
		}
	}
	return s
}

// TestExpiryTakesAPostingOutOfSearchMatchDemandAndCounts: an imported posting counts
// everywhere while live; once the sweep has run past its validThrough, nowhere.
func TestExpiryTakesAPostingOutOfSearchMatchDemandAndCounts(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		env := testenv.Seeded(t, b)
		c := env.DB.Client
		importFixtures(t, env, "single.jsonld")
		o := c.Opening.Query().Where(opening.ExternalID("PL-2026-0142")).OnlyX(ctx)
		live := observe(t, env, o.ID)
		assert.True(t, live.inSearch, "found by search")
		assert.True(t, live.inMatch, "a full skills match ranks first")

		n, err := expiry.Sweep(ctx, c, o.ValidThrough.Add(-time.Minute), 60*24*time.Hour)
		require.NoError(t, err)
		assert.Zero(t, n, "before validThrough nothing expires (sample openings are never swept)")
		assert.Equal(t, live, observe(t, env, o.ID))

		n, err = expiry.Sweep(ctx, c, o.ValidThrough.Add(time.Minute), 60*24*time.Hour)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, opening.StatusEXPIRED, c.Opening.GetX(ctx, o.ID).Status)
		gone := observe(t, env, o.ID)
		assert.False(t, gone.inSearch)
		assert.False(t, gone.inMatch)
		assert.Equal(t, live.search-1, gone.search)
		assert.Equal(t, live.match-1, gone.match)
		assert.Equal(t, live.demand-1, gone.demand, "Kafka demand")
		assert.Equal(t, live.roleCount-1, gone.roleCount, "the role's live openings")
	})
}

// TestExpiryDefaultValidity: an opening without validThrough expires once it is older than the
// default validity.
func TestExpiryDefaultValidity(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		env := testenv.Seeded(t, b)
		c := env.DB.Client
		importFixtures(t, env, "array.json") // FE-77 and the QA posting have no validThrough
		fe := c.Opening.Query().Where(opening.ExternalID("FE-77")).OnlyX(ctx)
		require.Nil(t, fe.ValidThrough)
		n, err := expiry.Sweep(ctx, c, fe.PostedAt.Add(59*24*time.Hour), 60*24*time.Hour)
		require.NoError(t, err)
		assert.Zero(t, n)
		n, err = expiry.Sweep(ctx, c, fe.PostedAt.Add(61*24*time.Hour), 60*24*time.Hour)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "FE-77 (posted 2026-11-18); the QA posting (2026-11-22) is 57 days old")
		assert.Equal(t, opening.StatusEXPIRED, c.Opening.GetX(ctx, fe.ID).Status)
		n, err = expiry.Sweep(ctx, c, fe.PostedAt.Add(70*24*time.Hour), 60*24*time.Hour)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "the QA posting; the SRE posting is valid until February")
		assert.Equal(t, opening.StatusLIVE, c.Opening.Query().Where(opening.ExternalID("9912")).OnlyX(ctx).Status)
	})
}

// TestUnclassifiedOpenings: an imported posting whose title names no role has a null role,
// counts in no role's openings, and an editor classifies it with updateOpening.
func TestUnclassifiedOpenings(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		env := testenv.Seeded(t, b)
		c := env.DB.Client
		withRole := c.Opening.Query().Where(opening.RoleIDNotNil()).CountX(ctx)
		importFixtures(t, env, "graph.jsonld")
		ca := c.Opening.Query().Where(opening.ExternalID("TX-FIN-1")).OnlyX(ctx)
		assert.Equal(t, withRole+1, c.Opening.Query().Where(opening.RoleIDNotNil()).CountX(ctx), "only the data engineer posting has a role")

		h := env.Handler(t)
		var d struct {
			Node struct {
				Title string
				Role  *struct{ Slug string }
			} `json:"node"`
			Openings struct {
				TotalCount int `json:"totalCount"`
			} `json:"openings"`
		}
		testenv.Post(t, h, `query($id: ID!) { node(id: $id) { ... on Opening { title role { slug } } }
			openings(first: 5, where: {hasRole: false}) { totalCount } }`, map[string]any{"id": ca.ID}).MustData(t, &d)
		assert.Equal(t, "Chartered Accountant", d.Node.Title)
		assert.Nil(t, d.Node.Role)
		assert.Equal(t, 1, d.Openings.TotalCount, "editors find unclassified openings with hasRole: false")

		_, token := env.User(t, "editor@example.com", "EDITOR")
		var r struct {
			Role struct{ ID string } `json:"role"`
		}
		testenv.Post(t, h, `{ role(slug: "data-engineer") { id } }`, nil).MustData(t, &r)
		var u struct {
			UpdateOpening struct {
				Role struct{ Slug string } `json:"role"`
			} `json:"updateOpening"`
		}
		testenv.PostAs(t, h, token, `mutation($id: ID!, $role: ID!) { updateOpening(id: $id, input: {roleID: $role}) { role { slug } } }`,
			map[string]any{"id": ca.ID, "role": r.Role.ID}).MustData(t, &u)
		assert.Equal(t, "data-engineer", u.UpdateOpening.Role.Slug)
	})
}
