package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/lib/pq"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/company"
	"github.com/careergraph/careergraph/ent/interviewquestion"
	"github.com/careergraph/careergraph/ent/roleitem"
	"github.com/careergraph/careergraph/ent/roleskill"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/catalog"
	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/testenv"
	"github.com/careergraph/careergraph/internal/txretry"
)

// sendAsync is PostAs for goroutines: it reports a broken response as an error instead of
// failing the test from another goroutine.
func sendAsync(h http.Handler, token, query string, vars map[string]any) (*testenv.Response, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	r := &testenv.Response{Status: rec.Code, Header: rec.Header()}
	if err := json.Unmarshal(rec.Body.Bytes(), r); err != nil {
		return nil, fmt.Errorf("status %d, not JSON: %v: %s", rec.Code, err, rec.Body.Bytes())
	}
	return r, nil
}

// outcome sorts a response: ok, busy (CONFLICT retryable: the documented answer to a write
// that lost to concurrent writers more often than the server retries), stale (CONFLICT with
// currentVersion), or anything else, which is a failure.
func outcome(r *testenv.Response) string {
	if len(r.Errors) == 0 {
		return "ok"
	}
	ext := r.Errors[0].Extensions
	switch {
	case ext["code"] == "CONFLICT" && ext["retryable"] == true:
		return "busy"
	case ext["code"] == "CONFLICT" && ext["retryable"] == false && ext["currentVersion"] != nil:
		return "stale"
	}
	return "unexpected: " + r.String()
}

func idOf(t testing.TB, r *testenv.Response, field string) int {
	var data map[string]struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Errorf("decode %s: %v", field, err)
		return 0
	}
	id, _ := strconv.Atoi(data[field].ID)
	return id
}

