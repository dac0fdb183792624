package editing

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/careergraph/careergraph/internal/apperr"
)

// MaxURLBytes is the longest URL a URL field takes (Company.website's column holds 300).
const MaxURLBytes = 300

// WebURL checks a URL field that pages show as a link: empty (not set), or an absolute http
// or https URL with a host, at most MaxURLBytes, with no spaces, control characters or
// user:password@ part. Everything else is refused: javascript: and data: URLs run script when
// clicked, relative and schemeless URLs ("//evil.example", "example.com") resolve against
// whatever page shows them, and user info makes "https://careers.example@evil.example" look
// like a link it is not.
func WebURL(field, raw string) error {
	if raw == "" {
		return nil
	}
	bad := func(why string) error {
		return apperr.BadInput(field, "%s: %s; send an absolute http:// or https:// URL such as https://example.com/careers", leaf(field), why)
	}
	if len(raw) > MaxURLBytes {
		return bad("longer than " + strconv.Itoa(MaxURLBytes) + " bytes")
	}
	if strings.IndexFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		return bad("contains spaces or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("not a URL")
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return bad("not an absolute URL")
	default:
		return bad("the scheme " + u.Scheme + ": is not allowed")
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return bad("has no host")
	}
	if u.User != nil {
		return bad("must not carry a user name or password")
	}
	return nil
}
