package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Result is the state of a key's budget after a Take. It carries everything needed for the
// X-RateLimit-* response headers.
type Result struct {
	// Allowed reports whether the cost was charged.
	Allowed bool
	// Limit is the budget per window, as passed to Take.
	Limit int
	// Used is the cost charged so far in the current window, including this request if it
	// was allowed.
	Used int
	// Remaining is Limit - Used, never below zero.
	Remaining int
	// ResetAt is when the current window ends and the budget is whole again.
	ResetAt time.Time
}

// Store charges costs against per-key budgets. Implementations are safe for concurrent use.
type Store interface {
	// Take charges cost to key's budget of limit points per window if it fits, and reports
	// the resulting state. It returns an error only for invalid arguments or when the
	// backing store fails; a refusal is Result.Allowed == false.
	Take(ctx context.Context, key string, cost, limit int, window time.Duration) (Result, error)
}

// ErrInvalidArgument is returned (wrapped) by Take for a negative cost, a limit below 1, or
// a window shorter than a millisecond.
var ErrInvalidArgument = errors.New("ratelimit: invalid argument")

func checkArgs(cost, limit int, window time.Duration) error {
	switch {
	case cost < 0:
		return fmt.Errorf("%w: cost %d is negative", ErrInvalidArgument, cost)
	case limit < 1:
		return fmt.Errorf("%w: limit %d is below 1", ErrInvalidArgument, limit)
	case window < time.Millisecond:
		return fmt.Errorf("%w: window %s is shorter than 1ms", ErrInvalidArgument, window)
	}
	return nil
}

// decide applies the shared rules to a window in which used points are already spent.
func decide(used, cost, limit int) (allowed bool, newUsed int) {
	remaining := max(limit-used, 0)
	if cost > remaining {
		return false, used
	}
	return true, used + cost
}

func result(allowed bool, used, limit int, resetAt time.Time) Result {
	return Result{Allowed: allowed, Limit: limit, Used: used, Remaining: max(limit-used, 0), ResetAt: resetAt}
}