// TestConcurrentEditorsOfOneRole: eight editors each run ten writes on one role's
// responsibilities and core skills at once (creates, moves, reorders, deletes interleaved).
// Every write succeeds or answers the documented retryable CONFLICT, never anything else;
// afterwards positions are 0..n-1 and ranks 1..n, every acknowledged create is there, every
// acknowledged delete is gone, and the role's version moved once per acknowledged change of
// its order (the aggregate lock is taken once per write).
func TestConcurrentEditorsOfOneRole(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := context.Background()
		c := env.DB.Client
		_, tok := env.User(t, "editor@example.com", "EDITOR")
		be := backend(t, ctx, c)
		roleID := be.ID
		const writers, ops = 8, 10
		free := c.Skill.Query().Where(skill.Not(skill.HasCoreOfWith(roleskill.RoleID(roleID)))).
			Order(ent.Asc(skill.FieldID)).Limit(writers * ops).IDsX(ctx)
		require.Len(t, free, writers*ops)

		items := func() []*ent.RoleItem {
			return c.RoleItem.Query().Where(roleitem.RoleID(roleID), roleitem.KindEQ(roleitem.KindRESPONSIBILITY)).
				Order(ent.Asc(roleitem.FieldPosition)).AllX(ctx)
		}
		links := func() []*ent.RoleSkill {
			return c.RoleSkill.Query().Where(roleskill.RoleID(roleID)).Order(ent.Asc(roleskill.FieldRank)).AllX(ctx)
		}
		startVersion := be.Version

		var (
			mu                                 sync.Mutex
			created, deleted                   = map[int]bool{}, map[int]bool{}
			createdLinks, deletedLinks         = map[int]bool{}, map[int]bool{}
			orderChanges, busy, stale, okCount atomic.Int64
		)
		// record sorts an answer; it returns true when the write was acknowledged.
		record := func(w int, what string, r *testenv.Response, err error) bool {
			if err != nil {
				t.Errorf("writer %d %s: %v", w, what, err)
				return false
			}
			switch o := outcome(r); o {
			case "ok":
				okCount.Add(1)
				return true
			case "busy":
				busy.Add(1)
			case "stale":
				stale.Add(1)
			default:
				t.Errorf("writer %d %s: %s", w, what, o)
			}
			return false
		}
		// reorder reads the order and the role's version as a dashboard would, shuffles, and
		// saves with the version; a stale version means reload and try again.
		reorder := func(w int, r *rand.Rand, skills bool) {
			for range 200 {
				v := c.Role.GetX(ctx, roleID).Version
				var ids []string
				q := `mutation($r: ID!, $ids: [ID!]!, $v: Int) { reorderRoleItems(roleID: $r, kind: RESPONSIBILITY, ids: $ids, version: $v) { id } }`
				if skills {
					q = `mutation($r: ID!, $ids: [ID!]!, $v: Int) { reorderRoleSkills(roleID: $r, ids: $ids, version: $v) { id } }`
					for _, l := range links() {
						ids = append(ids, fmt.Sprint(l.ID))
					}
				} else {
					for _, it := range items() {
						ids = append(ids, fmt.Sprint(it.ID))
					}
				}
				r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
				res, err := sendAsync(h, tok, q, map[string]any{"r": fmt.Sprint(roleID), "ids": ids, "v": v})
				if record(w, "reorder", res, err) {
					orderChanges.Add(1)
					return
				}
				if err != nil || (outcome(res) != "stale" && outcome(res) != "busy") {
					return
				}
			}
			t.Errorf("writer %d: reorder never got through in 200 tries", w)
		}

		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(w), 13))
				var mine, myLinks []int
				mySkills := free[w*ops : (w+1)*ops]
				plan := []string{"createItem", "createSkill", "moveItem", "reorderItems", "createItem", "moveSkill", "reorderSkills", "deleteItem", "createItem", "deleteSkill"}
				for i := range ops {
					op := plan[(i+w)%len(plan)]
					if (op == "moveItem" || op == "deleteItem") && len(mine) == 0 {
						op = "createItem"
					}
					if (op == "moveSkill" || op == "deleteSkill") && len(myLinks) == 0 {
						op = "createSkill"
					}
					switch op {
					case "createItem":
						res, err := sendAsync(h, tok, `mutation($i: CreateRoleItemInput!) { createRoleItem(input: $i) { id } }`,
							map[string]any{"i": obj("roleID", fmt.Sprint(roleID), "kind", "RESPONSIBILITY", "position", r.IntN(12), "text", fmt.Sprintf("writer %d op %d", w, i))})
						if record(w, op, res, err) {
							id := idOf(t, res, "createRoleItem")
							mine = append(mine, id)
							mu.Lock()
							created[id] = true
							mu.Unlock()
							orderChanges.Add(1)
						}
					case "createSkill":
						res, err := sendAsync(h, tok, `mutation($i: CreateRoleSkillInput!) { createRoleSkill(input: $i) { id } }`,
							map[string]any{"i": obj("roleID", fmt.Sprint(roleID), "skillID", fmt.Sprint(mySkills[i]), "rank", 1+r.IntN(12))})
						if record(w, op, res, err) {
							id := idOf(t, res, "createRoleSkill")
							myLinks = append(myLinks, id)
							mu.Lock()
							createdLinks[id] = true
							mu.Unlock()
							orderChanges.Add(1)
						}
					case "moveItem":
						res, err := sendAsync(h, tok, `mutation($id: ID!, $p: Int!) { updateRoleItem(id: $id, input: {position: $p}) { id } }`,
							map[string]any{"id": fmt.Sprint(mine[r.IntN(len(mine))]), "p": r.IntN(12)})
						if record(w, op, res, err) {
							orderChanges.Add(1)
						}
					case "moveSkill":
						res, err := sendAsync(h, tok, `mutation($id: ID!, $k: Int!) { updateRoleSkill(id: $id, input: {rank: $k}) { id } }`,
							map[string]any{"id": fmt.Sprint(myLinks[r.IntN(len(myLinks))]), "k": 1 + r.IntN(12)})
						if record(w, op, res, err) {
							orderChanges.Add(1)
						}
					case "reorderItems":
						reorder(w, r, false)
					case "reorderSkills":
						reorder(w, r, true)
					case "deleteItem":
						id := mine[0]
						res, err := sendAsync(h, tok, `mutation($id: ID!) { deleteRoleItem(id: $id) }`, map[string]any{"id": fmt.Sprint(id)})
						if record(w, op, res, err) {
							mine = mine[1:]
							mu.Lock()
							deleted[id] = true
							mu.Unlock()
							orderChanges.Add(1)
						}
					case "deleteSkill":
						id := myLinks[0]
						res, err := sendAsync(h, tok, `mutation($id: ID!) { deleteRoleSkill(id: $id) }`, map[string]any{"id": fmt.Sprint(id)})
						if record(w, op, res, err) {
							myLinks = myLinks[1:]
							mu.Lock()
							deletedLinks[id] = true
							mu.Unlock()
							orderChanges.Add(1)
						}
					}
				}
			})
		}
		wg.Wait()
		t.Logf("%s: %d acknowledged writes, %d busy (retries ran out), %d stale reorders reloaded", b, okCount.Load(), busy.Load(), stale.Load())
		require.NotZero(t, len(created))
		require.NotZero(t, len(deleted))

		got := items()
		have := map[int]bool{}
		for i, it := range got {
			assert.Equal(t, i, it.Position, "positions are 0..n-1")
			have[it.ID] = true
		}
		for id := range created {
			assert.Equal(t, !deleted[id], have[id], "item %d: acknowledged create present unless acknowledged delete", id)
		}
		for id := range deleted {
			assert.False(t, have[id], "item %d was deleted", id)
		}
		gotLinks := links()
		haveLinks := map[int]bool{}
		for i, l := range gotLinks {
			assert.Equal(t, i+1, l.Rank, "ranks are 1..n")
			haveLinks[l.ID] = true
		}
		for id := range createdLinks {
			assert.Equal(t, !deletedLinks[id], haveLinks[id], "core skill %d", id)
		}
		for id := range deletedLinks {
			assert.False(t, haveLinks[id], "core skill %d was deleted", id)
		}
		assert.Equal(t, startVersion+int(orderChanges.Load()), c.Role.GetX(ctx, roleID).Version,
			"the role's version moved once per acknowledged change of its order")
	})
}

