package graph_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/live"
	"github.com/careergraph/careergraph/internal/metrics"
	"github.com/careergraph/careergraph/internal/testenv"
)

// liveServer serves env's handler with live updates on a real listener; streams lets a test
// drain it.
type liveServer struct {
	*httptest.Server
	env     *testenv.Env
	streams *httpserver.Streams
	hub     *live.Hub
	bus     *live.Bus
}

// waitSubscriptions waits until n subscriptions run (the server registers them after the
// subscribe message; events published before would not reach them).
func (s *liveServer) waitSubscriptions(t *testing.T, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return s.hub.Subscriptions() == n }, guard, 5*time.Millisecond)
}

func newLiveServer(t *testing.T, b testenv.Backend, adjust func(*httpserver.Options)) *liveServer {
	t.Helper()
	e := testenv.Seeded(t, b)
	bus, hub := e.Live(t)
	streams := httpserver.NewStreams()
	h := e.HandlerWith(t, func(o *httpserver.Options) {
		o.Live, o.Streams = hub, streams
		if adjust != nil {
			adjust(o)
		}
	})
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return &liveServer{Server: s, env: e, streams: streams, hub: hub, bus: bus}
}

// wsMsg is a graphql-transport-ws message.
type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

// guard bounds every read: a hang fails the test instead of blocking it (not a timing check).
const guard = 10 * time.Second

// dial opens a graphql-transport-ws connection and sends connection_init with payload; it
// returns the client and the first answer's type (connection_ack) or the close error.
func dial(t *testing.T, s *liveServer, init map[string]any) (*wsClient, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/query",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		if resp != nil {
			return nil, errors.New(resp.Status)
		}
		return nil, err
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	c := &wsClient{t: t, conn: conn}
	c.send(wsMsg{Type: "connection_init", Payload: mustJSON(init)})
	m, err := c.read()
	if err != nil {
		return nil, err
	}
	require.Equal(t, "connection_ack", m.Type)
	return c, nil
}

func mustJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, _ := json.Marshal(v)
	return b
}

func (c *wsClient) send(m wsMsg) {
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	require.NoError(c.t, wsjson.Write(ctx, c.conn, m))
}

// read returns the next message that is not a ping (answered) or pong.
func (c *wsClient) read() (wsMsg, error) {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		var m wsMsg
		err := wsjson.Read(ctx, c.conn, &m)
		cancel()
		if err != nil {
			return m, err
		}
		switch m.Type {
		case "ping":
			c.send(wsMsg{Type: "pong"})
			continue
		case "pong", "ka":
			continue
		}
		return m, nil
	}
}

func (c *wsClient) subscribe(id, query string, vars map[string]any) {
	c.send(wsMsg{ID: id, Type: "subscribe", Payload: mustJSON(map[string]any{"query": query, "variables": vars})})
}

// event reads the next message and decodes a next message's payload.
func (c *wsClient) event(id string) (string, map[string]any) {
	c.t.Helper()
	m, err := c.read()
	require.NoError(c.t, err)
	require.Equal(c.t, id, m.ID, "message %s %s", m.Type, m.Payload)
	var p map[string]any
	if len(m.Payload) > 0 {
		var raw any
		require.NoError(c.t, json.Unmarshal(m.Payload, &raw))
		switch v := raw.(type) {
		case map[string]any:
			p = v
		case []any: // an error message's payload is the list of errors
			p = map[string]any{"errors": v}
		}
	}
	return m.Type, p
}

// refusal reads a refused subscription's answer (next with errors, or error; then complete) and
// returns its first error code.
func (c *wsClient) refusal(id string) string {
	c.t.Helper()
	typ, p := c.event(id)
	assert.Contains(c.t, []string{"next", "error"}, typ)
	// gqlgen says complete after either.
	end, _ := c.event(id)
	assert.Equal(c.t, "complete", end)
	return firstCode(p)
}

func closeCode(err error) websocket.StatusCode { return websocket.CloseStatus(err) }

