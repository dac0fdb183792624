package txretry

import (
	"context"
	"maps"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/careergraph/careergraph/internal/apperr"
)

func busy(err error) *apperr.Error { return apperr.Busy(err) }

// Extension runs a mutation again, in a new transaction, when its run was marked as lost to
// concurrent writers (Mark). Register it after entgql.Transactioner and after every other
// operation interceptor: gqlgen's executor builds a fresh response handler each time the
// innermost operation handler is called, and the response interceptors (the transaction, the
// rate limiter, the error presenter's response context) run inside that handler, so each run
// gets a new transaction and a fresh list of errors. The rate limiter charges only an
// operation's first response, so a retried operation is charged once.
type Extension struct {
	Policy Policy
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = Extension{}

// ExtensionName implements graphql.HandlerExtension.
func (Extension) ExtensionName() string { return "TxRetry" }

// Validate implements graphql.HandlerExtension.
func (Extension) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation implements graphql.OperationInterceptor.
func (e Extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
		return next(ctx)
	}
	p := e.Policy.withDefaults()
	a := &attempt{}
	ctx = context.WithValue(ctx, attemptKey{}, a)
	handler := next(ctx)
	done := false
	return func(rctx context.Context) *graphql.Response {
		if done {
			return nil
		}
		done = true
		resp := handler(rctx)
		first := resp
		for n := 1; a.lost.Load() && n < p.Attempts; n++ {
			if p.pause(rctx, n) != nil {
				break
			}
			a.lost.Store(false)
			resp = next(rctx)(rctx)
		}
		if resp == nil {
			return nil
		}
		if a.lost.Load() && !hasRetryableError(resp) {
			// Lost at begin or commit, where entgql words the error without a code.
			resp = &graphql.Response{Errors: gqlerror.List{busyError()}, Extensions: resp.Extensions}
		}
		if first != nil && first != resp {
			// Extensions only the first run's interceptors wrote (the rate limiter's cost).
			if resp.Extensions == nil {
				resp.Extensions = map[string]any{}
			}
			for k, v := range first.Extensions {
				if _, ok := resp.Extensions[k]; !ok {
					resp.Extensions[k] = v
				}
			}
		}
		return resp
	}
}

func busyError() *gqlerror.Error {
	b := busy(nil)
	ext := maps.Clone(b.Extensions)
	ext["code"] = b.Code
	return &gqlerror.Error{Message: b.Message, Extensions: ext}
}

func hasRetryableError(resp *graphql.Response) bool {
	for _, e := range resp.Errors {
		if e.Extensions["code"] == apperr.CodeConflict && e.Extensions[apperr.ExtRetryable] == true {
			return true
		}
	}
	return false
}