// TestStaleVersionExactlyOneWins: two editors who read the same version save at once;
// one wins, the other gets CONFLICT with the current version and changes nothing.
func TestStaleVersionExactlyOneWins(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := context.Background()
		c := env.DB.Client
		_, tok := env.User(t, "editor@example.com", "EDITOR")
		co := c.Company.Query().Order(ent.Asc(company.FieldID)).FirstX(ctx)
		read := testenv.PostAs(t, h, tok, `query($s: String!) { company(slug: $s) { id version } }`, map[string]any{"s": co.Slug})
		var page struct {
			Company struct {
				ID      string `json:"id"`
				Version int    `json:"version"`
			} `json:"company"`
		}
		read.MustData(t, &page)
		v := page.Company.Version
		require.Equal(t, co.Version, v)

		names := []string{"Editor A's name", "Editor B's name"}
		answers := make([]*testenv.Response, 2)
		errs := make([]error, 2)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				<-start
				answers[i], errs[i] = sendAsync(h, tok, `mutation($id: ID!, $n: String!, $v: Int) { updateCompany(id: $id, input: {name: $n}, version: $v) { name version } }`,
					map[string]any{"id": page.Company.ID, "n": names[i], "v": v})
			})
		}
		close(start)
		wg.Wait()
		require.NoError(t, errs[0])
		require.NoError(t, errs[1])
		winner := slices.IndexFunc(answers, func(r *testenv.Response) bool { return len(r.Errors) == 0 })
		require.GreaterOrEqual(t, winner, 0, "one save wins: %s / %s", answers[0], answers[1])
		loser := answers[1-winner]
		require.Len(t, loser.Errors, 1, "exactly one wins: %s", loser)
		ext := loser.Errors[0].Extensions
		assert.Equal(t, "CONFLICT", ext["code"])
		assert.Equal(t, false, ext["retryable"])
		assert.EqualValues(t, v+1, ext["currentVersion"])
		assert.Equal(t, "version", ext["field"])
		assert.Contains(t, loser.Errors[0].Message, "reload")
		after := c.Company.GetX(ctx, co.ID)
		assert.Equal(t, names[winner], after.Name, "the winner's change stands")
		assert.Equal(t, v+1, after.Version)

		// Without a version the write goes through (scripts), and bumps the version.
		res := testenv.PostAs(t, h, tok, `mutation($id: ID!) { updateCompany(id: $id, input: {website: "https://example.com"}) { version } }`,
			map[string]any{"id": page.Company.ID})
		assert.Empty(t, res.Errors, "%s", res)
		assert.Equal(t, v+2, c.Company.GetX(ctx, co.ID).Version)

		// Deletes take the precondition too; a stale one deletes nothing.
		q := c.InterviewQuestion.Query().Order(ent.Asc(interviewquestion.FieldID)).FirstX(ctx)
		res = testenv.PostAs(t, h, tok, `mutation($id: ID!, $v: Int) { deleteInterviewQuestion(id: $id, version: $v) }`,
			map[string]any{"id": fmt.Sprint(q.ID), "v": q.Version + 1})
		assert.Equal(t, "CONFLICT", res.Code(), "%s", res)
		assert.EqualValues(t, q.Version, res.Errors[0].Extensions["currentVersion"])
		assert.True(t, c.InterviewQuestion.Query().Where(interviewquestion.ID(q.ID)).ExistX(ctx))
		res = testenv.PostAs(t, h, tok, `mutation($id: ID!, $v: Int) { deleteInterviewQuestion(id: $id, version: $v) }`,
			map[string]any{"id": fmt.Sprint(q.ID), "v": q.Version})
		assert.Empty(t, res.Errors, "%s", res)
		res = testenv.PostAs(t, h, tok, `mutation($id: ID!, $v: Int) { updateInterviewQuestion(id: $id, input: {question: "Gone?"}, version: $v) { id } }`,
			map[string]any{"id": fmt.Sprint(q.ID), "v": q.Version})
		assert.Equal(t, "NOT_FOUND", res.Code(), "a missing row is not found, not a conflict: %s", res)

		// A reorder takes the role's version; an item's text edit bumps the item, a move
		// bumps the role (its order) and not the item.
		be := backend(t, ctx, c)
		its := c.RoleItem.Query().Where(roleitem.RoleID(be.ID), roleitem.KindEQ(roleitem.KindFAQ)).Order(ent.Asc(roleitem.FieldPosition)).AllX(ctx)
		ids := []string{}
		for _, it := range slices.Backward(its) {
			ids = append(ids, fmt.Sprint(it.ID))
		}
		res = testenv.PostAs(t, h, tok, `mutation($r: ID!, $ids: [ID!]!, $v: Int) { reorderRoleItems(roleID: $r, kind: FAQ, ids: $ids, version: $v) { id } }`,
			map[string]any{"r": fmt.Sprint(be.ID), "ids": ids, "v": be.Version - 1})
		assert.Equal(t, "CONFLICT", res.Code(), "%s", res)
		assert.EqualValues(t, be.Version, res.Errors[0].Extensions["currentVersion"])
		res = testenv.PostAs(t, h, tok, `mutation($r: ID!, $ids: [ID!]!, $v: Int) { reorderRoleItems(roleID: $r, kind: FAQ, ids: $ids, version: $v) { id } }`,
			map[string]any{"r": fmt.Sprint(be.ID), "ids": ids, "v": be.Version})
		assert.Empty(t, res.Errors, "%s", res)
		assert.Equal(t, be.Version+1, c.Role.GetX(ctx, be.ID).Version)
		first := its[0]
		res = testenv.PostAs(t, h, tok, `mutation($id: ID!, $v: Int) { updateRoleItem(id: $id, input: {text: "Edited?"}, version: $v) { version } }`,
			map[string]any{"id": fmt.Sprint(first.ID), "v": first.Version})
		assert.Empty(t, res.Errors, "%s", res)
		assert.Equal(t, first.Version+1, c.RoleItem.GetX(ctx, first.ID).Version, "moved by the reorder, bumped once by the edit")

		// Clients cannot set it.
		res = testenv.PostAs(t, h, tok, `mutation($id: ID!) { updateCompany(id: $id, input: {version: 1}) { id } }`, map[string]any{"id": page.Company.ID})
		assert.Equal(t, "GRAPHQL_VALIDATION_FAILED", res.Code(), "%s", res)
	})
}

