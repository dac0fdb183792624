package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/testenv"
	"github.com/careergraph/careergraph/internal/testredis"
)

// replica is one server process of the real binary.
type replica struct {
	name    string
	port    int
	metrics int
	cmd     *exec.Cmd
	mu      sync.Mutex
	log     bytes.Buffer
	exited  chan error
}

func (r *replica) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.Write(p)
}

func (r *replica) logs() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.String()
}

func (r *replica) url(path string) string { return fmt.Sprintf("http://127.0.0.1:%d%s", r.port, path) }

// buildBinary builds the server into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "careergraph")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

func startReplica(t *testing.T, bin, name string, env []string) *replica {
	t.Helper()
	r := &replica{name: name, port: freePort(t), metrics: freePort(t), exited: make(chan error, 1)}
	r.cmd = exec.Command(bin)
	r.cmd.Env = append(os.Environ(), append(env,
		"PORT="+strconv.Itoa(r.port), "METRICS_ADDR=127.0.0.1:"+strconv.Itoa(r.metrics), "LOG_LEVEL=warn")...)
	r.cmd.Stdout, r.cmd.Stderr = r, r
	require.NoError(t, r.cmd.Start())
	go func() { r.exited <- r.cmd.Wait() }()
	t.Cleanup(func() {
		_ = r.cmd.Process.Kill()
		<-r.exited
		if t.Failed() {
			t.Logf("replica %s log:\n%s", name, r.logs())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(r.url("/readyz"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r
			}
		}
		select {
		case err := <-r.exited:
			t.Fatalf("replica %s exited: %v\n%s", name, err, r.logs())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("replica %s never became ready:\n%s", name, r.logs())
	return nil
}

// gql posts a query to r with token ("" for none) and returns the decoded body and status.
func gql(t *testing.T, r *replica, token, query string, vars map[string]any) (map[string]any, int) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, r.url("/query"), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out, resp.StatusCode
}

func data(t *testing.T, out map[string]any) map[string]any {
	t.Helper()
	require.Nil(t, out["errors"], "%v", out)
	return out["data"].(map[string]any)
}

// metric reads one sample of r's metrics, such as `careergraph_match_index_openings`.
func metric(t *testing.T, r *replica, series string) float64 {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", r.metrics))
	require.NoError(t, err)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			require.NoError(t, err)
			return f
		}
	}
	t.Fatalf("no series %s", series)
	return 0
}

// TestReplicasShareOneDatabase runs processes of the real binary on one PostgreSQL schema
// and one Redis: an edit on A reaches B's subscribers, search, match index and match, and C's
// subscribers, within a second; a fourth replica, D, starts from the match index image A
// stored; an import run on A is visible on B; a rate-limit budget spent on A is spent on B; a
// SIGTERM tells B's subscribers to reconnect.
func TestReplicasShareOneDatabase(t *testing.T) {
	if !hasBackend(t, testenv.Postgres) {
		t.Skip("needs TEST_DATABASE_URL")
	}
	rc, _ := testredis.Open(t, "replicas")
	if rc == nil {
		t.Skip("needs TEST_REDIS_URL")
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	prefix := "careergraph-test:replicas:" + hex.EncodeToString(rnd[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := rc.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rc.Del(ctx, keys...)
		}
	})
	bin := buildBinary(t)
	dbURL := testenv.EmptyDatabase(t, testenv.Postgres)
	env := []string{
		"DATABASE_URL=" + dbURL,
		"REDIS_URL=" + os.Getenv("TEST_REDIS_URL"), "REDIS_KEY_PREFIX=" + prefix,
		"MIGRATE_ON_START=true", "RATE_LIMIT_POINTS=150",
		"CAREERGRAPH_ADMIN_EMAIL=admin@example.com", "CAREERGRAPH_ADMIN_PASSWORD=" + testenv.TestPassword,
	}
	// A migrates and seeds first; B and C find both done. Only A runs jobs.
	a := startReplica(t, bin, "A", env)
	b := startReplica(t, bin, "B", append(env, "JOBS=false"))
	c := startReplica(t, bin, "C", append(env, "JOBS=false"))

	out, _ := gql(t, a, "", `mutation { login(email: "admin@example.com", password: "`+testenv.TestPassword+`") { token } }`, nil)
	token := data(t, out)["login"].(map[string]any)["token"].(string)

	// Subscribers on B (WebSocket) and C (SSE).
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, fmt.Sprintf("ws://127.0.0.1:%d/query", b.port), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	require.NoError(t, err)
	defer ws.CloseNow()
	require.NoError(t, wsjson.Write(ctx, ws, map[string]any{"type": "connection_init"}))
	var msg struct {
		ID      string          `json:"id"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	require.NoError(t, wsjson.Read(ctx, ws, &msg))
	require.Equal(t, "connection_ack", msg.Type)
	require.NoError(t, wsjson.Write(ctx, ws, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription { openingsChanged(role: "backend-developer") { kind openingID opening { title } } }`}}))
	sseReq, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.url("/query"),
		strings.NewReader(`{"query":"subscription { openingsChanged { kind openingID } }"}`))
	sseReq.Header.Set("Content-Type", "application/json")
	sseReq.Header.Set("Accept", "text/event-stream")
	sse, err := http.DefaultClient.Do(sseReq)
	require.NoError(t, err)
	defer sse.Body.Close()
	sseEvents := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(sse.Body)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				sseEvents <- d
			}
		}
	}()
	require.Eventually(t, func() bool {
		return metric(t, b, `careergraph_live_subscriptions{field="openingsChanged"}`) == 1 &&
			metric(t, c, `careergraph_live_subscriptions{field="openingsChanged"}`) == 1
	}, 10*time.Second, 10*time.Millisecond)

	// The opening to edit, and where B stands before.
	out, _ = gql(t, a, "", `{ openings(first: 1, where: {status: LIVE, hasRoleWith: {slug: "backend-developer"}}) { edges { node { id } } } }`, nil)
	id := data(t, out)["openings"].(map[string]any)["edges"].([]any)[0].(map[string]any)["node"].(map[string]any)["id"].(string)
	matchQ := `{ match(profile: {skills: ["Java"], experienceYears: 3}, first: 1) { totalCount } }`
	out, _ = gql(t, b, token, matchQ, nil)
	liveBefore := data(t, out)["match"].(map[string]any)["totalCount"].(float64)
	indexBefore := metric(t, b, "careergraph_match_index_openings")

	// The edit on A: a title with a word no other opening has.
	start := time.Now()
	out, _ = gql(t, a, token, `mutation($id: ID!) { updateOpening(id: $id, input: {title: "Quokkaform Backend Developer"}) { id } }`, map[string]any{"id": id})
	data(t, out)
	require.NoError(t, wsjson.Read(ctx, ws, &msg))
	wsLatency := time.Since(start)
	require.Equal(t, "next", msg.Type, "%s", msg.Payload)
	assert.JSONEq(t, `{"data":{"openingsChanged":{"kind":"UPDATED","openingID":"`+id+`","opening":{"title":"Quokkaform Backend Developer"}}}}`, string(msg.Payload))
	select {
	case ev := <-sseEvents:
		assert.JSONEq(t, `{"data":{"openingsChanged":{"kind":"UPDATED","openingID":"`+id+`"}}}`, ev)
	case <-ctx.Done():
		t.Fatal("no SSE event on C")
	}
	sseLatency := time.Since(start)
	out, _ = gql(t, b, token, `{ openings(search: "quokkaform", first: 5) { edges { node { id } } } }`, nil)
	searchLatency := time.Since(start)
	assert.Contains(t, fmt.Sprint(data(t, out)["openings"]), id, "B's search finds A's edit")
	t.Logf("A's edit seen on B: subscription %v, search %v; on C (SSE) %v", wsLatency, searchLatency, sseLatency)
	assert.Less(t, wsLatency, time.Second)
	assert.Less(t, sseLatency, time.Second)
	assert.Less(t, searchLatency, time.Second)

	// Closing it on A drops it from B's match index before anyone asks B (the notification
	// made B catch up), and from B's match.
	start = time.Now()
	out, _ = gql(t, a, token, `mutation($id: ID!) { updateOpening(id: $id, input: {status: CLOSED}) { id } }`, map[string]any{"id": id})
	data(t, out)
	require.Eventually(t, func() bool { return metric(t, b, "careergraph_match_index_openings") == indexBefore-1 }, 10*time.Second, 5*time.Millisecond)
	indexLatency := time.Since(start)
	out, _ = gql(t, b, token, matchQ, nil)
	assert.Equal(t, liveBefore-1, data(t, out)["match"].(map[string]any)["totalCount"], "B's match no longer ranks it")
	t.Logf("A's close in B's match index, with no read on B: %v", indexLatency)
	assert.Less(t, indexLatency, time.Second)
	require.NoError(t, wsjson.Read(ctx, ws, &msg))
	assert.Contains(t, string(msg.Payload), `"kind":"CLOSED"`)

	// A built its match index from the tables and stored an image of it; a fourth replica
	// started now starts from that image, caught up with the close above.
	db, err := sql.Open("postgres", dbURL)
	require.NoError(t, err)
	defer db.Close()
	require.Eventually(t, func() bool {
		var n int
		return db.QueryRow(`SELECT count(*) FROM match_images`).Scan(&n) == nil && n > 0
	}, 10*time.Second, 10*time.Millisecond, "A stores an image")
	assert.Equal(t, 0.0, metric(t, a, "careergraph_match_index_from_image"), "A built from the tables")
	d := startReplica(t, bin, "D", append(env, "JOBS=false"))
	assert.Equal(t, 1.0, metric(t, d, "careergraph_match_index_from_image"))
	assert.Equal(t, indexBefore-1, metric(t, d, "careergraph_match_index_openings"), "D's index has A's close")
	out, _ = gql(t, d, token, matchQ, nil)
	assert.Equal(t, liveBefore-1, data(t, out)["match"].(map[string]any)["totalCount"], "and D's match agrees with B's")

	// An import run on A is visible on B, and its openings are searchable there.
	doc, err := os.ReadFile("internal/importer/testdata/single.jsonld")
	require.NoError(t, err)
	out, _ = gql(t, a, token, `mutation($c: String!) { importDocument(content: $c, source: "replicatest") { id status } }`, map[string]any{"c": string(doc)})
	run := data(t, out)["importDocument"].(map[string]any)
	require.Equal(t, "SUCCEEDED", run["status"])
	out, _ = gql(t, b, token, `query($id: ID!) { node(id: $id) { ... on ImportRun { status created source } } }`, map[string]any{"id": run["id"]})
	assert.Equal(t, map[string]any{"status": "SUCCEEDED", "created": float64(1), "source": "replicatest"}, data(t, out)["node"])
	out, _ = gql(t, b, token, `{ openings(search: "paylinza", first: 1) { edges { node { company { name } } } } }`, nil)
	assert.Contains(t, fmt.Sprint(data(t, out)["openings"]), "Paylinza", "B's search finds the imported opening first")

	// A budget spent on A is spent on B (Redis).
	var status int
	for range 200 {
		if _, status = gql(t, a, token, `{ __typename }`, nil); status == http.StatusTooManyRequests {
			break
		}
	}
	require.Equal(t, http.StatusTooManyRequests, status, "A never refused")
	out, status = gql(t, b, token, `{ __typename }`, nil)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Contains(t, fmt.Sprint(out["errors"]), "RATE_LIMITED")

	// SIGTERM on B: its subscriber is told to reconnect (1012), and B exits cleanly.
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	for err == nil { // events still queued (the import's post) come first
		err = wsjson.Read(ctx, ws, &msg)
	}
	assert.Equal(t, websocket.StatusCode(1012), websocket.CloseStatus(err), "%v", err)
	select {
	case err := <-b.exited:
		assert.NoError(t, err, "B exits 0")
		b.exited <- err // for the cleanup
	case <-ctx.Done():
		t.Fatal("B did not exit")
	}
}

func hasBackend(t *testing.T, b testenv.Backend) bool {
	for _, x := range testenv.Backends(t) {
		if x == b {
			return true
		}
	}
	return false
}
