// Package rejects holds the record of a rejected import record, shared by the importer and
// the ImportRun entity (which cannot import the importer: the importer imports ent).
package rejects

// Reject is a record that an import did not take.
type Reject struct {
	Document string `json:"document"`
	Position string `json:"position"`
	Reason   string `json:"reason"`
}