// deadlocks fails the named mutation field with PostgreSQL's deadlock error after its
// resolver has written, the first n times: a lost write as the database reports it, in the
// real transaction, without a fake database.
type deadlocks struct {
	field string
	abort bool
	left  *atomic.Int64
	calls *atomic.Int64
}

func (deadlocks) ExtensionName() string                   { return "TestDeadlocks" }
func (deadlocks) Validate(graphql.ExecutableSchema) error { return nil }
func (d deadlocks) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Object == "Mutation" && fc.Field.Name == d.field && fc.Field.Alias != "second" {
		d.calls.Add(1)
		if d.left.Add(-1) >= 0 {
			if d.abort {
				// A statement that really fails: on PostgreSQL it aborts the transaction, as
				// a real deadlock does, so the document's later fields meet 25P02.
				dup := ent.FromContext(ctx).Company.Query().FirstX(ctx)
				_ = ent.FromContext(ctx).Company.Create().SetSlug(dup.Slug).SetName("dup").Exec(ctx)
			}
			return nil, fmt.Errorf("create role item: %w", &pq.Error{Code: "40P01", Message: "deadlock detected"})
		}
	}
	return res, err
}

// TestRetryOfALostMutation: a mutation that fails with a deadlock is run again in a new
// transaction (its first writes rolled back), succeeds, and is charged once; when every run
// fails the client gets CONFLICT retryable and nothing is written.
func TestRetryOfALostMutation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		ctx := context.Background()
		c := env.DB.Client
		_, tok := env.User(t, "editor@example.com", "EDITOR")
		be := backend(t, ctx, c)
		d := deadlocks{field: "createRoleItem", left: &atomic.Int64{}, calls: &atomic.Int64{}}
		h := env.HandlerWith(t, func(o *httpserver.Options) {
			o.Extensions = append(o.Extensions, d)
			o.Retry = txretry.Policy{Attempts: 4}
		})
		count := func() int {
			return c.RoleItem.Query().Where(roleitem.RoleID(be.ID), roleitem.KindEQ(roleitem.KindREQUIREMENT)).CountX(ctx)
		}
		before := count()
		create := func(text string) *testenv.Response {
			return testenv.PostAs(t, h, tok, `mutation($i: CreateRoleItemInput!) { createRoleItem(input: $i) { id text } }`,
				map[string]any{"i": obj("roleID", fmt.Sprint(be.ID), "kind", "REQUIREMENT", "position", 0, "text", text)})
		}

		d.left.Store(2)
		res := create("Retried twice")
		require.Empty(t, res.Errors, "%s", res)
		assert.EqualValues(t, 3, d.calls.Load(), "two lost runs and one that held")
		assert.Equal(t, before+1, count(), "the lost runs' writes were rolled back")
		cost, _ := res.Extensions["cost"].(map[string]any)
		require.NotNil(t, cost, "extensions.cost survives the retry: %s", res)
		throttle := cost["throttleStatus"].(map[string]any)
		assert.Equal(t, throttle["maximumAvailable"].(float64)-cost["points"].(float64), throttle["currentlyAvailable"],
			"charged once for three runs")
		assert.Equal(t, res.Header.Get("X-RateLimit-Remaining"), fmt.Sprint(throttle["currentlyAvailable"]))

		d.calls.Store(0)
		d.left.Store(100)
		res = create("Never holds")
		require.Len(t, res.Errors, 1, "%s", res)
		ext := res.Errors[0].Extensions
		assert.Equal(t, "CONFLICT", ext["code"])
		assert.Equal(t, true, ext["retryable"])
		assert.Contains(t, res.Errors[0].Message, "try again")
		assert.NotContains(t, res.Errors[0].Message, "deadlock")
		assert.EqualValues(t, 4, d.calls.Load(), "Policy.Attempts runs, then the answer")
		assert.Equal(t, before+1, count(), "nothing written")

		// Two mutations in one document, the first lost after a real failed statement: the
		// whole document is retried, and the second field's answer is not an internal error
		// (on PostgreSQL it met the aborted transaction).
		h = env.HandlerWith(t, func(o *httpserver.Options) {
			o.Extensions = append(o.Extensions, deadlocks{field: "createRoleItem", abort: true, left: d.left, calls: d.calls})
			o.Retry = txretry.Policy{Attempts: 2}
		})
		d.calls.Store(0)
		res = testenv.PostAs(t, h, tok, `mutation($i: CreateRoleItemInput!) { first: createRoleItem(input: $i) { id } second: createRoleItem(input: $i) { id } }`,
			map[string]any{"i": obj("roleID", fmt.Sprint(be.ID), "kind", "REQUIREMENT", "position", 0, "text", "Two at once")})
		require.NotEmpty(t, res.Errors, "%s", res)
		assert.Equal(t, "CONFLICT", res.Code(), "%s", res)
		assert.Equal(t, true, res.Errors[0].Extensions["retryable"], "%s", res)
		for _, e := range res.Errors {
			assert.NotEqual(t, "INTERNAL_SERVER_ERROR", e.Extensions["code"], "%s", res)
		}
		assert.EqualValues(t, 2, d.calls.Load())
		assert.Equal(t, before+1, count(), "nothing written")
	})
}

