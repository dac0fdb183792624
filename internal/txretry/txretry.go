package txretry

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// PostgreSQL SQLSTATEs that are worth running the transaction again for.
var pgRetryable = map[pq.ErrorCode]bool{
	"40001": true, // serialization_failure
	"40P01": true, // deadlock_detected
	"55P03": true, // lock_not_available (lock_timeout)
}

// Retryable reports whether err says the transaction lost to concurrent writers and the same
// work may succeed in a new transaction.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	if pe, ok := errors.AsType[*pq.Error](err); ok {
		return pgRetryable[pe.Code]
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		switch se.Code() & 0xff { // the primary result code; extended codes add high bits
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}

// Aborted reports whether err is PostgreSQL refusing a statement because an earlier one in
// the same transaction failed (25P02): the later fields of a mutation document after a
// failed one. It says nothing new; the first error of the operation is the one to read.
func Aborted(err error) bool {
	pe, ok := errors.AsType[*pq.Error](err)
	return ok && pe.Code == "25P02"
}

// Policy bounds the retries.
type Policy struct {
	// Attempts is how many times the work runs at most, the first included.
	Attempts int
	// Base is the largest pause before the first retry; each later one may be twice as long,
	// up to Max. Pauses are drawn uniformly from [0, limit) ("full jitter"), so writers that
	// collided spread out instead of colliding again.
	Base, Max time.Duration
	// OnRetry, when set, is called before each retry (metrics count them).
	OnRetry func()
}

// DefaultPolicy: up to 5 runs, pauses below 10, 20, 40 and 80 ms.
var DefaultPolicy = Policy{Attempts: 5, Base: 10 * time.Millisecond, Max: 200 * time.Millisecond}

func (p Policy) withDefaults() Policy {
	if p.Attempts < 1 {
		p.Attempts = DefaultPolicy.Attempts
	}
	if p.Base <= 0 {
		p.Base = DefaultPolicy.Base
	}
	if p.Max <= 0 {
		p.Max = DefaultPolicy.Max
	}
	return p
}

// pause tells OnRetry, then waits before retry number n (1-based), or until ctx ends.
func (p Policy) pause(ctx context.Context, n int) error {
	if p.OnRetry != nil {
		p.OnRetry()
	}
	limit := p.Base << (n - 1)
	if limit > p.Max || limit <= 0 {
		limit = p.Max
	}
	t := time.NewTimer(rand.N(limit) + time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// attempt is one operation's record of whether its current run lost to concurrent writers.
type attempt struct{ lost atomic.Bool }

type attemptKey struct{}

// Mark records, for the retry around ctx's operation, that the current run failed with a
// retryable error. The error presenter and the transaction opener call it; outside a retried
// operation it does nothing.
func Mark(ctx context.Context) {
	if a, ok := ctx.Value(attemptKey{}).(*attempt); ok {
		a.lost.Store(true)
	}
}

// Do runs fn, and runs it again while it fails with a Retryable error, up to p.Attempts times.
// fn must do all its work in one transaction of its own (so a failed run left nothing
// behind). When the attempts run out the error is apperr.Busy wrapping the last one.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	p = p.withDefaults()
	var err error
	for n := 1; ; n++ {
		if err = fn(ctx); !Retryable(err) {
			return err
		}
		if n == p.Attempts {
			return busy(err)
		}
		if perr := p.pause(ctx, n); perr != nil {
			return err
		}
	}
}
