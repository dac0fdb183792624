package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/config"
)

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitReady polls /readyz until the server answers, for at most ten seconds.
func waitReady(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", port))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("server never became ready")
}

func TestBadConfigurationNamesTheVariable(t *testing.T) {
	err := run(nil, func(k string) string {
		return map[string]string{"PORT": "eighty"}[k]
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PORT")

	err = run(nil, func(k string) string {
		return map[string]string{"DATABASE_URL": "oracle://db"}[k]
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DATABASE_URL")

	err = run([]string{"frobnicate"}, func(string) string { return "" })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "frobnicate")
}

// TestSIGTERMDrainsInFlightRequests starts the real server, begins a request, sends SIGTERM
// while it is in flight, and expects the request to be answered and run to return cleanly.
func TestSIGTERMDrainsInFlightRequests(t *testing.T) {
	port := freePort(t)
	dbURL := "file:" + filepath.Join(t.TempDir(), "cg.db")
	env := map[string]string{"PORT": fmt.Sprint(port), "DATABASE_URL": dbURL, "LOG_LEVEL": "warn"}
	done := make(chan error, 1)
	go func() { done <- run(nil, func(k string) string { return env[k] }) }()
	waitReady(t, port)

	// A request whose body is still arriving is in flight.
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	require.NoError(t, err)
	defer conn.Close()
	body := `{"query":"{ role(slug: \"backend-developer\") { title } }"}`
	_, err = fmt.Fprintf(conn, "POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:10])
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond) // let the server read the headers, so the connection is active

	require.NoError(t, syscall.Kill(syscall.Getpid(), syscall.SIGTERM))
	time.Sleep(50 * time.Millisecond) // shutdown has begun: new connections are refused
	_, err = net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
	assert.Error(t, err, "no new connections after SIGTERM")

	_, err = io.WriteString(conn, body[10:])
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(b), "Backend Developer", "the in-flight request was answered")

	select {
	case err := <-done:
		assert.NoError(t, err, "run returns cleanly after SIGTERM")
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop")
	}
}

func TestServeSeedsOnFirstStartOnly(t *testing.T) {
	dbURL := "file:" + filepath.Join(t.TempDir(), "cg.db")
	for i := 0; i < 2; i++ {
		port := freePort(t)
		env := map[string]string{"PORT": fmt.Sprint(port), "DATABASE_URL": dbURL, "LOG_LEVEL": "warn"}
		ctx, cancel := context.WithCancel(context.Background())
		cfgDone := make(chan error, 1)
		go func() { cfgDone <- runCtx(ctx, func(k string) string { return env[k] }) }()
		waitReady(t, port)
		resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/query", port), "application/json",
			strings.NewReader(`{"query":"{ roles { totalCount } openings(where: {source: \"sample\"}) { totalCount } }"}`))
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Contains(t, string(b), `"roles":{"totalCount":14}`, "start %d", i+1)
		assert.Contains(t, string(b), `"openings":{"totalCount":440}`, "start %d", i+1)
		cancel()
		require.NoError(t, <-cfgDone)
	}
}

// TestFirstAdminFromEnvironment: CAREERGRAPH_ADMIN_EMAIL/PASSWORD create an admin at start
// who can log in; the password appears in no log line; a restart keeps the account.
func TestFirstAdminFromEnvironment(t *testing.T) {
	dbURL := "file:" + filepath.Join(t.TempDir(), "cg.db")
	const password = "first admin secret passphrase"
	for i := 0; i < 2; i++ {
		port := freePort(t)
		cfg, err := config.FromEnv(func(k string) string {
			return map[string]string{"PORT": fmt.Sprint(port), "DATABASE_URL": dbURL, "SEED": "false",
				"CAREERGRAPH_ADMIN_EMAIL": "Root@Example.com", "CAREERGRAPH_ADMIN_PASSWORD": password}[k]
		})
		require.NoError(t, err)
		var logs bytes.Buffer
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- serve(ctx, cfg, slog.New(slog.NewJSONHandler(&logs, nil))) }()
		waitReady(t, port)
		body := fmt.Sprintf(`{"query":"mutation { login(email: \"root@example.com\", password: \"%s\") { user { role } } }"}`, password)
		resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/query", port), "application/json", strings.NewReader(body))
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Contains(t, string(b), `"role":"ADMIN"`, "start %d: %s", i+1, b)
		cancel()
		require.NoError(t, <-done)
		assert.Contains(t, logs.String(), fmt.Sprintf(`"created":%t`, i == 0))
		assert.NotContains(t, logs.String(), password)
	}
}

// TestDebugAddrIsASeparateListener: with DEBUG_ADDR set, the profiler answers there and the
// public port still answers 404 for it.
func TestDebugAddrIsASeparateListener(t *testing.T) {
	port, dport := freePort(t), freePort(t)
	env := map[string]string{"PORT": fmt.Sprint(port), "DEBUG_ADDR": fmt.Sprintf("127.0.0.1:%d", dport),
		"DATABASE_URL": "file:" + filepath.Join(t.TempDir(), "cg.db"), "LOG_LEVEL": "warn"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runCtx(ctx, func(k string) string { return env[k] }) }()
	waitReady(t, port)
	get := func(port int) (int, string) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/", port))
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	code, body := get(dport)
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "goroutine")
	code, body = get(port)
	assert.Equal(t, 404, code)
	assert.NotContains(t, body, "goroutine")
	cancel()
	require.NoError(t, <-done)
}
