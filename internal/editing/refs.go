package editing

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/careergraph/careergraph/ent"
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

// CheckRefs checks that every ID a create or update input refers to (the fields in refTypes)
// names an existing node of the right type, and answers BAD_USER_INPUT naming the field
// otherwise, rather than letting the save fail on a foreign key with a vaguer CONFLICT. The
// operations in this package call it first thing.
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
		field := "input." + strings.ToLower(name[:1]) + name[1:]
		for _, id := range ids {
			n, err := c.Noder(ctx, id)
			if ent.IsNotFound(err) {
				return apperr.BadInput(field, "%s: no %s has id %d; send the id of an existing %s", field, want, id, strings.ToLower(want))
			}
			if err != nil {
				return fmt.Errorf("check %s: %w", field, err)
			}
			if got := reflect.TypeOf(n).Elem().Name(); got != want {
				return apperr.BadInput(field, "%s: id %d names a %s, not a %s", field, id, got, want)
			}
		}
	}
	return nil
}
