package httpserver

import "net/http"

// APIContentSecurityPolicy is the policy of every response but the playground page: the API
// answers JSON and plain text, which load nothing and must never be framed.
const APIContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries, whatever answers it (the API, the
// playground, the probes, errors from any middleware, 404s): no MIME sniffing, no referrer
// sent to other sites, no framing (X-Frame-Options for old browsers, frame-ancestors for the
// rest), and the API's Content-Security-Policy. They are set before the request goes on, so a
// handler may replace one: the playground page sets its own policy (playground.ContentSecurityPolicy).
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", APIContentSecurityPolicy)
		next.ServeHTTP(w, r)
	})
}
