package trends

import (
	"context"
	"strings"
	"time"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/ent/trendsnapshot"
	"github.com/careergraph/careergraph/internal/apperr"
)

// Interval is a series' step.
type Interval string

// The intervals.
const (
	DAY   Interval = "DAY"
	WEEK  Interval = "WEEK"
	MONTH Interval = "MONTH"
)

// Range is the span a series covers, both days included.
type Range struct {
	From, To time.Time
	Interval Interval
}

// MaxPoints bounds a series: a year of days, five years of weeks, ten years of months.
var MaxPoints = map[Interval]int{DAY: 366, WEEK: 261, MONTH: 120}

// Point is one step of a series: the figures of the last daily snapshot in its interval
// (counts and medians are levels, not flows: summing a week's days would count an opening
// seven times). Day is that snapshot's day.
type Point struct {
	Day          time.Time
	LiveOpenings int
	Currency     *string
	MedianPay    *int64
	PayCount     int
}

// SkillPoint is a skill's demand at one step: openings asking for it and their share of the
// scope's live openings that day.
type SkillPoint struct {
	Day      time.Time
	Openings int
	Share    float64
}

// check validates r (field: the argument's name).
func (r Range) check(field string) error {
	if r.Interval == "" {
		r.Interval = DAY
	}
	from, to := Day(r.From), Day(r.To)
	if to.Before(from) {
		return apperr.BadInput(field, "%s: from (%s) is after to (%s)", field, from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	n := 0
	switch r.Interval {
	case DAY:
		n = int(to.Sub(from).Hours()/24) + 1
	case WEEK:
		n = int(to.Sub(from).Hours()/(24*7)) + 1
	case MONTH:
		n = (to.Year()-from.Year())*12 + int(to.Month()-from.Month()) + 1
	default:
		return apperr.BadInput(field, "%s: unknown interval %q", field, r.Interval)
	}
	if n > MaxPoints[r.Interval] {
		return apperr.BadInput(field, "%s: %d %s intervals: at most %d; ask for a shorter range or a longer interval",
			field, n, r.Interval, MaxPoints[r.Interval])
	}
	return nil
}

// bucket is the start of the interval day falls in: the day, the Monday of its ISO week, or
// the first of its month.
func bucket(day time.Time, iv Interval) time.Time {
	switch iv {
	case WEEK:
		wd := (int(day.Weekday()) + 6) % 7 // Monday 0
		return day.AddDate(0, 0, -wd)
	case MONTH:
		return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

func (r Range) rows(ctx context.Context, client *ent.Client, role, location, skill int) ([]*ent.TrendSnapshot, error) {
	snaps, err := client.TrendSnapshot.Query().Where(trendsnapshot.RoleID(role), trendsnapshot.LocationID(location),
		trendsnapshot.SkillID(skill), trendsnapshot.DayGTE(Day(r.From)), trendsnapshot.DayLTE(Day(r.To))).
		Order(ent.Asc(trendsnapshot.FieldDay)).All(ctx)
	if err != nil {
		return nil, err
	}
	iv := r.Interval
	if iv == "" {
		iv = DAY
	}
	// Keep the last snapshot of each interval; rows are in day order.
	var out []*ent.TrendSnapshot
	for _, s := range snaps {
		if n := len(out); n > 0 && bucket(Day(out[n-1].Day), iv).Equal(bucket(Day(s.Day), iv)) {
			out[n-1] = s
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

// Series is the live openings and median pay of a scope (role 0: every role; location 0:
// every city) over r, one point per interval that has a snapshot, oldest first. One statement.
func Series(ctx context.Context, client *ent.Client, role, location int, r Range) ([]*Point, error) {
	if err := r.check("over"); err != nil {
		return nil, err
	}
	snaps, err := r.rows(ctx, client, role, location, 0)
	if err != nil {
		return nil, err
	}
	out := make([]*Point, len(snaps))
	for i, s := range snaps {
		out[i] = &Point{Day: Day(s.Day), LiveOpenings: s.LiveOpenings, Currency: s.Currency, MedianPay: s.MedianPay, PayCount: s.PayCount}
	}
	return out, nil
}

// SkillSeries is a skill's demand within a role (0: every role) over r. Two statements.
func SkillSeries(ctx context.Context, client *ent.Client, role, skill int, r Range) ([]*SkillPoint, error) {
	if err := r.check("over"); err != nil {
		return nil, err
	}
	snaps, err := r.rows(ctx, client, role, 0, skill)
	if err != nil {
		return nil, err
	}
	totals, err := r.rows(ctx, client, role, 0, 0)
	if err != nil {
		return nil, err
	}
	total := map[time.Time]int{}
	for _, t := range totals {
		total[Day(t.Day)] = t.LiveOpenings
	}
	out := make([]*SkillPoint, len(snaps))
	for i, s := range snaps {
		p := &SkillPoint{Day: Day(s.Day), Openings: s.LiveOpenings}
		if n := total[p.Day]; n > 0 {
			p.Share = float64(s.LiveOpenings) / float64(n)
		}
		out[i] = p
	}
	return out, nil
}

// Scope resolves a trend question's role (slug), city (name or slug) and skill (slug or name)
// to IDs, 0 for those left out; an unknown one is a BAD_USER_INPUT error naming it. A city
// name several countries share takes the oldest city of that name.
func Scope(ctx context.Context, client *ent.Client, roleSlug, city, skillName *string) (roleID, locationID, skillID int, err error) {
	if roleSlug != nil {
		if roleID, err = client.Role.Query().Where(role.Slug(*roleSlug)).OnlyID(ctx); ent.IsNotFound(err) {
			return 0, 0, 0, apperr.BadInput("role", "unknown role %q: send a role slug such as \"backend-developer\"", *roleSlug)
		} else if err != nil {
			return 0, 0, 0, err
		}
	}
	if city != nil {
		c := strings.TrimSpace(*city)
		if locationID, err = client.Location.Query().Where(location.Or(location.CityEqualFold(c), location.Slug(strings.ToLower(c)))).
			Order(ent.Asc(location.FieldID)).FirstID(ctx); ent.IsNotFound(err) {
			return 0, 0, 0, apperr.BadInput("city", "unknown city %q: send a city such as \"Bengaluru\"", *city)
		} else if err != nil {
			return 0, 0, 0, err
		}
	}
	if skillName != nil {
		n := strings.TrimSpace(*skillName)
		if skillID, err = client.Skill.Query().Where(skill.Or(skill.Slug(strings.ToLower(n)), skill.NameEqualFold(n))).
			Order(ent.Asc(skill.FieldID)).FirstID(ctx); ent.IsNotFound(err) {
			return 0, 0, 0, apperr.BadInput("skill", "unknown skill %q: send a skill slug or name such as \"docker\"", *skillName)
		} else if err != nil {
			return 0, 0, 0, err
		}
	}
	return roleID, locationID, skillID, nil
}
