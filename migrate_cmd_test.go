package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/internal/migrate"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestReplicaBehindRefusesUntilMigrated: on a fresh database with MIGRATE_ON_START off (the
// PostgreSQL default), the server refuses to start, naming the pending file and the command;
// `careergraph migrate` applies every file and reports them, a second run applies nothing, and
// then the server starts, serving metrics on METRICS_ADDR and not on the public port.
func TestReplicaBehindRefusesUntilMigrated(t *testing.T) {
	for _, b := range testenv.Backends(t) {
		t.Run(string(b), func(t *testing.T) {
			port, mport := freePort(t), freePort(t)
			env := map[string]string{
				"PORT": fmt.Sprint(port), "DATABASE_URL": testenv.EmptyDatabase(t, b), "LOG_LEVEL": "warn",
				"MIGRATE_ON_START": "false", "METRICS_ADDR": fmt.Sprintf("127.0.0.1:%d", mport),
			}
			getenv := func(k string) string { return env[k] }
			err := runCtx(context.Background(), getenv)
			require.Error(t, err)
			dia := "postgres"
			if b == testenv.SQLite {
				dia = "sqlite3"
			}
			files, ferr := migrate.Files(dia)
			require.NoError(t, ferr)
			assert.Contains(t, err.Error(), files[0].Name)
			assert.Contains(t, err.Error(), "run `careergraph migrate`")

			var out bytes.Buffer
			require.NoError(t, runMigrate(nil, getenv, &out))
			for _, f := range files {
				assert.Contains(t, out.String(), "applied "+f.Name)
			}
			// River's job tables come with the schema, not at the server's start.
			assert.Contains(t, out.String(), "applied River migration 1 ")
			out.Reset()
			require.NoError(t, runMigrate(nil, getenv, &out))
			assert.Contains(t, out.String(), "up to date")

			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- runCtx(ctx, getenv) }()
			waitReady(t, port)
			resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/query", port), "application/json",
				bytes.NewReader([]byte(`{"query":"query Roles { roles { totalCount } }"}`)))
			require.NoError(t, err)
			resp.Body.Close()
			resp, err = http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", mport))
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, 200, resp.StatusCode)
			assert.Contains(t, string(body), `careergraph_graphql_request_duration_seconds_count{operation="Roles",outcome="ok"} 1`)
			resp, err = http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusNotFound, resp.StatusCode, "no metrics on the public port")
			cancel()
			require.NoError(t, <-done)
		})
	}
}
