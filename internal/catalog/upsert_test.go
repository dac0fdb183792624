package catalog_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/company"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/catalog"
	"github.com/careergraph/careergraph/internal/testenv"
	"github.com/careergraph/careergraph/internal/txretry"
)

// TestEnsureIsIdempotentAndLeavesRowsAlone: a second run creates nothing, returns the same
// ids, and an existing row keeps its edited fields.
func TestEnsureIsIdempotentAndLeavesRowsAlone(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		c := testenv.New(t, b).DB.Client
		edited := c.Company.Create().SetSlug("acme").SetName("ACME (edited)").SaveX(ctx)
		in := []catalog.Company{{Slug: "zeta", Name: "Zeta", Source: "import:test"}, {Slug: "acme", Name: "Acme"}, {Slug: "beta", Name: "Beta"}, {Slug: "zeta", Name: "Zeta again"}}
		first, err := catalog.EnsureCompanies(ctx, c, in)
		require.NoError(t, err)
		second, err := catalog.EnsureCompanies(ctx, c, in)
		require.NoError(t, err)
		assert.Equal(t, first, second)
		assert.Len(t, first, 3)
		assert.Equal(t, edited.ID, first["acme"])
		assert.Equal(t, 3, c.Company.Query().CountX(ctx))
		assert.Equal(t, "ACME (edited)", c.Company.GetX(ctx, edited.ID).Name)
		assert.Equal(t, "import:test", c.Company.Query().Where(company.Slug("zeta")).OnlyX(ctx).Source)

		c.Skill.Create().SetSlug("golang").SetName("Go").SetCategory(skill.CategoryLANGUAGE).SaveX(ctx)
		ids, err := catalog.EnsureSkills(ctx, c, []catalog.Skill{{Slug: "go", Name: "Go", Category: skill.CategoryLANGUAGE}, {Slug: "rust", Name: "Rust", Category: skill.CategoryLANGUAGE}})
		require.NoError(t, err)
		assert.Equal(t, c.Skill.Query().Where(skill.Slug("golang")).OnlyIDX(ctx), ids["go"], "a name another slug has maps to that skill")
		assert.Equal(t, 2, c.Skill.Query().CountX(ctx))

		locs, err := catalog.EnsureLocations(ctx, c, []catalog.Location{{Slug: "pune", City: "Pune", CountryCode: "IN"}})
		require.NoError(t, err)
		assert.NotZero(t, locs["pune"])
	})
}

// TestConcurrentImportsNeitherDuplicateNorDeadlock: eight imports of overlapping sets in
// shuffled order, each in its own transaction, at once.
func TestConcurrentImportsNeitherDuplicateNorDeadlock(t *testing.T) {
	testenv.Each(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		c := testenv.New(t, b).DB.Client
		const importers, names = 8, 40
		results := make([]map[string]int, importers)
		errs := make([]error, importers)
		var wg sync.WaitGroup
		for w := range importers {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(w), 1))
				var cs []catalog.Company
				for _, i := range r.Perm(names)[:names*3/4] {
					cs = append(cs, catalog.Company{Slug: fmt.Sprintf("co-%02d", i), Name: fmt.Sprintf("Co %d", i)})
				}
				errs[w] = txretry.Do(ctx, txretry.DefaultPolicy, func(ctx context.Context) error {
					tx, err := c.Tx(ctx)
					if err != nil {
						return err
					}
					ids, err := catalog.EnsureCompanies(ctx, tx.Client(), cs)
					if err != nil {
						_ = tx.Rollback()
						return err
					}
					results[w] = ids
					return tx.Commit()
				})
			})
		}
		wg.Wait()
		for w, err := range errs {
			require.NoError(t, err, "importer %d", w)
		}
		all := map[string]int{}
		for _, ids := range results {
			for s, id := range ids {
				if prev, ok := all[s]; ok {
					assert.Equal(t, prev, id, "every import sees one id for %s", s)
				}
				all[s] = id
			}
		}
		n := c.Company.Query().CountX(ctx)
		assert.Equal(t, len(all), n, "one row per slug")
		var dups []struct {
			Slug  string `json:"slug"`
			Count int    `json:"count"`
		}
		require.NoError(t, c.Company.Query().GroupBy(company.FieldSlug).Aggregate(ent.Count()).Scan(ctx, &dups))
		for _, d := range dups {
			assert.Equal(t, 1, d.Count, d.Slug)
		}
	})
}
