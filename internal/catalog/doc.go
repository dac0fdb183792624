// Package catalog keeps the shared reference rows that imports and editors both touch:
// companies, locations and skills, each known by its unique slug. The Ensure functions create
// the ones missing, in bulk, with INSERT … ON CONFLICT DO NOTHING (ent's upsert API), and
// return the ids of all of them, so that many imports and editors can run at once without
// duplicates and without deadlocks:
//
//   - Rows are inserted sorted by slug, tables in a fixed order (companies, locations, skills:
//     call them in that order), so two imports that overlap take the unique-index entries
//     in the same order and wait for each other instead of deadlocking.
//   - An existing row is never changed by an import: editors own names, sizes, websites and
//     synonyms, and an import running beside an editor must not overwrite the edit (no
//     "DO UPDATE"). An import that learns better data for an existing row should say so
//     through the editing API, under its version precondition.
//
// Run them inside the import's transaction and run that with txretry.Do, which repeats it
// when PostgreSQL still reports a deadlock or serialization failure.
package catalog
