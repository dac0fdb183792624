package search

import (
	"context"
	"fmt"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
)

// Reindex recomputes the derived fields of openings from what they link to: search_text
// (Document) and skill_count; the write moves updated_at, so the match index catches up too.
// Hook calls it, in the mutation's transaction, for every change that makes a document stale;
// nothing else needs to. Bulk loaders that know the names compute both inline instead.
func Reindex(ctx context.Context, client *ent.Client, ids ...int) error {
	if len(ids) == 0 {
		return nil
	}
	os, err := client.Opening.Query().Where(opening.IDIn(ids...)).
		WithCompany().WithLocation().WithSkills(func(q *ent.SkillQuery) { q.WithMembers() }).All(ctx)
	if err != nil {
		return fmt.Errorf("search: reindex: %w", err)
	}
	for _, o := range os {
		names := make([][]string, len(o.Edges.Skills))
		for i, s := range o.Edges.Skills {
			members := make([][]string, len(s.Edges.Members))
			for j, m := range s.Edges.Members {
				members[j] = SkillWords(m.Name, m.Synonyms)
			}
			names[i] = SkillWords(s.Name, s.Synonyms, members...)
		}
		company, city := "", ""
		if o.Edges.Company != nil {
			company = o.Edges.Company.Name
		}
		if o.Edges.Location != nil {
			city = o.Edges.Location.City
		}
		doc := Document(o.Title, company, city, o.Description, names)
		if err := client.Opening.UpdateOneID(o.ID).SetSearchText(doc).SetSkillCount(len(o.Edges.Skills)).Exec(ctx); err != nil {
			return fmt.Errorf("search: reindex opening %d: %w", o.ID, err)
		}
	}
	return nil
}
