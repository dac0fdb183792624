package txretry_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/lib/pq"
	"github.com/stretchr/testify/assert"

	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/txretry"
)

func TestRetryable(t *testing.T) {
	for code, want := range map[pq.ErrorCode]bool{"40P01": true, "40001": true, "55P03": true, "23505": false, "42P01": false} {
		err := fmt.Errorf("ent: %w", &pq.Error{Code: code})
		assert.Equal(t, want, txretry.Retryable(err), code)
	}
	assert.False(t, txretry.Retryable(nil))
	assert.False(t, txretry.Retryable(errors.New("deadlock detected")), "classified by code, never by text")
}

// TestDo: a retryable failure runs the work again; anything else returns at once; when the
// attempts run out the answer is CONFLICT retryable.
func TestDo(t *testing.T) {
	ctx := context.Background()
	p := txretry.Policy{Attempts: 3}
	deadlock := &pq.Error{Code: "40P01"}

	runs := 0
	err := txretry.Do(ctx, p, func(context.Context) error {
		if runs++; runs < 3 {
			return deadlock
		}
		return nil
	})
	assert.NoError(t, err)
	assert.Equal(t, 3, runs)

	runs = 0
	other := errors.New("bad input")
	err = txretry.Do(ctx, p, func(context.Context) error { runs++; return other })
	assert.Same(t, other, err)
	assert.Equal(t, 1, runs)

	runs = 0
	err = txretry.Do(ctx, p, func(context.Context) error { runs++; return deadlock })
	assert.Equal(t, 3, runs)
	ae, ok := apperr.As(err)
	if assert.True(t, ok, "%v", err) {
		assert.Equal(t, apperr.CodeConflict, ae.Code)
		assert.Equal(t, true, ae.Extensions[apperr.ExtRetryable])
		assert.ErrorIs(t, err, deadlock)
	}
}
