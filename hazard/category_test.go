package hazard_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

func TestDefaultRegistry(t *testing.T) {
	r := hazard.DefaultRegistry()
	want := []string{"construction", "electric_power", "fire", "gas", "hazardous_chemicals", "industry_trade", "other", "road_traffic", "special_equipment"}
	assert.Equal(t, want, r.Codes(), "Codes: sorted")
	all := r.All()
	require.Len(t, all, len(want))
	assert.Equal(t, "fire", all[0].Code, "All: in the order added")
	for _, c := range all {
		assert.NoError(t, c.Validate(), "seed category %s", c.Code)
		assert.NotEmpty(t, c.NameZH, c.Code)
		assert.NotEmpty(t, c.NameEN, c.Code)
	}
	fire, ok := r.Lookup("fire")
	assert.True(t, ok)
	assert.Equal(t, "消防", fire.NameZH)
	_, ok = r.Lookup("volcano")
	assert.False(t, ok)
	depts := map[string]bool{}
	for _, d := range hazard.DefaultDepartments() {
		depts[d.Code] = true
	}
	for _, c := range all {
		if c.Department != "" {
			assert.True(t, depts[c.Department], "category %s names a default department", c.Code)
		}
	}
}

func TestCategoriesAdd(t *testing.T) {
	r := hazard.DefaultRegistry()
	custom := hazard.Category{Code: "campus_safety", NameZH: "校园安全", NameEN: "Campus safety", Industry: "education"}
	require.NoError(t, r.Add(custom), "Add a custom category")
	got, ok := r.Lookup("campus_safety")
	assert.True(t, ok)
	assert.Equal(t, custom, got)
	assert.Contains(t, r.Codes(), "campus_safety")

	assert.ErrorIs(t, r.Add(custom), hazard.ErrConflict, "Add twice")
	assert.ErrorIs(t, r.Add(hazard.Category{Code: "fire", NameZH: "火", NameEN: "Fire"}), hazard.ErrConflict, "Add a seed code again")

	for _, c := range []struct {
		name string
		cat  hazard.Category
		want []string
	}{
		{"upper case", hazard.Category{Code: "Fire2", NameZH: "火", NameEN: "Fire"}, []string{"code"}},
		{"empty", hazard.Category{}, []string{"code", "name_zh", "name_en"}},
		{"starts with a digit", hazard.Category{Code: "1st", NameZH: "一", NameEN: "one"}, []string{"code"}},
		{"too long", hazard.Category{Code: strings.Repeat("a", hazard.MaxCategoryCodeLen+1), NameZH: "长", NameEN: "long"}, []string{"code"}},
		{"longest", hazard.Category{Code: strings.Repeat("a", hazard.MaxCategoryCodeLen), NameZH: "长", NameEN: "long"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := hazard.DefaultRegistry()
			err := r.Add(c.cat)
			assert.Equal(t, c.want, fields(t, err))
			_, ok := r.Lookup(c.cat.Code)
			assert.Equal(t, c.want == nil, ok, "Lookup after Add")
		})
	}

	_, err := hazard.NewCategories(custom, custom)
	assert.ErrorIs(t, err, hazard.ErrConflict, "NewCategories with a repeated code")
	_, err = hazard.NewCategories(hazard.Category{Code: "X"})
	assert.ErrorIs(t, err, hazard.ErrInvalid, "NewCategories with an invalid category")
}
