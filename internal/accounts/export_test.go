package accounts

import "context"

// SetOnHash sets a function run in the hash slot before each hash.
func (s *Service) SetOnHash(fn func()) { s.onHash = fn }

// Hashing exposes the hash gate to tests.
func (s *Service) Hashing(ctx context.Context, fn func()) error { return s.hashing(ctx, fn) }

// Waiting reports how many callers wait for a hash slot.
func (s *Service) Waiting() int64 {
	if s.gate == nil {
		return 0
	}
	return s.gate.waiting.Load()
}