// firstCode returns the first error's extensions.code in a payload.
func firstCode(p map[string]any) string {
	errs, _ := p["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
	code, _ := ext["code"].(string)
	return code
}

// liveOpenings returns a live opening of the role with slug and one of another role.
func liveOpenings(t *testing.T, c *ent.Client, slug string) (mine, other *ent.Opening) {
	ctx := context.Background()
	var err error
	mine, err = c.Opening.Query().Where(opening.HasRoleWith(role.Slug(slug)), opening.StatusEQ(opening.StatusLIVE), opening.LocationIDNotNil()).First(ctx)
	require.NoError(t, err)
	other, err = c.Opening.Query().Where(opening.HasRoleWith(role.SlugNEQ(slug)), opening.StatusEQ(opening.StatusLIVE)).First(ctx)
	require.NoError(t, err)
	return mine, other
}

func TestSubscriptionsOverWebSocket(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		s := newLiveServer(t, b, nil)
		_, editor := s.env.User(t, "editor@example.com", "EDITOR")
		mine, other := liveOpenings(t, s.env.DB.Client, "backend-developer")

		c, err := dial(t, s, nil)
		require.NoError(t, err)
		c.subscribe("1", `subscription { openingsChanged(role: "backend-developer") { kind openingID opening { title status role { slug } company { name } } } }`, nil)
		c.subscribe("2", `subscription { roleChanged(slug: "backend-developer") { slug overview } }`, nil)
		s.waitSubscriptions(t, 2)

		// Another role's opening is filtered out: the first event is this role's.
		resp := testenv.PostAs(t, s.Config.Handler, editor, `mutation($id: ID!) { updateOpening(id: $id, input: {title: "Other"}) { id } }`,
			map[string]any{"id": strconv.Itoa(other.ID)})
		require.Empty(t, resp.Errors)
		resp = testenv.PostAs(t, s.Config.Handler, editor, `mutation($id: ID!) { updateOpening(id: $id, input: {status: CLOSED}) { id } }`,
			map[string]any{"id": strconv.Itoa(mine.ID)})
		require.Empty(t, resp.Errors)
		typ, p := c.event("1")
		require.Equal(t, "next", typ, "%v", p)
		ch := p["data"].(map[string]any)["openingsChanged"].(map[string]any)
		assert.Equal(t, "CLOSED", ch["kind"])
		assert.Equal(t, strconv.Itoa(mine.ID), ch["openingID"])
		assert.Equal(t, "CLOSED", ch["opening"].(map[string]any)["status"])
		assert.Equal(t, "backend-developer", ch["opening"].(map[string]any)["role"].(map[string]any)["slug"])

		rid, err := s.env.DB.Client.Role.Query().Where(role.Slug("backend-developer")).OnlyID(context.Background())
		require.NoError(t, err)
		resp = testenv.PostAs(t, s.Config.Handler, editor, `mutation($id: ID!) { updateRole(id: $id, input: {overview: "Live."}) { id } }`,
			map[string]any{"id": strconv.Itoa(rid)})
		require.Empty(t, resp.Errors)
		typ, p = c.event("2")
		require.Equal(t, "next", typ, "%v", p)
		assert.Equal(t, "Live.", p["data"].(map[string]any)["roleChanged"].(map[string]any)["overview"])

		// A rolled-back mutation (a stale version) publishes nothing: the next event is the
		// later committed one.
		resp = testenv.PostAs(t, s.Config.Handler, editor, `mutation($id: ID!) { updateOpening(id: $id, input: {title: "Stale"}, version: 0) { id } }`,
			map[string]any{"id": strconv.Itoa(mine.ID)})
		require.Equal(t, "CONFLICT", resp.Code())
		resp = testenv.PostAs(t, s.Config.Handler, editor, `mutation($id: ID!) { updateOpening(id: $id, input: {title: "Fresh"}) { id } }`,
			map[string]any{"id": strconv.Itoa(mine.ID)})
		require.Empty(t, resp.Errors)
		typ, p = c.event("1")
		require.Equal(t, "next", typ)
		ch = p["data"].(map[string]any)["openingsChanged"].(map[string]any)
		assert.Equal(t, "UPDATED", ch["kind"])
		assert.Equal(t, "Fresh", ch["opening"].(map[string]any)["title"])
	})
}

