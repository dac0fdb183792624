// Package migrations holds the versioned schema migrations, one Atlas directory per dialect
// (postgres/, sqlite/, each with its atlas.sum), embedded so that the binary applies exactly the
// files it was built with. `careergraph migrate diff NAME` writes new files from the ent schema;
// hand-written files (the full-text index) live beside them, and `careergraph migrate hash`
// updates atlas.sum after editing one. See internal/migrate and README "Schema migrations".
package migrations

import "embed"

// FS holds postgres/*.sql, sqlite/*.sql and each directory's atlas.sum.
//
//go:embed postgres sqlite
var FS embed.FS
