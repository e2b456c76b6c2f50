package hazard_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// TestDepartmentValidate: a department needs a code like a category's and
// both names, one line each and at most MaxDepartmentNameLen runes; every
// problem is reported at once.
func TestDepartmentValidate(t *testing.T) {
	for _, d := range hazard.DefaultDepartments() {
		assert.NoError(t, d.Validate(), "default department %s", d.Code)
	}
	long := strings.Repeat("部", hazard.MaxDepartmentNameLen+1)
	for _, tc := range []struct {
		name string
		d    hazard.Department
		want []string
	}{
		{"empty", hazard.Department{}, []string{"code", "name_zh", "name_en"}},
		{"bad code and long name", hazard.Department{Code: "Fire-Dept", NameZH: long, NameEN: "Fire"}, []string{"code", "name_zh"}},
		{"code too long", hazard.Department{Code: strings.Repeat("a", hazard.MaxCategoryCodeLen+1), NameZH: "消防", NameEN: "two\nlines"}, []string{"code", "name_en"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.d.Validate()
			require.ErrorIs(t, err, hazard.ErrInvalid)
			var e *hazard.Error
			require.True(t, errors.As(err, &e))
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
			}
			assert.Equal(t, tc.want, got)
		})
	}
	assert.NoError(t, hazard.Department{Code: "water_affairs", NameZH: "水务局", NameEN: "Water Affairs"}.Validate())
}
