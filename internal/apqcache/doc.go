// Package apqcache stores automatic persisted queries (APQ) in Redis, implementing
// graphql.Cache[string] for gqlgen's extension.AutomaticPersistedQuery.
//
// With APQ a client sends only a query's SHA-256; the full text is sent once, when the
// server does not know the hash yet. Keeping the hash-to-query map in Redis instead of in
// each process means a query registered through one replica is known to all of them, so
// clients do not pay the extra round trip again after every deploy or load-balancer hop.
//
// Redis failures never fail a request: Get reports a miss (the client then resends the full
// query) and Add drops the entry, and for a second after an error Redis is not asked at all
// (an outage costs no round trip per request). Pass OnError to log them.
package apqcache