func TestSubscriptionAuthorization(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		s := newLiveServer(t, b, nil)
		_, editor := s.env.User(t, "editor@example.com", "EDITOR")
		run, err := s.env.DB.Client.ImportRun.Create().SetSource("feed").SetInputs([]string{"https://example.com/feed"}).Save(context.Background())
		require.NoError(t, err)
		q := `subscription($id: ID!) { importRunProgress(id: $id) { status read } }`
		vars := map[string]any{"id": strconv.Itoa(run.ID)}

		// Anonymous: private data stays private.
		c, err := dial(t, s, nil)
		require.NoError(t, err)
		c.subscribe("1", q, vars)
		typ, p := c.event("1")
		assert.Contains(t, []string{"next", "error"}, typ)
		assert.Equal(t, "UNAUTHENTICATED", firstCode(p), "%v", p)

		// A bad token in connection_init closes the connection with 4401.
		_, err = dial(t, s, map[string]any{"Authorization": "Bearer cg_not-a-real-token"})
		require.Error(t, err)
		assert.Equal(t, websocket.StatusCode(httpserver.CloseUnauthorized), closeCode(err), "%v", err)

		// An editor's token in connection_init: the run as it is, then its progress, each state
		// once. The hub registers a subscriber before it reads the run, so that a change
		// committed in between is not missed (internal/live, Hub.ImportRun); the notice of the
		// run's creation, arriving after that, finds the state already sent. A notice with no
		// change sends nothing either.
		c, err = dial(t, s, map[string]any{"Authorization": "Bearer " + editor})
		require.NoError(t, err)
		c.subscribe("1", q, vars)
		next := func(status string, read int) {
			t.Helper()
			typ, p := c.event("1")
			require.Equal(t, "next", typ, "waiting for %s: %v", status, p)
			assert.Equal(t, map[string]any{"status": status, "read": float64(read)}, p["data"].(map[string]any)["importRunProgress"])
		}
		next("QUEUED", 0)
		s.bus.Publish(live.Message{Imports: []int{run.ID}}) // a notice of no change
		require.NoError(t, run.Update().SetRead(7).SetStatus("RUNNING").Exec(context.Background()))
		next("RUNNING", 7)
		require.NoError(t, run.Update().SetStatus("SUCCEEDED").Exec(context.Background()))
		next("SUCCEEDED", 7)
		typ, _ = c.event("1")
		assert.Equal(t, "complete", typ, "a finished run ends the subscription")
	})
}

func TestSubscriptionLimits(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		s := newLiveServer(t, b, func(o *httpserver.Options) {
			o.LiveLimits.MaxSubscriptionsPerConnection = 2
			o.LiveLimits.MaxConnectionsPerClient = 2
			o.Limits.MaxCost = 50
			o.Limits.MaxDepth = 6
		})
		c, err := dial(t, s, nil)
		require.NoError(t, err)
		q := `subscription { roleChanged(slug: "backend-developer") { slug } }`

		// Subscriptions per connection: the third is refused; stopping one frees its place.
		c.subscribe("1", q, nil)
		c.subscribe("2", q, nil)
		s.waitSubscriptions(t, 2)
		c.subscribe("3", q, nil)
		assert.Equal(t, httpserver.CodeSubscriptionLimit, c.refusal("3"))
		c.send(wsMsg{ID: "1", Type: "complete"})
		typ, _ := c.event("1")
		require.Equal(t, "complete", typ)
		// A slot is free: the argument is checked this time.
		c.subscribe("4", `subscription { roleChanged(slug: "no-such-role") { slug } }`, nil)
		assert.Equal(t, "BAD_USER_INPUT", c.refusal("4"))

		// The same document limits and cost bound as queries.
		c2, err := dial(t, s, nil)
		require.NoError(t, err)
		c2.subscribe("1", `subscription { openingsChanged { opening { role { openings(first: 100) { edges { node { title } } } } } } }`, nil)
		assert.Equal(t, "DEPTH_LIMIT_EXCEEDED", c2.refusal("1"))
		c2.subscribe("2", `subscription { openingsChanged { opening { role { openings(first: 100) { totalCount } } } } }`, nil)
		assert.Equal(t, "COST_LIMIT_EXCEEDED", c2.refusal("2"))

		// Connections per client: a third upgrade is refused before it happens.
		_, err = dial(t, s, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "429")
		// SSE streams count too.
		resp := sseSubscribe(t, s, `subscription { roleChanged(slug: "backend-developer") { slug } }`)
		assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	})
}

func TestWebSocketAbuse(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		s := newLiveServer(t, b, func(o *httpserver.Options) {
			o.Limits.MaxBodyBytes = 4096
			o.LiveLimits.InitTimeout = time.Second
		})
		// A message over the body limit closes the connection (1009, message too big).
		c, err := dial(t, s, nil)
		require.NoError(t, err)
		c.subscribe("1", `subscription { roleChanged(slug: "`+strings.Repeat("x", 8000)+`") { slug } }`, nil)
		_, err = c.read()
		require.Error(t, err)
		assert.Equal(t, websocket.StatusMessageTooBig, closeCode(err), "%v", err)

		// A connection that never says connection_init is closed.
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/query",
			&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		require.NoError(t, err)
		defer conn.CloseNow()
		_, _, err = conn.Read(ctx)
		require.Error(t, err)
		assert.NotEqual(t, -1, int(closeCode(err)), "closed by the server: %v", err)
		assert.NoError(t, ctx.Err(), "closed before the guard")
	})
}

