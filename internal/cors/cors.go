// Package cors lets browser applications on other origins call the API, and only those
// listed. Origins are matched exactly; there are no patterns, because a pattern such as
// "*.example.com" is the usual way a CORS policy ends up trusting a host nobody controls.
//
// The middleware never sends Access-Control-Allow-Credentials, so browsers do not attach
// cookies or HTTP auth to cross-origin calls; clients authenticate with an explicit
// Authorization header, which a hostile page cannot supply on a user's behalf.
package cors

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Header values the middleware sends.
const (
	// AllowMethods are the methods the GraphQL endpoint serves.
	AllowMethods = "GET, POST, OPTIONS"
	// AllowHeaders are always allowed in requests.
	AllowHeaders = "Authorization, Content-Type, X-Request-Id"
	// ExposeHeaders lets browser code read the rate-limit headers and the request id, which
	// it needs to back off and to report problems.
	ExposeHeaders = "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-RateLimit-Cost, X-Request-Id"
	// MaxAge lets browsers cache a preflight answer for ten minutes.
	MaxAge = "600"
)

// optionalHeaders are further request headers allowed when a preflight asks for them, in
// the spelling they are answered with. GraphQL clients (Apollo's among them) send these.
var optionalHeaders = []string{
	"Accept",
	"Accept-Language",
	"Content-Language",
	"Apollo-Require-Preflight",
	"X-Apollo-Operation-Name",
}

// Middleware answers CORS for the origins in allowed: each an exact origin such as
// "https://app.careergraph.example" (scheme, host and port; a trailing slash is ignored), or
// "*" for any origin.
//
// "*" is unsafe for anything that relies on ambient credentials: combined with cookies or
// Access-Control-Allow-Credentials it would let any web site act as the visiting user. It
// is tolerable here only because this middleware never allows credentials; prefer listing
// origins. "null" (sent by sandboxed frames and file: pages) is never matched by name.
//
// For an allowed origin, a preflight (OPTIONS with Access-Control-Request-Method) is answered
// 204 with AllowMethods, AllowHeaders plus whichever optional headers the preflight asked
// for, and MaxAge, without calling the next handler; other requests get
// Access-Control-Allow-Origin and ExposeHeaders and go on to the next handler. A disallowed
// origin gets no CORS headers: its preflight is refused with 403 and its other requests are
// served without CORS headers, so the browser keeps the response from the calling page.
// Every response carries Vary: Origin, so shared caches do not hand one origin's answer to
// another.
func Middleware(allowed []string) func(http.Handler) http.Handler {
	anyOrigin := false
	origins := map[string]bool{}
	for _, o := range allowed {
		o = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(o), "/"))
		switch o {
		case "*":
			anyOrigin = true
		case "", "null":
		default:
			origins[o] = true
		}
	}

	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Add("Vary", "Origin")
			preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
			if preflight {
				h.Add("Vary", "Access-Control-Request-Method")
				h.Add("Vary", "Access-Control-Request-Headers")
			}

			origin := r.Header.Get("Origin")
			if origin == "" {
				// Not a cross-origin browser request.
				next.ServeHTTP(w, r)
				return
			}
			if !anyOrigin && !origins[origin] {
				if preflight {
					w.WriteHeader(http.StatusForbidden)
					return
				}
				next.ServeHTTP(w, r)
				return
			}

			if anyOrigin {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
			}
			if preflight {
				h.Set("Access-Control-Allow-Methods", AllowMethods)
				h.Set("Access-Control-Allow-Headers", allowHeaders(r.Header.Values("Access-Control-Request-Headers")))
				h.Set("Access-Control-Max-Age", MaxAge)
				w.WriteHeader(http.StatusNoContent)
				return
			}
			h.Set("Access-Control-Expose-Headers", ExposeHeaders)
			next.ServeHTTP(w, r)
		})
	}
}

// allowHeaders returns AllowHeaders plus the optional headers requested, in the order of
// optionalHeaders. Requested headers outside both lists are left out, so the browser refuses
// to send them.
func allowHeaders(requested []string) string {
	asked := map[string]bool{}
	for _, line := range requested {
		for _, name := range strings.Split(line, ",") {
			asked[strings.ToLower(strings.TrimSpace(name))] = true
		}
	}
	out := AllowHeaders
	for _, name := range optionalHeaders {
		if asked[strings.ToLower(name)] {
			out += ", " + name
		}
	}
	return out
}

// ValidateOrigins checks a configured origin list, so that a typo such as a missing scheme
// or a path fails at start instead of silently blocking a front end.
func ValidateOrigins(allowed []string) error {
	for _, o := range allowed {
		o = strings.TrimSuffix(strings.TrimSpace(o), "/")
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(o, "?") {
			return fmt.Errorf("cors: %q is not an origin: write scheme://host[:port], such as https://app.example.com, or *", o)
		}
	}
	return nil
}
