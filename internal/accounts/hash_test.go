package accounts_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/internal/accounts"
	"github.com/careergraph/careergraph/internal/apperr"
	"github.com/careergraph/careergraph/internal/testenv"
)

// TestPasswordsAreHashedWithNoConnectionHeld: Login and ChangePassword, given the mutation's
// transaction for their writes, hash while no pool connection is in use: the transaction has
// not begun and the reads went through the pool and came back.
func TestPasswordsAreHashedWithNoConnectionHeld(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.New(t, b)
		ctx := context.Background()
		u, _ := env.User(t, "owner@example.com", "EDITOR")
		acc := env.Accounts(nil)
		var hashes, busy atomic.Int32
		acc.SetOnHash(func() {
			hashes.Add(1)
			if env.DB.SQL.Stats().InUse != 0 {
				busy.Add(1)
			}
		})
		inTx := func(fn func(tx *ent.Client) error) {
			tx, err := env.DB.Client.Tx(ctx)
			require.NoError(t, err)
			require.NoError(t, fn(tx.Client()))
			require.NoError(t, tx.Commit())
		}
		inTx(func(tx *ent.Client) error {
			_, err := acc.Login(ctx, env.DB.Client, tx, "owner@example.com", testenv.TestPassword, "192.0.2.1")
			return err
		})
		inTx(func(tx *ent.Client) error {
			_, err := acc.ChangePassword(ctx, env.DB.Client, tx, u, 0, testenv.TestPassword, "another long passphrase", "192.0.2.1")
			return err
		})
		assert.Equal(t, int32(3), hashes.Load(), "login verifies; a change verifies and hashes")
		assert.Zero(t, busy.Load(), "no connection was in use while hashing")
	})
}

// TestHashGate: at most HashConcurrency hashes run at once; HashQueue more wait; one more is
// refused at once with RATE_LIMITED; a waiter whose context ends stops waiting.
func TestHashGate(t *testing.T) {
	acc := &accounts.Service{HashConcurrency: 2, HashQueue: 3}
	ctx := context.Background()

	// Concurrency: 20 callers, never more than 2 inside at once.
	var inside, most atomic.Int32
	var wg sync.WaitGroup
	big := &accounts.Service{HashConcurrency: 2, HashQueue: 100}
	for range 20 {
		wg.Go(func() {
			err := big.Hashing(ctx, func() {
				n := inside.Add(1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(time.Millisecond)
				inside.Add(-1)
			})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, most.Load(), int32(2))
	assert.Equal(t, int32(2), most.Load(), "both slots were used")

	// Queue bound: hold both slots, fill the queue, and one more is refused.
	release := make(chan struct{})
	held := make(chan struct{}, 2)
	var holders sync.WaitGroup
	for range 2 {
		holders.Go(func() {
			_ = acc.Hashing(ctx, func() { held <- struct{}{}; <-release })
		})
	}
	<-held
	<-held
	wctx, cancel := context.WithCancel(ctx)
	waitErrs := make(chan error, 3)
	for range 3 {
		go func() { waitErrs <- acc.Hashing(wctx, func() {}) }()
	}
	for acc.Waiting() < 3 { // poll until the three are queued
		time.Sleep(time.Millisecond)
	}
	err := acc.Hashing(ctx, func() { t.Error("ran past a full queue") })
	ae, ok := apperr.As(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, "RATE_LIMITED", ae.Code)
	assert.Contains(t, ae.Message, "try again")
	cancel()
	for range 3 {
		assert.ErrorIs(t, <-waitErrs, context.Canceled, "a waiter whose request ended stops waiting")
	}
	close(release)
	holders.Wait()
}