// TestImportAndEditOfOneCompany: imports upsert overlapping companies, cities and skills
// (one of each already there) while an editor renames that company through the API,
// version by version. No import fails, nothing is duplicated, the editor never sees a
// conflict (imports do not touch existing rows) and the editor's last name stands.
func TestImportAndEditOfOneCompany(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		h := env.Handler(t)
		ctx := context.Background()
		c := env.DB.Client
		_, tok := env.User(t, "editor@example.com", "EDITOR")
		co := c.Company.Query().Order(ent.Asc(company.FieldID)).FirstX(ctx)
		city := c.Location.Query().FirstX(ctx)
		sk := c.Skill.Query().Where(skill.GroupModeIsNil()).FirstX(ctx)
		companies, locations, skills := c.Company.Query().CountX(ctx), c.Location.Query().CountX(ctx), c.Skill.Query().CountX(ctx)

		const importers, edits = 6, 5
		results := make([]map[string]int, importers)
		errs := make([]error, importers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		type set struct {
			cs []catalog.Company
			ls []catalog.Location
			ss []catalog.Skill
		}
		sets := make([]set, importers)
		union := map[int]bool{}
		for w := range importers {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			x := set{
				cs: []catalog.Company{{Slug: co.Slug, Name: "Imported name", Source: "import:test"}},
				ls: []catalog.Location{{Slug: city.Slug, City: "Imported city", CountryCode: "IN", Source: "import:test"}},
				ss: []catalog.Skill{{Slug: sk.Slug, Name: sk.Name, Category: sk.Category, Source: "import:test"}},
			}
			for _, i := range r.Perm(12)[:8] {
				union[i] = true
				x.cs = append(x.cs, catalog.Company{Slug: fmt.Sprintf("imported-%d", i), Name: fmt.Sprintf("Imported %d", i), Source: "import:test"})
				x.ls = append(x.ls, catalog.Location{Slug: fmt.Sprintf("town-%d", i), City: fmt.Sprintf("Town %d", i), CountryCode: "IN", Source: "import:test"})
				x.ss = append(x.ss, catalog.Skill{Slug: fmt.Sprintf("tool-%d", i), Name: fmt.Sprintf("Tool %d", i), Category: skill.CategoryTOOL, Source: "import:test"})
			}
			r.Shuffle(len(x.cs), func(i, j int) { x.cs[i], x.cs[j] = x.cs[j], x.cs[i] })
			sets[w] = x
		}
		for w := range importers {
			wg.Go(func() {
				cs, ls, ss := sets[w].cs, sets[w].ls, sets[w].ss
				<-start
				errs[w] = txretry.Do(ctx, txretry.DefaultPolicy, func(ctx context.Context) error {
					tx, err := c.Tx(ctx)
					if err != nil {
						return err
					}
					ids, err := catalog.EnsureCompanies(ctx, tx.Client(), cs)
					if err == nil {
						_, err = catalog.EnsureLocations(ctx, tx.Client(), ls)
					}
					if err == nil {
						_, err = catalog.EnsureSkills(ctx, tx.Client(), ss)
					}
					if err != nil {
						_ = tx.Rollback()
						return err
					}
					results[w] = ids
					return tx.Commit()
				})
			})
		}
		var editErrs []string
		wg.Go(func() {
			<-start
			v := co.Version
			for i := range edits {
				res, err := sendAsync(h, tok, `mutation($id: ID!, $n: String!, $v: Int) { updateCompany(id: $id, input: {name: $n}, version: $v) { version } }`,
					map[string]any{"id": fmt.Sprint(co.ID), "n": fmt.Sprintf("Edited %d", i), "v": v})
				if err != nil || len(res.Errors) > 0 {
					editErrs = append(editErrs, fmt.Sprint(err, res))
					return
				}
				var data struct {
					UpdateCompany struct{ Version int } `json:"updateCompany"`
				}
				_ = json.Unmarshal(res.Data, &data)
				v = data.UpdateCompany.Version
			}
		})
		close(start)
		wg.Wait()
		for w, err := range errs {
			require.NoError(t, err, "importer %d", w)
		}
		assert.Empty(t, editErrs)
		after := c.Company.GetX(ctx, co.ID)
		assert.Equal(t, fmt.Sprintf("Edited %d", edits-1), after.Name, "the editor's change survives the imports")
		assert.Equal(t, co.Version+edits, after.Version)
		assert.Equal(t, co.Source, after.Source)
		all := map[string]int{}
		for _, ids := range results {
			assert.Equal(t, co.ID, ids[co.Slug])
			for s, id := range ids {
				if prev, ok := all[s]; ok {
					assert.Equal(t, prev, id, "every import sees one id for %s", s)
				}
				all[s] = id
			}
		}
		assert.Equal(t, companies+len(union), c.Company.Query().CountX(ctx), "each new company once")
		assert.Equal(t, locations+len(union), c.Location.Query().CountX(ctx), "each new city once")
		assert.Equal(t, skills+len(union), c.Skill.Query().CountX(ctx), "each new skill once")
		assert.Equal(t, city.City, c.Location.GetX(ctx, city.ID).City)
	})
}
