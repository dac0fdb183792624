// Package gqlext holds gqlgen handler extensions that protect the GraphQL endpoint by
// refusing operations before any resolver runs:
//
//   - [Limits] caps nesting depth, aliases and root fields, which bound the work an operation
//     can ask for regardless of pagination (depth bombs, alias bombs).
//   - [Cost] computes a GitHub-style cost from first/last arguments, refuses operations above
//     a maximum, and records the cost ([CostOf]) so a rate limiter can charge it.
//   - [Allowlist] accepts only operations registered in a manifest, for deployments whose
//     only clients are our own builds.
//
// All refusals are *gqlerror.Error values with extensions.code set to one of the Code*
// constants. This package registers those codes with gqlgen's errcode package as protocol
// errors (at init), so gqlgen's HTTP transports answer them like validation errors (see internal/httpserver/transport.go).
//
// Wiring (order matters for the parameter mutators):
//
//	srv.Use(gqlext.Allowlist{Enabled: cfg.AllowlistOnly, Manifest: manifest}) // before APQ
//	srv.Use(extension.AutomaticPersistedQuery{Cache: apqCache})
//	srv.Use(gqlext.Limits{MaxDepth: 15, MaxAliases: 30, MaxRootFields: 20}) // 15: see Limits
//	srv.Use(gqlext.Cost{Max: 50_000})
//	// a rate limiter that runs after Cost can read gqlext.CostOf(ctx)
//
// The walks expand fragment spreads and inline fragments. They assume the document has been
// validated (gqlgen validates before calling OperationContextMutators); a fragment cycle,
// which validation rejects, is cut rather than followed forever. Counts use saturating
// arithmetic capped at [Saturated], so a fragment graph built to overflow cannot wrap around.
package gqlext
