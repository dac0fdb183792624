package auth

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidatePassword(t *testing.T) {
	require.NoError(t, ValidatePassword("twelve chars"))
	require.NoError(t, ValidatePassword(strings.Repeat("a", MaxPasswordBytes)))
	// Twelve characters of three bytes each: counted as characters, not bytes.
	require.NoError(t, ValidatePassword(strings.Repeat("日", 12)))

	err := ValidatePassword("eleven char")
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrPasswordTooShort))
	assert.Contains(t, err.Error(), "at least 12 characters")
	assert.Contains(t, err.Error(), "has 11")

	err = ValidatePassword(strings.Repeat("日", 11))
	assert.True(t, errors.Is(err, ErrPasswordTooShort), "%v", err)

	err = ValidatePassword("")
	assert.True(t, errors.Is(err, ErrPasswordTooShort))

	err = ValidatePassword(strings.Repeat("a", MaxPasswordBytes+1))
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrPasswordTooLong))
	assert.Contains(t, err.Error(), "at most 256 bytes")

	// 86 three-byte characters: few characters but too many bytes.
	err = ValidatePassword(strings.Repeat("日", 86))
	assert.True(t, errors.Is(err, ErrPasswordTooLong), "%v", err)

	err = ValidatePassword("valid prefix \xff\xfe tail")
	assert.True(t, errors.Is(err, ErrPasswordEncoding), "%v", err)
}
