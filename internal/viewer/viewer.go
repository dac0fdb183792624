// Package viewer carries who is making a request through its context: the signed-in user and
// token (none for an anonymous reader), the client address and the request id. The HTTP
// layer (internal/httpserver) puts it there; resolvers, the @hasRole directive, the audit
// hook and the rate limiter read it. It depends on nothing so that all of them can.
package viewer

import (
	"context"
	"net/netip"
	"strconv"
)

// Roles, as the User.role enum spells them.
const (
	RoleAdmin  = "ADMIN"
	RoleEditor = "EDITOR"
)

// Viewer is who is asking.
type Viewer struct {
	// UserID is the signed-in user's id; 0 for an anonymous reader.
	UserID int
	// Role is RoleAdmin or RoleEditor for a signed-in user, "" otherwise.
	Role string
	// TokenID is the id of the bearer token the request carries; 0 when anonymous.
	TokenID int
	// IP is the client's address: the TCP peer, or what a trusted proxy says the client is
	// (TRUSTED_PROXIES; see internal/httpserver's clientAddress).
	IP string
	// RequestID is the server-generated id in the access log and the X-Request-Id response
	// header.
	RequestID string
	// ClientRequestID is the X-Request-Id the client sent, if any (bounded in length by the
	// HTTP layer); kept beside RequestID, never instead of it, since clients choose it.
	ClientRequestID string
}

// SignedIn reports whether the request carries a valid token.
func (v Viewer) SignedIn() bool { return v.UserID != 0 }

// Has reports whether the viewer holds at least role: ADMIN satisfies EDITOR.
func (v Viewer) Has(role string) bool {
	switch v.Role {
	case RoleAdmin:
		return true
	case RoleEditor:
		return role == RoleEditor
	}
	return false
}

// RateKey is the key the viewer's request budget is kept under: the token for a signed-in
// client, the address for an anonymous one.
func (v Viewer) RateKey() string {
	if v.TokenID != 0 {
		return "token:" + strconv.Itoa(v.TokenID)
	}
	return "ip:" + v.ClientKey()
}

// ClientKey is the viewer's address as budgets and throttles count it: see ClientKey.
func (v Viewer) ClientKey() string { return ClientKey(v.IP) }

// ClientKey is the one key under which a client address is counted, by the rate limiter, the
// login throttle and the access log alike. An IPv4 address is itself. An IPv6 address is its
// /64 network ("2001:db8:1:2::/64"): a single subscriber is usually given a whole /64 and can
// pick any of its 2^64 addresses, so per-address budgets would be no limit at all. An
// IPv4-mapped IPv6 address counts as the IPv4 address. Anything unparseable (a test's
// RemoteAddr, say) is used as it is.
func ClientKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return a.String()
	}
	return p.String()
}

type key struct{}

// With returns ctx carrying v.
func With(ctx context.Context, v Viewer) context.Context { return context.WithValue(ctx, key{}, v) }

// From returns the viewer in ctx; the zero Viewer (anonymous) when there is none.
func From(ctx context.Context) Viewer {
	v, _ := ctx.Value(key{}).(Viewer)
	return v
}
