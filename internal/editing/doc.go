// Package editing holds the rules of the editing API that ent's field validators cannot
// express: cross-field ranges (min <= max), known currencies, unique names answered as input
// errors, skill groups nesting one level, and dense ordering of a role's items (positions
// 0..n-1) and core skills (ranks 1..n).
//
// Checks return *apperr.Error with code BAD_USER_INPUT and Field naming the input field as the
// client sent it ("input.experienceMaxYears"). Resolvers run them against the entity as it is
// after the change, inside the mutation's transaction, so a failed check rolls the whole
// mutation back and nothing changes.
package editing
