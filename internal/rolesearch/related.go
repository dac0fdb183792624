package rolesearch

import (
	"context"
	"slices"
	"strings"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/careerroute"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/roleskill"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/apperr"
)

// Related is a role related to another, with why.
type Related struct {
	Role  *ent.Role
	Score int
	// SharedSkills are the first role's core skills (in its rank order) that share a skill
	// with the related role's core skills.
	SharedSkills []*ent.Skill
	// Route is a career route between the two roles (out of the first role before into it),
	// nil when there is none.
	Route *ent.CareerRoute
}

// Points of the related-roles score.
const (
	// SkillPoints weigh the share of the role's core skills the other role also ranks.
	SkillPoints = 70
	// RoutePoints are given when a career route leads from one role to the other, either way.
	RoutePoints = 30
	// MaxRelated caps relatedRoles' first.
	MaxRelated = 50
)

// RelatedRoles ranks the roles related to roleID, best first, up to first. The score (0 to
// 100) is
//
//	SkillPoints × |shared| / |skills of the role|  +  RoutePoints if a career route joins them
//
// rounded to the nearest whole point, where a role's skills are its core skills with each
// group counted as its members ("Node.js / Java / Python" is Node.js, Java and Python, so a
// role ranking Java shares one of its three) and shared are those the other role's core
// skills have too. Roles scoring 0 are left out; ties go to more shared skills, then title.
// It costs five statements whatever the number of roles (RelatedRolesMany).
func RelatedRoles(ctx context.Context, client *ent.Client, roleID, first int) ([]*Related, error) {
	m, err := RelatedRolesMany(ctx, client, []int{roleID}, first)
	if err != nil {
		return nil, err
	}
	return m[roleID], nil
}

// RelatedRolesMany is RelatedRoles for each of roleIDs, in five statements whatever their
// number: the routes touching them, every role's core skills, their skills, the groups'
// members, and the related roles.
func RelatedRolesMany(ctx context.Context, client *ent.Client, roleIDs []int, first int) (map[int][]*Related, error) {
	if first < 0 || first > MaxRelated {
		return nil, apperr.BadInput("first", "first: %d is out of range: ask for 0 to %d roles", first, MaxRelated)
	}
	out := make(map[int][]*Related, len(roleIDs))
	for _, id := range roleIDs {
		out[id] = []*Related{}
	}
	if first == 0 || len(roleIDs) == 0 {
		return out, nil
	}
	routes, err := client.CareerRoute.Query().
		Where(careerroute.Or(careerroute.FromRoleIDIn(roleIDs...), careerroute.ToRoleIDIn(roleIDs...))).
		Order(ent.Asc(careerroute.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	links, err := client.RoleSkill.Query().Order(ent.Asc(roleskill.FieldRoleID), ent.Asc(roleskill.FieldRank)).
		WithSkill(func(q *ent.SkillQuery) { q.WithMembers(func(q *ent.SkillQuery) { q.Select(skill.FieldID) }) }).All(ctx)
	if err != nil {
		return nil, err
	}
	atoms := map[int]map[int]bool{} // role -> skill atoms
	own := map[int][]*ent.Skill{}   // role -> its core skills in rank order
	for _, l := range links {
		set := atoms[l.RoleID]
		if set == nil {
			set = map[int]bool{}
			atoms[l.RoleID] = set
		}
		for _, a := range atomsOf(l.Edges.Skill) {
			set[a] = true
		}
		own[l.RoleID] = append(own[l.RoleID], l.Edges.Skill)
	}
	type cand struct {
		id, shared int
		score      float64
		route      *ent.CareerRoute
	}
	cands := map[int]map[int]*cand{} // role -> related role -> candidate
	var related []int
	for _, roleID := range roleIDs {
		byID := map[int]*cand{}
		cands[roleID] = byID
		get := func(id int) *cand {
			if byID[id] == nil {
				byID[id] = &cand{id: id}
				related = append(related, id)
			}
			return byID[id]
		}
		mine := atoms[roleID]
		if len(mine) > 0 {
			for rid, set := range atoms {
				if rid == roleID {
					continue
				}
				n := 0
				for a := range set {
					if mine[a] {
						n++
					}
				}
				if n > 0 {
					c := get(rid)
					c.shared = n
					c.score += float64(SkillPoints*n) / float64(len(mine))
				}
			}
		}
		for _, rt := range routes {
			if rt.FromRoleID != roleID && rt.ToRoleID != roleID {
				continue
			}
			other := rt.ToRoleID
			if other == roleID {
				other = rt.FromRoleID
			}
			if other == roleID {
				continue
			}
			if c := get(other); c.route == nil {
				c.route = rt
				c.score += RoutePoints
			}
		}
	}
	if len(related) == 0 {
		return out, nil
	}
	slices.Sort(related)
	roles, err := client.Role.Query().Where(role.IDIn(slices.Compact(related)...)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, roleID := range roleIDs {
		byID := cands[roleID]
		list := make([]*Related, 0, len(byID))
		for _, r := range roles {
			c := byID[r.ID]
			if c == nil {
				continue
			}
			rel := &Related{Role: r, Score: int(c.score + 0.5), Route: c.route, SharedSkills: []*ent.Skill{}}
			if other := atoms[r.ID]; other != nil {
				for _, s := range own[roleID] {
					if slices.ContainsFunc(atomsOf(s), func(a int) bool { return other[a] }) {
						rel.SharedSkills = append(rel.SharedSkills, s)
					}
				}
			}
			list = append(list, rel)
		}
		slices.SortFunc(list, func(a, b *Related) int {
			switch {
			case a.Score != b.Score:
				return b.Score - a.Score
			case byID[a.Role.ID].shared != byID[b.Role.ID].shared:
				return byID[b.Role.ID].shared - byID[a.Role.ID].shared
			}
			return strings.Compare(a.Role.Title, b.Role.Title)
		})
		out[roleID] = list[:min(first, len(list))]
	}
	return out, nil
}

// atomsOf is a core skill as plain skills: a group's members, else the skill itself.
func atomsOf(s *ent.Skill) []int {
	if s == nil {
		return nil
	}
	if len(s.Edges.Members) == 0 {
		return []int{s.ID}
	}
	out := make([]int, len(s.Edges.Members))
	for i, m := range s.Edges.Members {
		out[i] = m.ID
	}
	return out
}
