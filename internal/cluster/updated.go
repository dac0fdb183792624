package cluster

import (
	"context"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/role"
)

// UpdatedAt is when any part of a role's cluster last changed: the latest updatedAt of the
// role itself, its responsibilities, requirements and FAQs, its core skills (the skills
// themselves: a renamed skill changes the page), its salary records, openings, interview
// questions and career routes either way.
//
// It is read, not stored: each part already keeps its own updated_at, so nothing can forget
// to move it. Creating, moving, reordering or deleting a role's items or core skills takes
// the role's lock (editing.LockRole), which updates the role row, and deleting an opening,
// salary record, interview question or route touches the role row (editing.TouchRoles), so
// those count too. It costs one statement, whatever the number of roles (UpdatedAtMany).
func UpdatedAt(ctx context.Context, client *ent.Client, r *ent.Role) (time.Time, error) {
	m, err := UpdatedAtMany(ctx, client, []*ent.Role{r})
	if err != nil {
		return time.Time{}, err
	}
	return m[r.ID], nil
}

// latestOf are the parts' latest updated_at, one correlated subquery each over the outer
// roles row (?? stands for its id column); each reads one row through an index
// (ORDER BY updated_at DESC LIMIT 1), as the six statements per role it replaces did.
var latestOf = []string{
	`SELECT updated_at FROM role_items WHERE role_id = ?? ORDER BY updated_at DESC LIMIT 1`,
	`SELECT s.updated_at FROM skills s JOIN role_skills rs ON rs.skill_id = s.id WHERE rs.role_id = ?? ORDER BY s.updated_at DESC LIMIT 1`,
	`SELECT updated_at FROM salary_records WHERE role_id = ?? ORDER BY updated_at DESC LIMIT 1`,
	`SELECT updated_at FROM openings WHERE role_id = ?? ORDER BY updated_at DESC LIMIT 1`,
	`SELECT updated_at FROM interview_questions WHERE role_id = ?? ORDER BY updated_at DESC LIMIT 1`,
	`SELECT updated_at FROM career_routes WHERE from_role_id = ?? OR to_role_id = ?? ORDER BY updated_at DESC LIMIT 1`,
}

// UpdatedAtMany is UpdatedAt for many roles, in one statement: the roles' rows with each
// part's latest updated_at as a correlated subquery.
func UpdatedAtMany(ctx context.Context, client *ent.Client, roles []*ent.Role) (map[int]time.Time, error) {
	out := make(map[int]time.Time, len(roles))
	if len(roles) == 0 {
		return out, nil
	}
	ids := make([]int, len(roles))
	for i, r := range roles {
		ids[i] = r.ID
		out[r.ID] = r.UpdatedAt.UTC()
	}
	var rows []struct {
		ID                     int `json:"id"`
		P0, P1, P2, P3, P4, P5 any
	}
	err := client.Role.Query().Where(role.IDIn(ids...)).Modify(func(s *sql.Selector) {
		s.Select(sql.As(s.C(role.FieldID), "id"))
		for i, q := range latestOf {
			s.AppendSelectExprAs(sql.Expr("("+strings.ReplaceAll(q, "??", s.C(role.FieldID))+")"), fmt.Sprintf("p%d", i))
		}
	}).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		for _, v := range []any{row.P0, row.P1, row.P2, row.P3, row.P4, row.P5} {
			if v == nil {
				continue
			}
			t, err := asTime(v)
			if err != nil {
				return nil, err
			}
			if t.After(out[row.ID]) {
				out[row.ID] = t.UTC()
			}
		}
	}
	return out, nil
}

// asTime reads a timestamp a subquery returned: PostgreSQL's driver gives a time.Time;
// SQLite's gives the text its driver wrote (time.Time.String, without the monotonic clock
// reading when the value came from time.Now), since a subquery's column has no declared type.
func asTime(v any) (time.Time, error) {
	var s string
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		return time.Time{}, fmt.Errorf("cluster: timestamp scanned as %T", v)
	}
	if i := strings.Index(s, " m="); i >= 0 {
		s = s[:i]
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999 -0700 MST", time.RFC3339Nano,
		"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cluster: unreadable timestamp %q", s)
}
