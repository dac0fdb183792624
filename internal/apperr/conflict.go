package apperr

import "fmt"

// Conflict codes' extensions: retryable says whether sending the same operation again can
// succeed; currentVersion is the version a stale precondition missed.
const (
	ExtRetryable      = "retryable"
	ExtCurrentVersion = "currentVersion"
)

// StaleVersion answers an update or delete whose version precondition no longer holds: the
// client must reload (at currentVersion) and decide again, so a retry would not help.
func StaleVersion(field string, expected, current int) *Error {
	return &Error{
		Code:  CodeConflict,
		Field: field,
		Message: fmt.Sprintf("the entity was changed by someone else since you read it (you sent version %d, it is now at version %d): reload it and apply your change again",
			expected, current),
		Extensions: map[string]any{ExtRetryable: false, ExtCurrentVersion: current},
	}
}

// Busy answers an operation that lost to concurrent writers (a deadlock, a serialization
// failure, a lock wait that timed out) more times than the server retries it. Nothing was
// changed and sending it again is safe.
func Busy(cause error) *Error {
	return &Error{
		Code:       CodeConflict,
		Message:    "the data was busy with other changes and this operation was not applied; try again",
		Extensions: map[string]any{ExtRetryable: true},
		Err:        cause,
	}
}
