package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewToken(t *testing.T) {
	plain, hash, err := NewToken()
	require.NoError(t, err)

	require.True(t, strings.HasPrefix(plain, "cgt_"), plain)
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(plain, "cgt_"))
	require.NoError(t, err)
	assert.Len(t, raw, 32)
	assert.NotContains(t, plain, "=")

	sum := sha256.Sum256([]byte(plain))
	assert.Equal(t, hex.EncodeToString(sum[:]), hash)
	assert.Equal(t, hash, HashToken(plain))
	assert.Len(t, hash, 64)
	assert.True(t, LooksLikeToken(plain))

	other, otherHash, err := NewToken()
	require.NoError(t, err)
	assert.NotEqual(t, plain, other)
	assert.NotEqual(t, hash, otherHash)
}

func TestHashTokenKnownValue(t *testing.T) {
	// echo -n cgt_abc | sha256sum
	assert.Equal(t, "a5edc1f109e28e3692e40c2a000d29ad228fcf30b2b37af138eba56bdd3ece21", HashToken("cgt_abc"))
}

func TestLooksLikeToken(t *testing.T) {
	plain, _, err := NewToken()
	require.NoError(t, err)
	body := plain[4:]

	assert.False(t, LooksLikeToken(""))
	assert.False(t, LooksLikeToken("cgt_"))
	assert.False(t, LooksLikeToken(body), "missing prefix")
	assert.False(t, LooksLikeToken("xyz_"+body), "wrong prefix")
	assert.False(t, LooksLikeToken(plain[:len(plain)-1]), "too short")
	assert.False(t, LooksLikeToken(plain+"A"), "too long")
	assert.False(t, LooksLikeToken("cgt_"+strings.Repeat("+", 43)), "std alphabet, not url")
	assert.False(t, LooksLikeToken("Bearer "+plain))
	assert.False(t, LooksLikeToken(strings.Repeat("x", 10000)))
	// 43 characters whose last one carries non-zero padding bits does not decode strictly
	// to 32 bytes, so it cannot have come from NewToken.
	assert.False(t, LooksLikeToken("cgt_"+strings.Repeat("A", 42)+"B"))
	assert.True(t, LooksLikeToken("cgt_"+strings.Repeat("A", 42)+"E"))
}
