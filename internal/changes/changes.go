// Package changes defines the shape of one changed field in the audit log. It depends on
// nothing, so that the ent schema (which stores a list of these as JSON) and the audit hook
// can both use it.
package changes

// Change is one field a mutation changed. Old and New are the values encoded as JSON text;
// they are nil when unknown (old values of bulk updates) or withheld (secrets such as
// password and token hashes, whose values are never recorded).
type Change struct {
	Field string  `json:"field"`
	Old   *string `json:"old,omitempty"`
	New   *string `json:"new,omitempty"`
}
