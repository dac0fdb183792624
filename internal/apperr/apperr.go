// Package apperr defines the errors clients may see. Anything else a resolver returns is an
// internal error: the error presenter (internal/httpserver) logs it and shows only a request id.
package apperr

import (
	"errors"
	"fmt"
)

// Codes used in a GraphQL error's extensions.code.
const (
	CodeBadUserInput  = "BAD_USER_INPUT"
	CodeNotFound      = "NOT_FOUND"
	CodeConflict      = "CONFLICT"
	CodeInternal      = "INTERNAL_SERVER_ERROR"
	CodeValidation    = "GRAPHQL_VALIDATION_FAILED"
	CodeParse         = "GRAPHQL_PARSE_FAILED"
	CodeUnauthorized  = "UNAUTHENTICATED"
	CodeForbidden     = "FORBIDDEN"
	CodeLimitExceeded = "LIMIT_EXCEEDED"
)

// Error is a problem the client can fix or should know about.
type Error struct {
	// Code goes to extensions.code.
	Code string
	// Field names the argument or input field at fault, such as "first" or "input.slug".
	Field string
	// Message says what is wrong and what to send instead.
	Message string
	// Extensions are more machine-readable facts for the client (extensions.retryable, ...).
	Extensions map[string]any
	// Err is the cause, for logs and errors.Is; never shown to clients.
	Err error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// BadInput reports a bad argument or input field.
func BadInput(field, format string, args ...any) *Error {
	return &Error{Code: CodeBadUserInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

// As finds the *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
