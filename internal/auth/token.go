package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// TokenPrefix marks careergraph API tokens, so that secret scanners and people can recognise
// a leaked one, and so that garbage can be refused before touching the database.
const TokenPrefix = "cgt_"

const (
	tokenRandomBytes = 32
	// tokenLength is the length of a token: the prefix plus 32 bytes in unpadded base64url.
	tokenLength = len(TokenPrefix) + (tokenRandomBytes*8+5)/6
)

// NewToken makes a new API token. plain is shown to the user once and never stored; hash is
// what the database keeps and looks tokens up by (see HashToken).
func NewToken() (plain, hash string, err error) {
	b := make([]byte, tokenRandomBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("auth: reading random token: %w", err)
	}
	plain = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return plain, HashToken(plain), nil
}

// HashToken returns the hex SHA-256 of a plain token, the form tokens are stored and looked
// up in. Looking up by hash is safe against timing attacks on the index because an attacker
// cannot choose hashes.
func HashToken(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// LooksLikeToken reports whether s has the exact shape of a token made by NewToken. It is a
// cheap filter that spares the database lookups for garbage Authorization headers; a true
// result says nothing about whether the token exists.
func LooksLikeToken(s string) bool {
	if len(s) != tokenLength || !strings.HasPrefix(s, TokenPrefix) {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s[len(TokenPrefix):])
	return err == nil && len(b) == tokenRandomBytes
}
