// Package trends keeps daily snapshots of the market (live openings and pay medians per role
// and city, skill demand per role) and reads them back as time series for dashboards.
//
// A snapshot is taken by Run, a loop each server runs: at start and every hour it takes
// today's snapshot if there is none yet. Taking one is idempotent (an upsert on the day and
// scope), so several replicas, or a retry, write the same rows; a day nobody was running for
// has no point (series skip it rather than invent it).
package trends

import (
	"context"
	"log/slog"
	"slices"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/opening"
	"github.com/careergraph/careergraph/ent/trendsnapshot"
	"github.com/careergraph/careergraph/internal/pay"
)

// scope is one row's key: 0 means "all".
type scope struct{ role, location, skill int }

// Day is the UTC midnight of t.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// payPage is how many openings one read of pay brings.
const payPage = 20000

// Snapshot writes day's figures from the live openings now: per (role, city), per role, per
// city and overall, the number of live openings and the median of their advertised pay
// (annualised midpoints, in the currency most of them use); and per (role, skill) and per skill
// the live openings that ask for the skill. It returns the number of rows written. Two reads
// (counts, skill counts), the pay read in pages of payPage, and one upsert per 500 rows.
func Snapshot(ctx context.Context, client *ent.Client, day time.Time) (int, error) {
	day = Day(day)
	live := opening.StatusEQ(opening.StatusLIVE)

	var counts []struct {
		RoleID     int  `json:"role_id"`
		LocationID *int `json:"location_id"`
		N          int  `json:"n"`
	}
	if err := client.Opening.Query().Where(live, opening.RoleIDNotNil()).
		GroupBy(opening.FieldRoleID, opening.FieldLocationID).
		Aggregate(ent.As(ent.Count(), "n")).Scan(ctx, &counts); err != nil {
		return 0, err
	}
	rows := map[scope]*ent.TrendSnapshotCreate{}
	liveN := map[scope]int{}
	for _, c := range counts {
		loc := 0
		if c.LocationID != nil {
			loc = *c.LocationID
		}
		for _, s := range rollUp(c.RoleID, loc, 0) {
			liveN[s] += c.N
		}
	}

	// Pay is read in pages by id, so that a million live openings never sit in memory at once
	// (only the per-scope points do, eight bytes each).
	type payRow struct {
		ID         int     `json:"id"`
		RoleID     int     `json:"role_id"`
		LocationID *int    `json:"location_id"`
		Min        int64   `json:"salary_min"`
		Max        *int64  `json:"salary_max"`
		Currency   string  `json:"salary_currency"`
		Period     *string `json:"salary_period"`
	}
	points := map[scope]map[string][]int64{}
	for after := 0; ; {
		var pays []payRow
		if err := client.Opening.Query().
			Where(live, opening.RoleIDNotNil(), opening.SalaryMinNotNil(), opening.SalaryCurrencyNotNil(), opening.IDGT(after)).
			Order(ent.Asc(opening.FieldID)).Limit(payPage).
			Select(opening.FieldID, opening.FieldRoleID, opening.FieldLocationID, opening.FieldSalaryMin, opening.FieldSalaryMax,
				opening.FieldSalaryCurrency, opening.FieldSalaryPeriod).Scan(ctx, &pays); err != nil {
			return 0, err
		}
		for _, p := range pays {
			mid := pay.Annual(pay.Midpoint(&p.Min, p.Max), p.Period != nil && *p.Period == string(opening.SalaryPeriodMONTH))
			loc := 0
			if p.LocationID != nil {
				loc = *p.LocationID
			}
			for _, s := range rollUp(p.RoleID, loc, 0) {
				if points[s] == nil {
					points[s] = map[string][]int64{}
				}
				points[s][p.Currency] = append(points[s][p.Currency], mid)
			}
		}
		if len(pays) < payPage {
			break
		}
		after = pays[len(pays)-1].ID
	}

	var skills []struct {
		RoleID  int `json:"role_id"`
		SkillID int `json:"skill_id"`
		N       int `json:"n"`
	}
	if err := client.Opening.Query().Where(live, opening.RoleIDNotNil()).Modify(func(s *entsql.Selector) {
		t := entsql.Table(opening.SkillsTable)
		s.Join(t).On(s.C(opening.FieldID), t.C(opening.SkillsPrimaryKey[0]))
		s.Select(s.C(opening.FieldRoleID), entsql.As(t.C(opening.SkillsPrimaryKey[1]), "skill_id"), entsql.As(entsql.Count("*"), "n")).
			GroupBy(s.C(opening.FieldRoleID), t.C(opening.SkillsPrimaryKey[1]))
	}).Scan(ctx, &skills); err != nil {
		return 0, err
	}
	for _, s := range skills {
		liveN[scope{s.RoleID, 0, s.SkillID}] += s.N
		liveN[scope{0, 0, s.SkillID}] += s.N
	}

	for s, n := range liveN {
		b := client.TrendSnapshot.Create().SetDay(day).SetRoleID(s.role).SetLocationID(s.location).
			SetSkillID(s.skill).SetLiveOpenings(n)
		if cur, vals := mostCommon(points[s]); len(vals) > 0 {
			slices.Sort(vals)
			b.SetCurrency(cur).SetMedianPay(vals[(len(vals)*50+99)/100-1]).SetPayCount(len(vals))
		}
		rows[s] = b
	}
	keys := make([]scope, 0, len(rows))
	for s := range rows {
		keys = append(keys, s)
	}
	slices.SortFunc(keys, func(a, b scope) int {
		if a.role != b.role {
			return a.role - b.role
		}
		if a.location != b.location {
			return a.location - b.location
		}
		return a.skill - b.skill
	})
	const batch = 500
	for i := 0; i < len(keys); i += batch {
		var bs []*ent.TrendSnapshotCreate
		for _, k := range keys[i:min(i+batch, len(keys))] {
			bs = append(bs, rows[k])
		}
		err := client.TrendSnapshot.CreateBulk(bs...).
			OnConflictColumns(trendsnapshot.FieldRoleID, trendsnapshot.FieldLocationID, trendsnapshot.FieldSkillID, trendsnapshot.FieldDay).
			UpdateNewValues().Exec(ctx)
		if err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// rollUp is every scope a (role, location) observation counts in: itself, the role's
// country-wide row, the city's all-roles row and the overall row.
func rollUp(role, loc, skill int) []scope {
	out := []scope{{role, 0, skill}, {0, 0, skill}}
	if loc != 0 {
		out = append(out, scope{role, loc, skill}, scope{0, loc, skill})
	}
	return out
}

// mostCommon is the currency with the most points (ties: alphabetical) and its points.
func mostCommon(by map[string][]int64) (string, []int64) {
	best := ""
	for c, vs := range by {
		if best == "" || len(vs) > len(by[best]) || len(vs) == len(by[best]) && c < best {
			best = c
		}
	}
	return best, by[best]
}

// Taken reports whether day's snapshot exists (its overall row).
func Taken(ctx context.Context, client *ent.Client, day time.Time) (bool, error) {
	return client.TrendSnapshot.Query().Where(trendsnapshot.Day(Day(day)), trendsnapshot.RoleID(0),
		trendsnapshot.LocationID(0), trendsnapshot.SkillID(0)).Exist(ctx)
}

// Every is how often Run looks whether today's snapshot is taken.
const Every = time.Hour

// Run takes today's snapshot when it is missing, at once and then every Every, until ctx
// ends. Failures are logged and retried at the next look.
func Run(ctx context.Context, client *ent.Client, log *slog.Logger) {
	look := func() {
		now := time.Now()
		if ok, err := Taken(ctx, client, now); err != nil || ok {
			if err != nil && ctx.Err() == nil {
				log.Warn("trend snapshot", "err", err)
			}
			return
		}
		n, err := Snapshot(ctx, client, now)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("trend snapshot", "err", err)
			}
			return
		}
		log.Info("trend snapshot", "day", Day(now).Format(time.DateOnly), "rows", n)
	}
	look()
	t := time.NewTicker(Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			look()
		}
	}
}
