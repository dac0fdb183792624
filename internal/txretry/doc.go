// Package txretry runs a write again when it lost to concurrent writers. A deadlock (40P01), a
// serialization failure (40001) or a lock wait that timed out (55P03) on PostgreSQL, and
// SQLITE_BUSY or SQLITE_LOCKED on SQLite, roll the whole transaction back and say nothing about
// the data: the same work in a new transaction usually succeeds. Retryable is the one place
// that classifies driver errors; Extension retries GraphQL mutations (each operation is one
// transaction, so running it again is safe) and Do retries any other transaction (imports,
// jobs). Both stop after a few attempts with jittered, growing pauses; then the caller gets
// CONFLICT with extensions.retryable true (apperr.Busy).
package txretry
