package live_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/internal/live"
	"github.com/careergraph/careergraph/internal/testenv"
)

// next waits for the next message (a guard of 10 s against a hang, not a timing assertion).
func next(t *testing.T, got <-chan live.Message) live.Message {
	t.Helper()
	select {
	case m := <-got:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message")
	}
	return live.Message{}
}

func listen(bus *live.Bus) <-chan live.Message {
	got := make(chan live.Message, 100)
	bus.Handle(func(m live.Message) { got <- m })
	return got
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func TestHookPublishesCommittedChangesOnly(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.Seeded(t, b)
		bus, _ := e.Live(t)
		got := listen(bus)
		c, ctx := e.DB.Client, context.Background()
		os, err := c.Opening.Query().Where(opening.RoleIDNotNil(), opening.StatusEQ(opening.StatusLIVE)).Order(ent.Asc(opening.FieldID)).Limit(3).All(ctx)
		require.NoError(t, err)
		require.Len(t, os, 3)
		o := os[0]

		// A rolled-back change publishes nothing: the first message is the committed one after it.
		tx, err := c.Tx(ctx)
		require.NoError(t, err)
		require.NoError(t, tx.Opening.UpdateOneID(o.ID).SetTitle("never committed").Exec(ctx))
		require.NoError(t, tx.Rollback())
		tx, err = c.Tx(ctx)
		require.NoError(t, err)
		require.NoError(t, tx.Opening.UpdateOneID(o.ID).SetStatus(opening.StatusCLOSED).Exec(ctx))
		require.NoError(t, tx.Commit())
		m := next(t, got)
		assert.Equal(t, []live.Opening{{ID: o.ID, Op: live.Closed, Role: *o.RoleID, Location: deref(o.LocationID)}}, m.Openings)

		// A bulk update (the expiry sweep's kind) names every row it touched.
		n, err := c.Opening.Update().Where(opening.IDIn(os[1].ID, os[2].ID)).SetStatus(opening.StatusEXPIRED).Save(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, n)
		m = next(t, got)
		assert.ElementsMatch(t, []live.Opening{
			{ID: os[1].ID, Op: live.Expired, Role: live.Unknown, Location: live.Unknown},
			{ID: os[2].ID, Op: live.Expired, Role: live.Unknown, Location: live.Unknown},
		}, m.Openings)

		// A role's edit names the role; an import run's, the run.
		require.NoError(t, c.Role.UpdateOneID(*o.RoleID).SetOverview("Changed.").Exec(ctx))
		assert.Equal(t, []int{*o.RoleID}, next(t, got).Roles)
		run, err := c.ImportRun.Create().SetSource("feed").SetInputs([]string{"x"}).Save(ctx)
		require.NoError(t, err)
		assert.Equal(t, []int{run.ID}, next(t, got).Imports)

		// A post names the opening with its role and location.
		created, err := c.Opening.Create().SetTitle("New").SetCompanyID(o.CompanyID).SetRoleID(*o.RoleID).
			SetSource("test").SetExternalID("live-1").SetPostedAt(time.Now()).SetWorkMode(opening.WorkModeREMOTE).Save(ctx)
		require.NoError(t, err)
		m = next(t, got)
		assert.Equal(t, []live.Opening{{ID: created.ID, Op: live.Posted, Role: *o.RoleID}}, m.Openings)
	})
}

func TestChannelsArePerSchema(t *testing.T) {
	for _, b := range testenv.Backends(t) {
		if b != testenv.Postgres {
			continue
		}
		a, other := testenv.New(t, b), testenv.New(t, b)
		busA, _ := a.Live(t)
		busB, _ := other.Live(t)
		require.NotEqual(t, busA.ChannelName(), busB.ChannelName())
		got := listen(busA)
		// B's message goes out first; A must hear only its own.
		busB.Publish(live.Message{Roles: []int{111}})
		gotB := listen(busB)
		assert.Equal(t, []int{111}, next(t, gotB).Roles)
		busA.Publish(live.Message{Roles: []int{222}})
		assert.Equal(t, []int{222}, next(t, got).Roles)
	}
}

func TestMessagesSplitUnderThePayloadLimit(t *testing.T) {
	var m live.Message
	for i := range 2000 {
		m.Openings = append(m.Openings, live.Opening{ID: 1<<32 + i, Op: live.Updated, Role: 1<<32 + 7, Location: live.Unknown})
	}
	m.Roles = []int{1, 2, 3}
	parts := live.Split(m, live.MaxPayload)
	require.Greater(t, len(parts), 1)
	var back live.Message
	for _, p := range parts {
		assert.LessOrEqual(t, len(p), live.MaxPayload)
		var one live.Message
		require.NoError(t, json.Unmarshal(p, &one))
		back.Openings = append(back.Openings, one.Openings...)
		back.Roles = append(back.Roles, one.Roles...)
	}
	assert.Equal(t, m, back)
}
