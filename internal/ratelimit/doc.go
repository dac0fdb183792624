// Package ratelimit keeps a cost budget per key per fixed window, the way GitHub's GraphQL API
// does: each request is charged its computed cost (see internal/gqlext.CostOf) against a
// budget of points that refills all at once when the window ends.
//
// Rules shared by every Store:
//   - A request is allowed only if its whole cost fits in what is left. A refused request
//     consumes nothing, so a client that asks for too much can still make cheaper requests.
//   - A cost greater than the limit is always refused: it could never fit.
//   - A cost of 0 only reads the state; it is always allowed and starts no window.
//   - The window starts at the first charged request for a key and lasts window; ResetAt says
//     when it ends (for a key with no open window, it is now + window).
//
// Memory keeps the budgets in process, for a single replica and for tests. Redis keeps them
// in Redis with an atomic Lua script, so that any number of stateless replicas share one
// budget per key.
package ratelimit
