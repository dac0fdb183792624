package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters. They are written into every hash, so changing them
// affects only hashes made afterwards.
type Params struct {
	// Memory is the memory cost in KiB. It is what makes GPU and ASIC attacks expensive.
	Memory uint32
	// Iterations is the number of passes over the memory.
	Iterations uint32
	// Threads is the degree of parallelism; it is part of the hash, so verification must use
	// the same value.
	Threads uint8
	// SaltLength is the length in bytes of the random salt made for each hash.
	SaltLength uint32
	// KeyLength is the length in bytes of the derived hash.
	KeyLength uint32
}

// DefaultParams are the production parameters: 64 MiB, 3 passes, 2 lanes, which is the second
// recommended setting of RFC 9106 scaled to a 2-core server (about a tenth of a second per
// hash there). Raise them when the hardware grows.
var DefaultParams = Params{Memory: 64 * 1024, Iterations: 3, Threads: 2, SaltLength: 16, KeyLength: 32}

// TestParams are deliberately weak parameters so that tests that create and log in users do
// not spend a tenth of a second per hash. Never use them in production.
var TestParams = Params{Memory: 64, Iterations: 1, Threads: 1, SaltLength: 16, KeyLength: 32}

// Bounds accepted when parsing a stored hash. They keep a corrupted or hostile hash string
// from making verification allocate gigabytes or spin for minutes.
const (
	maxMemoryKiB  = 4 * 1024 * 1024 // 4 GiB
	maxIterations = 100
	minSaltLength = 8
	maxSaltLength = 64
	minKeyLength  = 16
	maxKeyLength  = 128
)

// ErrMalformedHash is returned (wrapped, with the detail) when a stored hash string is not a
// well-formed argon2id PHC string this package can verify.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// Validate reports whether p can be used to hash, so that a bad configuration fails at start
// rather than at the first login.
func (p Params) Validate() error {
	switch {
	case p.Iterations < 1 || p.Iterations > maxIterations:
		return fmt.Errorf("auth: argon2id iterations must be between 1 and %d, got %d", maxIterations, p.Iterations)
	case p.Threads < 1:
		return errors.New("auth: argon2id threads must be at least 1")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("auth: argon2id memory must be between 8*threads (%d) and %d KiB, got %d",
			8*uint32(p.Threads), maxMemoryKiB, p.Memory)
	case p.SaltLength < minSaltLength || p.SaltLength > maxSaltLength:
		return fmt.Errorf("auth: salt length must be between %d and %d bytes, got %d", minSaltLength, maxSaltLength, p.SaltLength)
	case p.KeyLength < minKeyLength || p.KeyLength > maxKeyLength:
		return fmt.Errorf("auth: key length must be between %d and %d bytes, got %d", minKeyLength, maxKeyLength, p.KeyLength)
	}
	return nil
}

// Hasher hashes and verifies passwords with one set of parameters. The parameters matter for
// hashing and for DummyVerify, whose cost must match that of verifying a real stored hash.
// A Hasher is safe for concurrent use.
type Hasher struct {
	params Params

	dummyOnce sync.Once
	dummy     string
	dummyErr  error
}

// NewHasher returns a Hasher for p, or an error if p is unusable.
func NewHasher(p Params) (*Hasher, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Hasher{params: p}, nil
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the PHC-encoded argon2id hash of pw with a fresh random salt.
func (h *Hasher) Hash(pw string) (string, error) {
	salt := make([]byte, h.params.SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: reading random salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, h.params.Iterations, h.params.Memory, h.params.Threads, h.params.KeyLength)
	return encodeHash(h.params, salt, key), nil
}

// Verify reports whether pw matches the encoded hash. It uses the parameters stored in the
// hash, not the Hasher's, so old hashes keep working after the parameters are raised. A
// malformed hash is an error wrapping ErrMalformedHash, never a panic.
func (h *Hasher) Verify(pw, encoded string) (bool, error) {
	return VerifyPassword(pw, encoded)
}

// DummyVerify does the work of verifying pw against a hash made with the Hasher's parameters
// and discards the result. Call it when the account does not exist, so that "unknown email"
// and "wrong password" take the same time.
func (h *Hasher) DummyVerify(pw string) {
	h.dummyOnce.Do(func() {
		h.dummy, h.dummyErr = h.Hash("careergraph dummy password")
	})
	if h.dummyErr != nil {
		// Reading the salt failed; still spend the time.
		_ = argon2.IDKey([]byte(pw), make([]byte, h.params.SaltLength), h.params.Iterations,
			h.params.Memory, h.params.Threads, h.params.KeyLength)
		return
	}
	_, _ = VerifyPassword(pw, h.dummy)
}

// NeedsRehash reports whether encoded was made with parameters other than the Hasher's (or
// cannot be parsed), so that a successful login can store a fresh hash at the current cost.
func (h *Hasher) NeedsRehash(encoded string) bool {
	p, _, _, err := decodeHash(encoded)
	return err != nil || p != h.params
}

var defaultHasher = &Hasher{params: DefaultParams}

// HashPassword hashes pw with DefaultParams. See Hasher.Hash.
func HashPassword(pw string) (string, error) { return defaultHasher.Hash(pw) }

// DummyVerify burns the same work as VerifyPassword on a DefaultParams hash. See
// Hasher.DummyVerify; use the Hasher's method when the application hashes with other params.
func DummyVerify(pw string) { defaultHasher.DummyVerify(pw) }

// VerifyPassword reports whether pw matches encoded, using the parameters stored in encoded
// and a constant-time comparison. A malformed encoding returns an error wrapping
// ErrMalformedHash.
func VerifyPassword(pw, encoded string) (bool, error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Iterations, p.Memory, p.Threads, p.KeyLength)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func encodeHash(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Iterations, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedHash, fmt.Sprintf(format, args...))
}

// decodeHash parses a PHC argon2id string strictly: the fields must appear in the order this
// package writes them.
func decodeHash(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return p, nil, nil, malformed("want 5 '$'-separated fields")
	}
	if parts[1] != "argon2id" {
		return p, nil, nil, malformed("algorithm %q is not argon2id", parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, malformed("unsupported version %q", parts[2])
	}
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return p, nil, nil, malformed("want parameters m=,t=,p=")
	}
	m, err := parseParam(fields[0], "m", 32)
	if err != nil {
		return p, nil, nil, err
	}
	t, err := parseParam(fields[1], "t", 32)
	if err != nil {
		return p, nil, nil, err
	}
	th, err := parseParam(fields[2], "p", 8)
	if err != nil {
		return p, nil, nil, err
	}
	if salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4]); err != nil {
		return p, nil, nil, malformed("salt is not unpadded base64")
	}
	if key, err = base64.RawStdEncoding.Strict().DecodeString(parts[5]); err != nil {
		return p, nil, nil, malformed("hash is not unpadded base64")
	}
	p = Params{Memory: uint32(m), Iterations: uint32(t), Threads: uint8(th),
		SaltLength: uint32(len(salt)), KeyLength: uint32(len(key))}
	if err := p.Validate(); err != nil {
		return Params{}, nil, nil, malformed("%v", err)
	}
	return p, salt, key, nil
}

func parseParam(field, name string, bits int) (uint64, error) {
	v, ok := strings.CutPrefix(field, name+"=")
	if !ok {
		return 0, malformed("want parameter %s= in %q", name, field)
	}
	n, err := strconv.ParseUint(v, 10, bits)
	if err != nil {
		return 0, malformed("parameter %s is not a number that fits in %d bits", name, bits)
	}
	return n, nil
}
