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
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/99designs/gqlgen/graphql"
	"github.com/lib/pq"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"modernc.org/sqlite"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/txretry"
)

// resolverError marks an error that came out of a resolver (see resolverErrors). Only these
// can carry internals (SQL, driver messages) and are hidden unless they are known kinds.
type resolverError struct{ err error }

func (e resolverError) Error() string { return e.err.Error() }
func (e resolverError) Unwrap() error { return e.err }

// resolverErrors wraps every error a resolver returns, so that the presenter can tell them
// from errors gqlgen itself raises about the request (parsing, validation, argument coercion),
// whose messages are meant for the client.
type resolverErrors struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
} = resolverErrors{}

func (resolverErrors) ExtensionName() string                   { return "ResolverErrors" }
func (resolverErrors) Validate(graphql.ExecutableSchema) error { return nil }
func (resolverErrors) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err != nil && err.Error() == "introspection disabled" {
		if fc := graphql.GetFieldContext(ctx); fc != nil && strings.HasPrefix(fc.Field.Name, "__") {
			return nil, &apperr.Error{Code: CodeIntrospectionDisabled, Message: "introspection is turned off on this server (GRAPHQL_INTROSPECTION=false)"}
		}
	}
	if err != nil {
		// Only an error that is itself a *gqlerror.Error (built on purpose for the client) is
		// left alone; one merely wrapping a gqlerror somewhere in its chain (a multierror of a
		// not-found and a driver error, say) is still a resolver's error.
		if _, ok := err.(*gqlerror.Error); !ok {
			err = resolverError{err}
		}
	}
	return res, err
}

// uncodedErrors is the last line of the error seam: an error in a response without
// extensions.code never went through the presenter (entgql.Transactioner builds its
// "cannot create transaction: …" and "cannot commit transaction: …" responses directly with
// graphql.ErrorResponse, quoting the error), so its words are unvetted. It is replaced by
// INTERNAL_SERVER_ERROR with the request id, and logged. Register it outside every interceptor
// that can produce errors, so that it wraps them all; only observers (metrics, tracing, the
// access log) sit outside it, and they see what the client gets.
type uncodedErrors struct{ log *slog.Logger }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = uncodedErrors{}

func (uncodedErrors) ExtensionName() string                   { return "UncodedErrors" }
func (uncodedErrors) Validate(graphql.ExecutableSchema) error { return nil }
func (u uncodedErrors) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	for i, e := range resp.Errors {
		if _, ok := e.Extensions["code"]; ok {
			continue
		}
		id := RequestID(ctx)
		// cleanTx already logged the driver's error under this id and left only the id in
		// the message; logging its wrapper again would report one failure twice.
		if !strings.Contains(e.Message, quoteID(id)) {
			u.log.ErrorContext(ctx, "error without a code", "request_id", id, "err", e.Message)
		}
		resp.Errors[i] = &gqlerror.Error{
			Message:    "internal error; " + quoteID(id) + " when reporting it",
			Path:       e.Path,
			Extensions: map[string]any{"code": apperr.CodeInternal, "requestId": id},
		}
	}
	return resp
}

// quoteID is how a message hands a client the request id to quote.
func quoteID(id string) string { return "quote request id " + id }

// CodeIntrospectionDisabled answers __schema and __type when introspection is off.
const CodeIntrospectionDisabled = "INTROSPECTION_DISABLED"

// gqlparser's words for an unknown enum value, in a literal and in a variable.
var enumMiss = []*regexp.Regexp{
	regexp.MustCompile(`Value "([^"]*)" does not exist in "(\w+)!?" enum`),
	regexp.MustCompile(`^(\S+) is not a valid (\w+)$`),
}

