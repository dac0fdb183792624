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

// preferredOf returns the IDs among a posting's skills that it asks for only as preferred:
// those its description names only in "Nice to have" places (extract.Preferred), unless its
// skills property or its title names them, which make a skill essential. Every other skill is
// essential, the links' default.
// It runs where the rest of a posting is prepared (prepare: on every CPU), not in the
// chunk's transaction.
// pref is what extract.Preferred says of the title and description.
func (im *Importer) preferredOf(d *Draft, skills []*ent.Skill, pref map[int]bool) []int {
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
	for _, s := range skills {
		if pref[s.ID] {
			out = append(out, s.ID)
		}
	}
	return out
}

// markPreferred gives the links ent wrote for a batch's openings their essential flag, after
// the batch wrote them (as essential, the column's default) and before it commits. (The COPY
// path writes the flag with the links: copySkillLinks.) Two statements for the batch, both on indexes: the openings' ids by
// (source, external id), so that it works however the links were written, then the links by
// primary key (opening, skill). Links already preferred are left alone, so a re-import of
// unchanged postings writes nothing. (One statement matching the links through their
// openings' external ids read every essential link of the table for each chunk: its time grew
// with the table, 14 s a chunk at 170,000 links.)
func (im *Importer) markPreferred(ctx context.Context, c *ent.Client, rows []row) error {
	prefs := map[string][]int{}
	for _, r := range rows {
		if pref := r.preferred; len(pref) > 0 {
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
