package auth

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Password policy limits. Length is the one rule that measurably helps (NIST SP 800-63B);
// composition rules are left out on purpose. The byte cap bounds the work an attacker can make
// the hasher do per request, and leaves room for long passphrases.
const (
	MinPasswordChars = 12
	MaxPasswordBytes = 256
)

// Errors returned (wrapped, with a message saying what is needed) by ValidatePassword, so
// that callers can map them to a field error with errors.Is.
var (
	ErrPasswordTooShort = errors.New("password too short")
	ErrPasswordTooLong  = errors.New("password too long")
	ErrPasswordEncoding = errors.New("password is not valid UTF-8")
)

// ValidatePassword checks a new password against the policy: at least MinPasswordChars
// characters (Unicode code points, so passphrases in any script count fairly) and at most
// MaxPasswordBytes bytes of UTF-8. Call it when a password is set, not when one is verified,
// so that changing the policy never locks anyone out.
func ValidatePassword(pw string) error {
	if len(pw) > MaxPasswordBytes {
		return fmt.Errorf("%w: use at most %d bytes (this one has %d)", ErrPasswordTooLong, MaxPasswordBytes, len(pw))
	}
	if !utf8.ValidString(pw) {
		return fmt.Errorf("%w: send the password as UTF-8 text", ErrPasswordEncoding)
	}
	if n := utf8.RuneCountInString(pw); n < MinPasswordChars {
		return fmt.Errorf("%w: use at least %d characters (this one has %d); a few unrelated words make a good one",
			ErrPasswordTooShort, MinPasswordChars, n)
	}
	return nil
}
