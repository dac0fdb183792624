package editing

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/careergraph/careergraph/internal/apperr"
)

// TestWebURL: only absolute http(s) URLs with a host pass; script, data, relative,
// schemeless, credential-carrying and over-long URLs are BAD_USER_INPUT naming the field.
func TestWebURL(t *testing.T) {
	for _, ok := range []string{"", "https://example.com", "http://example.com/careers?x=1#top", "HTTPS://Example.com:8443/a"} {
		assert.NoError(t, WebURL("input.website", ok), ok)
	}
	for _, bad := range []string{
		"javascript:alert(1)", "JavaScript:alert(document.cookie)", " javascript:alert(1)", "java\tscript:alert(1)",
		"data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "file:///etc/passwd", "ftp://example.com",
		"/careers", "careers.html", "//evil.example/x", "example.com", "https://", "https:///path", "http:example.com",
		"https://careers.example@evil.example/", "https://exa mple.com", "https://example.com/\n",
		"https://example.com/" + strings.Repeat("a", MaxURLBytes),
	} {
		err := WebURL("input.website", bad)
		if assert.Error(t, err, "%q must be refused", bad) {
			ae, ok := apperr.As(err)
			assert.True(t, ok)
			assert.Equal(t, apperr.CodeBadUserInput, ae.Code)
			assert.Equal(t, "input.website", ae.Field)
		}
	}
}
