package httpserver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"syscall"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/hashicorp/go-multierror"
	"github.com/lib/pq"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	_ "modernc.org/sqlite"

	"github.com/careergraph/careergraph/internal/apperr"
)

// sqliteError returns a real error from modernc's driver, as a failing statement gives it.
func sqliteError(t *testing.T) error {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`SELECT secret FROM users_table_that_is_not_there`)
	require.Error(t, err)
	return err
}

// TestPresenterHidesDriverErrorsOnEveryPath feeds the error presenter a driver error the way
// each path delivers one: a resolver's return value (wrapped by resolverErrors), a
// graphql.AddError call (the presenter gets the bare error), an extension's or resolver's
// *gqlerror.Error wrapping it, and a multierror mixing it with a client-facing gqlerror. Every
// one comes out as INTERNAL_SERVER_ERROR with the request id and none of the driver's words.
func TestPresenterHidesDriverErrorsOnEveryPath(t *testing.T) {
	present := presentError(nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.WithValue(context.Background(), requestKey, &requestInfo{id: "req-123"})
	ctx = graphql.WithResponseContext(ctx, graphql.DefaultErrorPresenter, nil)
	pqErr := &pq.Error{Code: "42P01", Message: `relation "secret_table" does not exist`}
	lite := sqliteError(t)
	words := []string{"secret", "relation", "SELECT", "pq:", "sqlite", "SQL", "no such table", "sql:"}

	for name, err := range map[string]error{
		"resolver returns pq error":            resolverError{fmt.Errorf("load roles: %w", pqErr)},
		"resolver returns sqlite error":        resolverError{lite},
		"AddError with a pq error":             pqErr,
		"AddError with a sqlite error":         lite,
		"AddError with a wrapped sqlite error": fmt.Errorf("noders: %w", lite),
		"AddError with sql.ErrConnDone":        sql.ErrConnDone,
		"AddError with an unknown error":       errors.New("dial tcp 10.0.0.3:5432: connection refused"),
		"gqlerror wrapping pq error":           gqlerror.WrapPath(ast.Path{ast.PathName("roles")}, pqErr),
		"multierror of not-found and driver": multierror.Append(
			&gqlerror.Error{Message: "could not resolve to a node"}, pqErr),
		"resolver returns that multierror": resolverError{multierror.Append(
			&gqlerror.Error{Message: "could not resolve to a node"}, lite)},
	} {
		t.Run(name, func(t *testing.T) {
			got := present(ctx, err)
			assert.Equal(t, apperr.CodeInternal, got.Extensions["code"])
			assert.Equal(t, "req-123", got.Extensions["requestId"])
			assert.Contains(t, got.Message, "req-123")
			for _, w := range words {
				assert.NotContains(t, got.Message, w)
			}
			assert.Len(t, got.Extensions, 2, "nothing else rides along: %v", got.Extensions)
		})
	}

	t.Run("gqlgen's own errors keep their words", func(t *testing.T) {
		got := present(ctx, &gqlerror.Error{Message: `Cannot query field "titel" on type "Role".`,
			Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}})
		assert.Equal(t, "GRAPHQL_VALIDATION_FAILED", got.Extensions["code"])
		assert.Contains(t, got.Message, "titel")
	})
	t.Run("a connection that fails is DATABASE_UNAVAILABLE, retryable, without the driver's words", func(t *testing.T) {
		for _, err := range []error{
			resolverError{fmt.Errorf("load roles: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})},
			resolverError{fmt.Errorf("pq: %w", driver.ErrBadConn)},
		} {
			got := present(ctx, err)
			assert.Equal(t, CodeDatabaseUnavailable, got.Extensions["code"])
			assert.Equal(t, true, got.Extensions[apperr.ExtRetryable])
			assert.NotContains(t, got.Message, "dial")
			assert.NotContains(t, got.Message, "pq")
		}
	})
	t.Run("a driver error after the deadline is a timeout without the driver's words", func(t *testing.T) {
		done, cancel := context.WithCancel(ctx)
		cancel()
		got := present(done, resolverError{&pq.Error{Message: "canceling statement due to user request"}})
		assert.Equal(t, CodeTimeout, got.Extensions["code"])
		assert.NotContains(t, got.Message, "canceling")
	})
}
