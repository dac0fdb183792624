package httpserver

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddress returns the address of the client that sent r. It is the TCP peer, unless
// the peer is one of the trusted proxies (TRUSTED_PROXIES): then the proxies' own record of
// the hops is believed, read from the right (the hop nearest to us) leftwards, and the first
// address that is not itself a trusted proxy is the client. Everything left of it was written
// by the client and could be anything, so it is never read. Forwarded (RFC 7239) is used when
// present, else X-Forwarded-For. When the chain runs out or holds a value that is not an
// address (RFC 7239's "unknown" or an obfuscated name), the last trusted hop is the client:
// it is counted as one client rather than letting the request choose its own budget.
func clientAddress(r *http.Request, trusted []netip.Prefix) string {
	peer := peerAddr(r.RemoteAddr)
	if !peer.IsValid() {
		return r.RemoteAddr
	}
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	var hops []string
	if fw := r.Header.Values("Forwarded"); len(fw) > 0 {
		hops = forwardedFor(fw)
	} else {
		for _, h := range r.Header.Values("X-Forwarded-For") {
			for _, part := range strings.Split(h, ",") {
				hops = append(hops, strings.TrimSpace(part))
			}
		}
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a := hopAddr(hops[i])
		if !a.IsValid() {
			break
		}
		client = a
		if !isTrusted(a, trusted) {
			break
		}
	}
	return client.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerAddr parses a RemoteAddr ("1.2.3.4:5678", "[::1]:5678").
func peerAddr(remote string) netip.Addr {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return ap.Addr().Unmap()
	}
	if host, _, err := net.SplitHostPort(remote); err == nil {
		remote = host
	}
	a, err := netip.ParseAddr(remote)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// hopAddr parses one hop as X-Forwarded-For or Forwarded's for= write it: an address, maybe
// with a port, IPv6 maybe in brackets. The zero Addr means it is not an address.
func hopAddr(s string) netip.Addr {
	s = strings.Trim(strings.TrimSpace(s), `"`)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone("").Unmap()
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").Unmap()
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil {
			return a.WithZone("").Unmap()
		}
	}
	return netip.Addr{}
}

// forwardedFor returns the for= value of each element of Forwarded headers, in order; an
// element without for= contributes "" (not an address), so the chain stops there.
func forwardedFor(headers []string) []string {
	var out []string
	for _, h := range headers {
		for _, elem := range splitQuoted(h, ',') {
			if strings.TrimSpace(elem) == "" {
				continue
			}
			val := ""
			for _, pair := range splitQuoted(elem, ';') {
				k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "for") {
					val = strings.TrimSpace(v)
				}
			}
			out = append(out, val)
		}
	}
	return out
}

// splitQuoted splits s at sep outside double quotes (a quoted IPv6 "[2001:db8::1]:80" holds
// no separators, but a quoted string may).
func splitQuoted(s string, sep byte) []string {
	var parts []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && inQuote:
			i++
		case s[i] == '"':
			inQuote = !inQuote
		case s[i] == sep && !inQuote:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}
