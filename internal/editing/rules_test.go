package editing

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/careergraph/careergraph/ent"
	"github.com/careergraph/careergraph/internal/apperr"
)

func field(t *testing.T, err error) string {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok {
		t.Fatalf("want an *apperr.Error, got %v", err)
	}
	assert.Equal(t, apperr.CodeBadUserInput, ae.Code)
	return ae.Field
}

func ptr[T any](v T) *T { return &v }

func TestRules(t *testing.T) {
	assert.NoError(t, Slug("input.slug", "backend-developer"))
	for _, bad := range []string{"", "Backend", "a--b", "-a", "a b", "a_b", "x'; drop table roles; --"} {
		assert.Equal(t, "input.slug", field(t, Slug("input.slug", bad)), bad)
	}
	assert.NoError(t, Currency("input.currency", "INR"))
	assert.Equal(t, "input.currency", field(t, Currency("input.currency", "inr")))
	assert.Equal(t, "input.countryCode", field(t, Country("input.countryCode", "India")))

	assert.NoError(t, Role(&ent.Role{Slug: "r", ExperienceMinYears: 2, ExperienceMaxYears: 2}))
	assert.Equal(t, "input.experienceMaxYears", field(t, Role(&ent.Role{Slug: "r", ExperienceMinYears: 3, ExperienceMaxYears: 2})))

	ok := &ent.SalaryRecord{CountryCode: "IN", Currency: "INR", MinAmount: 10, MedianAmount: ptr[int64](15), MaxAmount: ptr[int64](20)}
	assert.NoError(t, SalaryRecord(ok))
	assert.Equal(t, "input.maxAmount", field(t, SalaryRecord(&ent.SalaryRecord{CountryCode: "IN", Currency: "INR", MinAmount: 30, MaxAmount: ptr[int64](20)})))
	assert.Equal(t, "input.experienceMaxYears", field(t, SalaryRecord(&ent.SalaryRecord{CountryCode: "IN", Currency: "INR",
		ExperienceMinYears: ptr(5), ExperienceMaxYears: ptr(1)})))

	assert.Equal(t, "input.salaryCurrency", field(t, Opening(&ent.Opening{SalaryMin: ptr[int64](1)})))
	assert.Equal(t, "input.toID", field(t, CareerRoute(&ent.CareerRoute{FromRoleID: 1, ToRoleID: 1})))
	assert.Equal(t, "input.answer", field(t, RoleItem(&ent.RoleItem{Kind: "FAQ", Text: "Q"})))
	assert.NoError(t, RoleItem(&ent.RoleItem{Kind: "RESPONSIBILITY", Text: "Q"}))
}

func TestOrderingHelpers(t *testing.T) {
	assert.Equal(t, []int{2, 3, 1}, Move([]int{1, 2, 3}, 1, 99))
	assert.Equal(t, []int{3, 1, 2}, Move([]int{1, 2, 3}, 3, -5))
	assert.NoError(t, SameSet("ids", []int{1, 2, 3}, []int{3, 1, 2}))
	assert.Equal(t, "ids", field(t, SameSet("ids", []int{1, 2, 3}, []int{1, 2})))
	assert.Equal(t, "ids", field(t, SameSet("ids", []int{1, 2, 3}, []int{1, 2, 2})))
	assert.Equal(t, "ids", field(t, SameSet("ids", []int{1, 2}, []int{1, 9})))
}
