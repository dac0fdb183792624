package httpserver

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/careergraph/careergraph/internal/viewer"
)

// TestClientAddress: headers count only from trusted peers, are read from the right, stop at
// the first untrusted hop, and fall back to the last trusted hop on garbage.
func TestClientAddress(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}
	for _, tc := range []struct {
		name, peer string
		headers    map[string]string
		want       string
	}{
		{"plain peer", "198.51.100.1:1234", nil, "198.51.100.1"},
		{"untrusted peer's XFF ignored", "198.51.100.1:1234", map[string]string{"X-Forwarded-For": "1.2.3.4"}, "198.51.100.1"},
		{"untrusted peer's Forwarded ignored", "198.51.100.1:1234", map[string]string{"Forwarded": "for=1.2.3.4"}, "198.51.100.1"},
		{"trusted peer, no header", "10.0.0.1:1234", nil, "10.0.0.1"},
		{"trusted peer, XFF", "10.0.0.1:1234", map[string]string{"X-Forwarded-For": "203.0.113.9"}, "203.0.113.9"},
		{"right-most untrusted", "10.0.0.1:1234", map[string]string{"X-Forwarded-For": "6.6.6.6, 203.0.113.9, 10.2.2.2"}, "203.0.113.9"},
		{"all trusted: left-most", "10.0.0.1:1234", map[string]string{"X-Forwarded-For": "10.3.3.3, 10.2.2.2"}, "10.3.3.3"},
		{"garbage stops at the last trusted hop", "10.0.0.1:1234", map[string]string{"X-Forwarded-For": "203.0.113.9, nonsense"}, "10.0.0.1"},
		{"XFF with port", "10.0.0.1:1234", map[string]string{"X-Forwarded-For": "203.0.113.9:5555"}, "203.0.113.9"},
		{"Forwarded preferred", "10.0.0.1:1234", map[string]string{"Forwarded": "for=192.0.2.60;proto=http;by=203.0.113.43", "X-Forwarded-For": "6.6.6.6"}, "192.0.2.60"},
		{"Forwarded IPv6 quoted with port", "10.0.0.1:1234", map[string]string{"Forwarded": `for="[2001:db8:cafe::17]:4711"`}, "2001:db8:cafe::17"},
		{"Forwarded list", "10.0.0.1:1234", map[string]string{"Forwarded": `for=6.6.6.6, for=192.0.2.61;proto=https, for=10.9.9.9`}, "192.0.2.61"},
		{"Forwarded unknown", "10.0.0.1:1234", map[string]string{"Forwarded": `for=unknown`}, "10.0.0.1"},
		{"Forwarded obfuscated", "10.0.0.1:1234", map[string]string{"Forwarded": `for=_hidden, for=10.9.9.9`}, "10.9.9.9"},
		{"IPv6 trusted peer", "[2001:db8:ffff:1::1]:443", map[string]string{"X-Forwarded-For": "2001:db8:1:2::5"}, "2001:db8:1:2::5"},
		{"IPv4-mapped peer", "[::ffff:198.51.100.7]:443", nil, "198.51.100.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/query", nil)
			r.RemoteAddr = tc.peer
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			assert.Equal(t, tc.want, clientAddress(r, trusted))
		})
	}
}

// TestClientKey: IPv4 addresses are themselves, IPv6 addresses their /64.
func TestClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"198.51.100.7":         "198.51.100.7",
		"::ffff:198.51.100.7":  "198.51.100.7",
		"2001:db8:1:2::1":      "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::9": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":      "2001:db8:1:3::/64",
		"fe80::1%eth0":         "fe80::/64",
		"not an address":       "not an address",
	} {
		assert.Equal(t, want, viewer.ClientKey(in), in)
	}
}
