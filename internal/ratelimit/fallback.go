package ratelimit

import (
	"context"
	"sync/atomic"
	"time"
)

// Fallback is a Store that keeps budgets in Primary (Redis, shared by the replicas) and, while
// Primary fails, in Secondary (in process): a request is never refused or failed because the
// shared store is away, and budgets still hold, per replica, meanwhile. After a failure
// Primary is left alone for Cooldown, so that an outage does not cost every request a failed
// round trip (go-redis retries a refused connection before giving up).
//
// Budgets are not carried over either way: while Primary is away each replica counts from
// zero, and when it is back the shared counts resume where they were. With N replicas a
// client may so spend up to N+1 budgets in the window of an outage.
type Fallback struct {
	Primary, Secondary Store
	// Cooldown is how long Primary is skipped after it failed; 0 means one second.
	Cooldown time.Duration
	// OnError, when set, is told of each Primary failure.
	OnError func(ctx context.Context, err error)

	skipUntil atomic.Int64 // unix nanoseconds
}

var _ Store = (*Fallback)(nil)

// Take charges Primary, or Secondary while Primary is failing.
func (f *Fallback) Take(ctx context.Context, key string, cost, limit int, window time.Duration) (Result, error) {
	if err := checkArgs(cost, limit, window); err != nil {
		return Result{}, err
	}
	if time.Now().UnixNano() >= f.skipUntil.Load() {
		res, err := f.Primary.Take(ctx, key, cost, limit, window)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return res, err // the request ended, not the store
		}
		cd := f.Cooldown
		if cd <= 0 {
			cd = time.Second
		}
		f.skipUntil.Store(time.Now().Add(cd).UnixNano())
		if f.OnError != nil {
			f.OnError(ctx, err)
		}
	}
	return f.Secondary.Take(ctx, key, cost, limit, window)
}

// Degraded reports whether Primary is being skipped after a failure.
func (f *Fallback) Degraded() bool { return time.Now().UnixNano() < f.skipUntil.Load() }
