// Package editing holds the rules of the editing API, one function per mutation
// (CreateRole, UpdateRoleItem, DeleteRole, ReorderRoleSkills, …): uniqueness answered as input
// errors, references that must name a node of the right type (CheckRefs), in-use checks
// before deletes, cascades, cross-field ranges (min <= max), known currencies, skill groups
// nesting one level, and dense ordering of a role's items (positions 0..n-1) and core skills
// (ranks 1..n). GraphQL resolvers are one call into it; it is tested without HTTP.
//
// Every operation takes the client to write through: the mutation's transaction when called
// from a resolver (entgql.Transactioner). Checks return *apperr.Error with code BAD_USER_INPUT
// (NOT_FOUND for a missing parent) and Field naming the input field as the client sent it
// ("input.experienceMaxYears"); checks of the entity as saved run inside the transaction, so a
// failed check rolls the whole mutation back and nothing changes.
//
// What the operations do not do by hand: derived data (search documents, skill counts,
// updated_at) is kept by internal/search.Hook, and the audit trail by internal/audit.Hook,
// for every write including bulk ones. Renumbering is the exception the audit hook cannot see
// as it happens (rows are parked out of the way first): Items.Set and CoreSkills.Set record
// each row's old and new place themselves.
package editing
