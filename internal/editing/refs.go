package editing

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/ent/company"
	"github.com/careergraph/careergraph/ent/location"
	"github.com/careergraph/careergraph/ent/role"
	"github.com/careergraph/careergraph/ent/skill"
	"github.com/careergraph/careergraph/internal/apperr"
)

// refTypes maps the ID fields of entgql's mutation inputs to the type of node they must name.
var refTypes = map[string]string{
	"RoleID": "Role", "FromID": "Role", "ToID": "Role",
	"CompanyID":  "Company",
	"LocationID": "Location", "HeadquartersID": "Location",
	"SkillID": "Skill", "SkillIDs": "Skill", "AddSkillIDs": "Skill",
	"PreferredSkillIDs": "Skill", "AddPreferredSkillIDs": "Skill", "MemberIDs": "Skill", "AddMemberIDs": "Skill",
}

// MaxRefIDs is the most ids one reference field of an input may list (a thousand skills for
// one opening is already far past any real posting); a longer list is BAD_USER_INPUT before
// any statement runs. The request's size bounds it too, but a megabyte of ids is some 75,000,
// more than one PostgreSQL statement takes.
const MaxRefIDs = 1000

// existing returns which of ids name a node of type typ, in one statement.
func existing(ctx context.Context, c *ent.Client, typ string, ids []int) ([]int, error) {
	switch typ {
	case "Role":
		return c.Role.Query().Where(role.IDIn(ids...)).IDs(ctx)
	case "Company":
		return c.Company.Query().Where(company.IDIn(ids...)).IDs(ctx)
	case "Location":
		return c.Location.Query().Where(location.IDIn(ids...)).IDs(ctx)
	case "Skill":
		return c.Skill.Query().Where(skill.IDIn(ids...)).IDs(ctx)
	}
	return nil, fmt.Errorf("editing: no reference check for %s", typ)
}

// CheckRefs checks that every ID a create or update input refers to (the fields in refTypes)
// names an existing node of the right type, and answers BAD_USER_INPUT naming the field
// otherwise, rather than letting the save fail on a foreign key with a vaguer CONFLICT. The
// operations in this package call it first thing.
//
// A field costs one statement however many ids it lists (a skill list of fifty is one IN);
// only an id that is not of the field's type is looked up again, to say what it names.
func CheckRefs(ctx context.Context, c *ent.Client, input any) error {
	v := reflect.ValueOf(input)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Name
		want, ok := refTypes[name]
		if !ok {
			continue
		}
		var ids []int
		switch f := v.Field(i).Interface().(type) {
		case int:
			ids = []int{f}
		case *int:
			if f != nil {
				ids = []int{*f}
			}
		case []int:
			ids = f
		}
		if len(ids) == 0 {
			continue
		}
		field := "input." + strings.ToLower(name[:1]) + name[1:]
		if len(ids) > MaxRefIDs {
			return apperr.BadInput(field, "%s: %d ids, more than the %d one field takes", field, len(ids), MaxRefIDs)
		}
		found, err := existing(ctx, c, want, ids)
		if err != nil {
			return fmt.Errorf("check %s: %w", field, err)
		}
		if len(found) == len(ids) {
			continue // every id found (a list that repeats an id has fewer found, and is read below)
		}
		for _, id := range ids {
			if slices.Contains(found, id) {
				continue
			}
			n, err := c.Noder(ctx, id)
			if ent.IsNotFound(err) {
				return apperr.BadInput(field, "%s: no %s has id %d; send the id of an existing %s", field, want, id, strings.ToLower(want))
			}
			if err != nil {
				return fmt.Errorf("check %s: %w", field, err)
			}
			// Of the right type when it was written after the first statement read.
			if got := reflect.TypeOf(n).Elem().Name(); got != want {
				return apperr.BadInput(field, "%s: id %d names a %s, not a %s", field, id, got, want)
			}
		}
	}
	return nil
}