func TestLiveMetrics(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		m := metrics.New(nil)
		s := newLiveServer(t, b, func(o *httpserver.Options) { o.Metrics = m })
		s.hub.OnSubscriptions = m.LiveSubscription
		c, err := dial(t, s, nil)
		require.NoError(t, err)
		c.subscribe("1", `subscription Watch { roleChanged(slug: "backend-developer") { slug } }`, nil)
		s.waitSubscriptions(t, 1)
		assert.Equal(t, 1.0, sample(t, m, "careergraph_live_subscriptions", map[string]string{"field": "roleChanged"}))
		assert.Equal(t, 1.0, sample(t, m, "careergraph_live_connections", map[string]string{"transport": "websocket"}))
		require.NoError(t, s.env.DB.Client.Role.Update().Where(role.Slug("backend-developer")).SetOverview("x").Exec(context.Background()))
		typ, _ := c.event("1")
		require.Equal(t, "next", typ)
		assert.NotContains(t, scrape(t, m), `operation="Watch"`, "a subscription's events are not timed as requests")

		c.send(wsMsg{ID: "1", Type: "complete"})
		typ, _ = c.event("1")
		require.Equal(t, "complete", typ)
		s.waitSubscriptions(t, 0)
		require.Eventually(t, func() bool {
			return sample(t, m, "careergraph_live_subscriptions", map[string]string{"field": "roleChanged"}) == 0
		}, guard, 5*time.Millisecond)
		require.NoError(t, c.conn.Close(websocket.StatusNormalClosure, ""))
		require.Eventually(t, func() bool {
			return sample(t, m, "careergraph_live_connections", map[string]string{"transport": "websocket"}) == 0
		}, guard, 5*time.Millisecond)
	})
}

func TestHeartbeat(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		s := newLiveServer(t, b, func(o *httpserver.Options) { o.LiveLimits.Heartbeat = 20 * time.Millisecond })
		c, err := dial(t, s, nil)
		require.NoError(t, err)
		// The server pings an idle connection; a client that never answers is dropped.
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		var m wsMsg
		require.NoError(t, wsjson.Read(ctx, c.conn, &m))
		assert.Equal(t, "ping", m.Type)
		for err == nil {
			err = wsjson.Read(ctx, c.conn, &m)
		}
		assert.NoError(t, ctx.Err(), "dropped before the guard: %v", err)
	})
}

func TestDrain(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		s := newLiveServer(t, b, nil)
		c, err := dial(t, s, nil)
		require.NoError(t, err)
		c.subscribe("1", `subscription { roleChanged(slug: "backend-developer") { slug } }`, nil)
		s.waitSubscriptions(t, 1)

		// An SSE subscriber too.
		resp := sseSubscribe(t, s, `subscription { roleChanged(slug: "backend-developer") { slug } }`)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Eventually(t, func() bool { return s.streams.Open() == 2 }, guard, 10*time.Millisecond)

		// Drain: the WebSocket is closed with 1012 (reconnect), the SSE stream ends with a
		// SERVER_RESTARTING event; new streams are refused meanwhile.
		dctx, dcancel := context.WithTimeout(context.Background(), guard)
		defer dcancel()
		require.NoError(t, s.streams.Drain(dctx))
		_, err = c.read()
		require.Error(t, err)
		assert.Equal(t, websocket.StatusCode(httpserver.CloseRestart), closeCode(err), "%v", err)
		var body bytes.Buffer
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			body.WriteString(sc.Text() + "\n")
		}
		assert.Contains(t, body.String(), httpserver.CodeShuttingDown)
		_, err = dial(t, s, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "503")
	})
}

func TestSubscriptionOverSSE(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		s := newLiveServer(t, b, nil)
		mine, _ := liveOpenings(t, s.env.DB.Client, "backend-developer")
		resp := sseSubscribe(t, s, `subscription { openingsChanged(city: "`+cityOf(t, s.env.DB.Client, mine)+`") { kind openingID } }`)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
		s.waitSubscriptions(t, 1)
		require.NoError(t, s.env.DB.Client.Opening.UpdateOneID(mine.ID).SetStatus(opening.StatusEXPIRED).Exec(context.Background()))
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				assert.JSONEq(t, `{"data":{"openingsChanged":{"kind":"EXPIRED","openingID":"`+strconv.Itoa(mine.ID)+`"}}}`, line)
				return
			}
		}
		t.Fatal("no event")
	})
}

// sseSubscribe opens an SSE subscription to query on s.
func sseSubscribe(t *testing.T, s *liveServer, query string) *http.Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func cityOf(t *testing.T, c *ent.Client, o *ent.Opening) string {
	require.NotNil(t, o.LocationID)
	l, err := c.Location.Get(context.Background(), *o.LocationID)
	require.NoError(t, err)
	return l.City
}