// presentError turns any error into what a client may see: known kinds get their code and
// message; anything unexpected is logged with the request id and shown only as that id.
func presentError(schema graphql.ExecutableSchema, log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		ext := func() map[string]any {
			if gerr.Extensions == nil {
				gerr.Extensions = map[string]any{}
			}
			return gerr.Extensions
		}
		if ae, ok := apperr.As(err); ok {
			gerr.Message = ae.Message
			ext()["code"] = ae.Code
			if ae.Field != "" {
				ext()["field"] = ae.Field
			}
			for k, v := range ae.Extensions {
				ext()[k] = v
			}
			return gerr
		}
		var rerr resolverError
		_, isGQL := err.(*gqlerror.Error)
		if !errors.As(err, &rerr) && isGQL && !fromDatabase(err) {
			// gqlgen's own word on the request: parse, validation or argument errors, and the
			// refusals of the extensions, all built as *gqlerror.Error for the client.
			if _, ok := ext()["code"]; !ok {
				ext()["code"] = apperr.CodeBadUserInput
			}
			explain(schema, gerr)
			return gerr
		}
		if txretry.Aborted(err) {
			gerr.Message = "not applied: an earlier field of this operation failed, so the whole operation was rolled back; see the first error"
			gerr.Extensions = map[string]any{"code": apperr.CodeConflict, apperr.ExtRetryable: false}
			return gerr
		}
		if txretry.Retryable(err) {
			// Lost to concurrent writers: the operation is run again (txretry.Extension), and
			// this answer stands only when the retries ran out.
			txretry.Mark(ctx)
			log.WarnContext(ctx, "retryable database error", "request_id", RequestID(ctx), "path", gerr.Path.String(), "err", err)
			busy := apperr.Busy(err)
			gerr.Message = busy.Message
			gerr.Extensions = map[string]any{"code": busy.Code}
			for k, v := range busy.Extensions {
				gerr.Extensions[k] = v
			}
			return gerr
		}
		// Below: a resolver's error, or anything else that reached the presenter, such as an
		// error a resolver or extension passed to graphql.AddError directly (ent's generated
		// Noders does) or one wrapping a driver's. Only known kinds keep a message.
		switch {
		case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), ctx.Err() != nil:
			// A driver error seen after the deadline (pq's "canceling statement") is reported
			// as the timeout; its text is not shown.
			gerr.Message = "the request took too long and was stopped"
			gerr.Extensions = map[string]any{"code": CodeTimeout}
			return gerr
		case databaseUnreachable(err):
			// The database is away (an outage, a failover): the client may retry; /readyz
			// says 503 meanwhile.
			log.WarnContext(ctx, "database unreachable", "request_id", RequestID(ctx), "path", gerr.Path.String(), "err", err)
			gerr.Message = "the database is unavailable at the moment; retry shortly"
			gerr.Extensions = map[string]any{"code": CodeDatabaseUnavailable, apperr.ExtRetryable: true}
			return gerr
		case fromDatabase(err) && !ent.IsConstraintError(err):
			// The internal error below: a driver's words never decide what the client reads.
		case ent.IsNotFound(err):
			gerr.Message = "not found"
			ext()["code"] = apperr.CodeNotFound
			return gerr
		case ent.IsValidationError(err):
			var verr *ent.ValidationError
			errors.As(err, &verr)
			field := inputField(ctx, verr.Name)
			gerr.Message = fmt.Sprintf("invalid value for %s: %v", field, errors.Unwrap(verr))
			ext()["code"] = apperr.CodeBadUserInput
			ext()["field"] = field
			return gerr
		case ent.IsConstraintError(err):
			gerr.Message = "the change conflicts with existing data (a duplicate or a missing reference)"
			ext()["code"] = apperr.CodeConflict
			ext()[apperr.ExtRetryable] = false
			return gerr
		}
		id := RequestID(ctx)
		log.ErrorContext(ctx, "resolver error", "request_id", id, "path", gerr.Path.String(), "err", err)
		gerr.Message = "internal error; " + quoteID(id) + " when reporting it"
		gerr.Extensions = map[string]any{"code": apperr.CodeInternal, "requestId": id}
		return gerr
	}
}

// CodeDatabaseUnavailable is the code of an error caused by the database not answering.
const CodeDatabaseUnavailable = "DATABASE_UNAVAILABLE"

// databaseUnreachable reports whether err is the database connection failing rather than a
// statement: a refused or reset connection, a connection that broke mid-statement.
func databaseUnreachable(err error) bool {
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF)
}

// fromDatabase reports whether err carries a database driver's error: lib/pq's, modernc
// SQLite's, or database/sql's own. Their messages name tables, columns and statements.
func fromDatabase(err error) bool {
	if _, ok := errors.AsType[*pq.Error](err); ok {
		return true
	}
	if _, ok := errors.AsType[*sqlite.Error](err); ok {
		return true
	}
	return errors.Is(err, sql.ErrConnDone) || errors.Is(err, sql.ErrTxDone) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, sql.ErrNoRows)
}

// recoverPanic logs a resolver panic with its request id and answers with that id only.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		id := RequestID(ctx)
		log.ErrorContext(ctx, "resolver panic", "request_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return &gqlerror.Error{
			Message:    "internal error; " + quoteID(id) + " when reporting it",
			Extensions: map[string]any{"code": apperr.CodeInternal, "requestId": id},
		}
	}
}

// explain adds what to send instead to gqlgen's terser messages: the values of an enum, the
// shape of a cursor.
func explain(schema graphql.ExecutableSchema, gerr *gqlerror.Error) {
	for _, re := range enumMiss {
		m := re.FindStringSubmatch(gerr.Message)
		if m == nil {
			continue
		}
		if def := schema.Schema().Types[m[2]]; def != nil && def.Kind == ast.Enum {
			names := make([]string, len(def.EnumValues))
			for i, v := range def.EnumValues {
				names[i] = v.Name
			}
			gerr.Message = strings.TrimSuffix(gerr.Message, ".") + ". Send one of: " + strings.Join(names, ", ") + "."
		}
		return
	}
	if n := len(gerr.Path); n > 0 && strings.Contains(gerr.Message, "cursor") {
		if arg, ok := gerr.Path[n-1].(ast.PathName); ok && (arg == "after" || arg == "before") {
			gerr.Message = fmt.Sprintf("%s: malformed cursor: send a cursor exactly as the API returned it in edges.cursor or pageInfo.endCursor/startCursor", arg)
			gerr.Extensions["argument"] = string(arg)
		}
	}
}

// inputField names an ent field as a mutation's input spells it: "experience_max_years"
// becomes "input.experienceMaxYears". Outside mutations the ent name is kept.
func inputField(ctx context.Context, name string) string {
	if !graphql.HasOperationContext(ctx) {
		return name
	}
	if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Mutation {
		return name
	}
	parts := strings.Split(name, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] == "id" {
			parts[i] = "ID"
		} else if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return "input." + strings.Join(parts, "")
}
