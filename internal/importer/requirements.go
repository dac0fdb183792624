package importer

import (
	"context"
	"maps"
	"slices"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/openingskill"
	"github.com/careergraph/careergraph/ent/predicate"
)

// preferred returns the IDs among a row's skills that the posting asks for only as preferred:
// those its description names only in "Nice to have" places (extract.Preferred), unless its
// skills property or its title names them, which make a skill essential. Every other skill is
// essential, the links' default.
func (im *Importer) preferred(r row) []int {
	d := r.p.d
	pref := im.extract.Preferred(d.Description)
	if len(pref) == 0 {
		return nil
	}
	for _, n := range d.SkillNames {
		if s := im.vocab.Find(n); s != nil {
			delete(pref, s.ID)
			continue
		}
		for _, s := range im.extract.Skills(n) {
			delete(pref, s.ID)
		}
	}
	for _, s := range im.extract.Skills(d.Title) {
		delete(pref, s.ID)
	}
	var out []int
	for _, s := range r.skills {
		if pref[s.ID] {
			out = append(out, s.ID)
		}
	}
	return out
}

// markPreferred gives the links of a batch's openings their essential flag, after the batch
// wrote them (as essential, the column's default) and before it commits: the one place the
// importer sets the flag. Two statements for the batch, both on indexes: the openings' ids by
// (source, external id), so that it works however the links were written, then the links by
// primary key (opening, skill). Links already preferred are left alone, so a re-import of
// unchanged postings writes nothing. (One statement matching the links through their
// openings' external ids read every essential link of the table for each chunk: its time grew
// with the table, 14 s a chunk at 170,000 links.)
func (im *Importer) markPreferred(ctx context.Context, c *ent.Client, rows []row) error {
	prefs := map[string][]int{}
	for _, r := range rows {
		if pref := im.preferred(r); len(pref) > 0 {
			prefs[r.p.d.ExternalID] = pref
		}
	}
	if len(prefs) == 0 {
		return nil
	}
	var ids []struct {
		ID         int    `json:"id"`
		ExternalID string `json:"external_id"`
	}
	if err := c.Opening.Query().Where(opening.Source(im.source), opening.ExternalIDIn(slices.Collect(maps.Keys(prefs))...)).
		Select(opening.FieldID, opening.FieldExternalID).Scan(ctx, &ids); err != nil {
		return err
	}
	anyOf := make([]predicate.OpeningSkill, 0, len(ids))
	for _, o := range ids {
		anyOf = append(anyOf, openingskill.And(openingskill.OpeningID(o.ID), openingskill.SkillIDIn(prefs[o.ExternalID]...)))
	}
	if len(anyOf) == 0 {
		return nil
	}
	return c.OpeningSkill.Update().Where(openingskill.Essential(true), openingskill.Or(anyOf...)).
		SetEssential(false).Exec(ctx)
}
