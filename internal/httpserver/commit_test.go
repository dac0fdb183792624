package httpserver_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"
	"github.com/stretchr/testify/assert"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/internal/httpserver"
	"github.com/careergraph/careergraph/internal/testenv"
)

// failingCommit is a driver whose transactions run their statements but fail to commit with
// a driver error that names a table, as a lost connection or a serialization failure would.
type failingCommit struct{ dialect.Driver }

func (d failingCommit) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return failingTx{tx}, nil
}

type failingTx struct{ dialect.Tx }

func (t failingTx) Commit() error {
	_ = t.Tx.Rollback()
	return &pq.Error{Code: "08006", Message: `connection lost while committing "secret_table"`}
}

// lockedBuffer is a log sink safe for the handler's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestFailedCommitIsHiddenAndLoggedOnce: a mutation whose commit fails answers
// INTERNAL_SERVER_ERROR with the request id and none of the driver's words, the role is
// unchanged, and the log has the driver's error once (not again as "error without a code").
func TestFailedCommitIsHiddenAndLoggedOnce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Seeded(t, b)
		_, token := env.User(t, "editor@example.com", "EDITOR")
		logs := &lockedBuffer{}
		broken := ent.NewClient(ent.Driver(failingCommit{entsql.OpenDB(env.DB.Dialect, env.DB.SQL)}))
		h := env.HandlerWith(t, func(o *httpserver.Options) {
			o.Client = broken
			o.Logger = slog.New(slog.NewTextHandler(logs, nil))
		})

		var before struct{ Role struct{ ID, Overview string } }
		testenv.Post(t, h, `{ role(slug: "backend-developer") { id overview } }`, nil).MustData(t, &before)
		resp := testenv.PostAs(t, h, token, `mutation($id: ID!) { updateRole(id: $id, input: {overview: "changed"}) { id overview } }`,
			map[string]any{"id": before.Role.ID})

		assert.Equal(t, "INTERNAL_SERVER_ERROR", resp.Code(), resp.String())
		for _, word := range []string{"secret_table", "connection lost", "pq:", "commit"} {
			assert.NotContains(t, resp.String(), word)
		}
		var after struct{ Role struct{ Overview string } }
		testenv.Post(t, h, `{ role(slug: "backend-developer") { overview } }`, nil).MustData(t, &after)
		assert.Equal(t, before.Role.Overview, after.Role.Overview, "a failed commit wrote nothing")

		assert.Equal(t, 1, strings.Count(logs.String(), "secret_table"), logs.String())
		assert.NotContains(t, logs.String(), "error without a code")
		assert.Contains(t, logs.String(), "outcome=server_error", "the access log tells the failure")
	})
}
