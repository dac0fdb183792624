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

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/company"
	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/skill"
)

// batch bounds the rows per INSERT or SELECT: well under SQLite's and PostgreSQL's limits on
// bound parameters.
const batch = 500

// Company is what an import knows of a company.
type Company struct {
	Slug, Name string
	// Source is the provenance of a created row, such as "import:<feed>"; empty means manual.
	Source string
}

// Location is what an import knows of a city.
type Location struct {
	Slug, City, Region, CountryCode string
	Source                          string
}

// Skill is what an import knows of a skill.
type Skill struct {
	Slug, Name string
	Category   skill.Category
	Source     string
}

// EnsureCompanies creates the companies whose slugs are missing and returns the id of every
// slug given. Existing companies are left exactly as they are.
func EnsureCompanies(ctx context.Context, c *ent.Client, cs []Company) (map[string]int, error) {
	cs = sortedUnique(cs, func(x Company) string { return x.Slug })
	for part := range slices.Chunk(cs, batch) {
		bs := make([]*ent.CompanyCreate, len(part))
		for i, x := range part {
			bs[i] = c.Company.Create().SetSlug(x.Slug).SetName(x.Name)
			if x.Source != "" {
				bs[i].SetSource(x.Source)
			}
		}
		if err := c.Company.CreateBulk(bs...).OnConflict().DoNothing().Exec(ctx); err != nil {
			return nil, fmt.Errorf("catalog: ensure companies: %w", err)
		}
	}
	want := slugs(cs, func(x Company) string { return x.Slug })
	out, err := ids(ctx, want, func(part []string) ([]*ent.Company, error) {
		return c.Company.Query().Where(company.SlugIn(part...)).Select(company.FieldID, company.FieldSlug).All(ctx)
	}, func(x *ent.Company) (string, int) { return x.Slug, x.ID })
	return complete(out, want, err)
}

// EnsureLocations creates the locations whose slugs are missing and returns the id of every
// slug given. Existing locations are left exactly as they are.
func EnsureLocations(ctx context.Context, c *ent.Client, ls []Location) (map[string]int, error) {
	ls = sortedUnique(ls, func(x Location) string { return x.Slug })
	for part := range slices.Chunk(ls, batch) {
		bs := make([]*ent.LocationCreate, len(part))
		for i, x := range part {
			bs[i] = c.Location.Create().SetSlug(x.Slug).SetCity(x.City).SetCountryCode(x.CountryCode)
			if x.Region != "" {
				bs[i].SetRegion(x.Region)
			}
			if x.Source != "" {
				bs[i].SetSource(x.Source)
			}
		}
		if err := c.Location.CreateBulk(bs...).OnConflict().DoNothing().Exec(ctx); err != nil {
			return nil, fmt.Errorf("catalog: ensure locations: %w", err)
		}
	}
	want := slugs(ls, func(x Location) string { return x.Slug })
	out, err := ids(ctx, want, func(part []string) ([]*ent.Location, error) {
		return c.Location.Query().Where(location.SlugIn(part...)).Select(location.FieldID, location.FieldSlug).All(ctx)
	}, func(x *ent.Location) (string, int) { return x.Slug, x.ID })
	return complete(out, want, err)
}

// EnsureSkills creates the skills whose slugs are missing and returns the id of every slug
// given. A skill whose name another slug already has is not created (names are unique too);
// its slug maps to that skill. Existing skills are left exactly as they are.
func EnsureSkills(ctx context.Context, c *ent.Client, ss []Skill) (map[string]int, error) {
	ss = sortedUnique(ss, func(x Skill) string { return x.Slug })
	for part := range slices.Chunk(ss, batch) {
		bs := make([]*ent.SkillCreate, len(part))
		for i, x := range part {
			bs[i] = c.Skill.Create().SetSlug(x.Slug).SetName(x.Name).SetCategory(x.Category)
			if x.Source != "" {
				bs[i].SetSource(x.Source)
			}
		}
		// No conflict target: a clash on either unique key (slug or name) is "exists".
		if err := c.Skill.CreateBulk(bs...).OnConflict().DoNothing().Exec(ctx); err != nil {
			return nil, fmt.Errorf("catalog: ensure skills: %w", err)
		}
	}
	out, err := ids(ctx, slugs(ss, func(x Skill) string { return x.Slug }), func(part []string) ([]*ent.Skill, error) {
		return c.Skill.Query().Where(skill.SlugIn(part...)).Select(skill.FieldID, skill.FieldSlug).All(ctx)
	}, func(x *ent.Skill) (string, int) { return x.Slug, x.ID })
	if err != nil {
		return nil, err
	}
	for _, x := range ss {
		if _, ok := out[x.Slug]; ok {
			continue
		}
		id, err := c.Skill.Query().Where(skill.Name(x.Name)).OnlyID(ctx)
		if err != nil {
			return nil, fmt.Errorf("catalog: skill %q: %w", x.Slug, err)
		}
		out[x.Slug] = id
	}
	return out, nil
}

// sortedUnique sorts xs by key and keeps the first of each key: the fixed insert order that
// keeps concurrent imports from deadlocking.
func sortedUnique[T any](xs []T, key func(T) string) []T {
	xs = slices.Clone(xs)
	slices.SortStableFunc(xs, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	return slices.CompactFunc(xs, func(a, b T) bool { return key(a) == key(b) })
}

func slugs[T any](xs []T, key func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = key(x)
	}
	return out
}

// ids reads the id of every slug, batch by batch.
func ids[T any](ctx context.Context, all []string, query func([]string) ([]T, error), pair func(T) (string, int)) (map[string]int, error) {
	out := make(map[string]int, len(all))
	for part := range slices.Chunk(all, batch) {
		rows, err := query(part)
		if err != nil {
			return nil, fmt.Errorf("catalog: read ids: %w", err)
		}
		for _, r := range rows {
			s, id := pair(r)
			out[s] = id
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// complete checks that every slug asked for has an id: an import must not go on with a
// reference it could not resolve.
func complete(out map[string]int, want []string, err error) (map[string]int, error) {
	if err != nil {
		return nil, err
	}
	for _, s := range want {
		if _, ok := out[s]; !ok {
			return nil, fmt.Errorf("catalog: %q was not found after the upsert", s)
		}
	}
	return out, nil
}
