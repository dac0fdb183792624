package httpserver

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Error codes of the request guard.
const (
	// CodePersistedQueryTooLarge refuses registering a persisted query longer than
	// APQ_MAX_QUERY_BYTES.
	CodePersistedQueryTooLarge = "PERSISTED_QUERY_TOO_LARGE"
	// CodeOperationNameTooLong refuses an operationName longer than MAX_OPERATION_NAME_BYTES.
	CodeOperationNameTooLong = "OPERATION_NAME_TOO_LONG"
)

func init() {
	errcode.RegisterErrorType(CodePersistedQueryTooLarge, errcode.KindProtocol)
	errcode.RegisterErrorType(CodeOperationNameTooLong, errcode.KindProtocol)
}

// requestGuard refuses, before anything else reads them, the request parameters that the
// server would keep or log: an operationName longer than MaxOperationNameBytes (it goes into
// every access-log line) and a persisted-query registration (extensions.persistedQuery with
// the query's text) longer than MaxPersistedBytes (it would be kept in the APQ cache). A plain
// query of the same size is still served; it is only not kept.
type requestGuard struct {
	MaxOperationNameBytes int
	MaxPersistedBytes     int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = requestGuard{}

func (requestGuard) ExtensionName() string                   { return "RequestGuard" }
func (requestGuard) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters implements graphql.OperationParameterMutator.
func (g requestGuard) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	if n := len(p.OperationName); g.MaxOperationNameBytes > 0 && n > g.MaxOperationNameBytes {
		return &gqlerror.Error{
			Message: fmt.Sprintf("operationName is %d bytes long; the limit is %d (MAX_OPERATION_NAME_BYTES): send a shorter name", n, g.MaxOperationNameBytes),
			Extensions: map[string]any{"code": CodeOperationNameTooLong, "field": "operationName",
				"maxBytes": g.MaxOperationNameBytes},
		}
	}
	if _, persisting := p.Extensions["persistedQuery"]; persisting && g.MaxPersistedBytes > 0 && len(p.Query) > g.MaxPersistedBytes {
		return &gqlerror.Error{
			Message: fmt.Sprintf("the query to persist is %d bytes long; persisted queries may be at most %d bytes (APQ_MAX_QUERY_BYTES): send it without extensions.persistedQuery, or split it",
				len(p.Query), g.MaxPersistedBytes),
			Extensions: map[string]any{"code": CodePersistedQueryTooLarge, "field": "query", "maxBytes": g.MaxPersistedBytes},
		}
	}
	return nil
}
