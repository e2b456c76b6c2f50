package risk_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

// Each limit of a unit is enforced at the limit (accepted) and one past it
// (refused, naming the field).
func TestUnitLimits(t *testing.T) {
	many := func(n int, f func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	contacts := func(n int) []hazard.Contact {
		return make([]hazard.Contact, n)
	}
	for _, tt := range []struct {
		field     string
		at, after func(u *risk.Unit)
	}{
		{"name", func(u *risk.Unit) { u.Name = strings.Repeat("名", risk.MaxNameLen) }, func(u *risk.Unit) { u.Name = strings.Repeat("名", risk.MaxNameLen+1) }},
		{"industry", func(u *risk.Unit) { u.Industry = strings.Repeat("i", risk.MaxIndustryLen) }, func(u *risk.Unit) { u.Industry = strings.Repeat("i", risk.MaxIndustryLen+1) }},
		{"grid", func(u *risk.Unit) { u.Grid = strings.Repeat("g", risk.MaxGridLen) }, func(u *risk.Unit) { u.Grid = strings.Repeat("g", risk.MaxGridLen+1) }},
		{"departments", func(u *risk.Unit) {
			u.Departments = many(risk.MaxDepartments, func(i int) string { return fmt.Sprint("d", i) })
		},
			func(u *risk.Unit) {
				u.Departments = many(risk.MaxDepartments+1, func(i int) string { return fmt.Sprint("d", i) })
			}},
		{"departments[0]", func(u *risk.Unit) { u.Departments = []string{strings.Repeat("d", risk.MaxDepartmentLen)} },
			func(u *risk.Unit) { u.Departments = []string{strings.Repeat("d", risk.MaxDepartmentLen+1)} }},
		{"contacts", func(u *risk.Unit) { u.Contacts = contacts(risk.MaxContacts) }, func(u *risk.Unit) { u.Contacts = contacts(risk.MaxContacts + 1) }},
		{"contacts[0].name", func(u *risk.Unit) { u.Contacts = []hazard.Contact{{Name: strings.Repeat("n", risk.MaxContactNameLen)}} },
			func(u *risk.Unit) {
				u.Contacts = []hazard.Contact{{Name: strings.Repeat("n", risk.MaxContactNameLen+1)}}
			}},
		{"contacts[0].phone", func(u *risk.Unit) { u.Contacts = []hazard.Contact{{Phone: strings.Repeat("1", risk.MaxPhoneLen)}} },
			func(u *risk.Unit) { u.Contacts = []hazard.Contact{{Phone: strings.Repeat("1", risk.MaxPhoneLen+1)}} }},
		{"override.reason", func(u *risk.Unit) {
			u.Override = &risk.Override{Grade: risk.Red, Reason: strings.Repeat("r", risk.MaxReasonLen)}
		},
			func(u *risk.Unit) {
				u.Override = &risk.Override{Grade: risk.Red, Reason: strings.Repeat("r", risk.MaxReasonLen+1)}
			}},
	} {
		u := risktest.NewUnit(1)
		tt.at(&u)
		assert.NoError(t, u.Validate(), "%s at its limit", tt.field)
		u = risktest.NewUnit(1)
		tt.after(&u)
		err := u.Validate()
		require.ErrorIs(t, err, hazard.ErrInvalid, "%s past its limit", tt.field)
		assert.Equal(t, tt.field, fieldOf(t, err))
	}
	u := risktest.NewUnit(1)
	u.Departments = []string{"fire", "fire"}
	err := u.Validate()
	require.ErrorIs(t, err, hazard.ErrInvalid)
	assert.Equal(t, "departments[1]", fieldOf(t, err))
}

func TestPointAndPlanLimits(t *testing.T) {
	p, a := risktest.NewPoint(uuid.Must(uuid.NewV7()), risk.Red)
	p.Name = strings.Repeat("p", risk.MaxPointNameLen)
	require.NoError(t, risk.CheckAssessed(&p, &a))
	p.Name += "p"
	err := risk.CheckAssessed(&p, &a)
	require.ErrorIs(t, err, hazard.ErrInvalid)
	assert.Equal(t, "name", fieldOf(t, err))

	q := risk.PlanQuery{Department: "fire", From: epoch, To: epoch.AddDate(0, 0, risk.MaxPlanDays)}
	require.NoError(t, q.Validate())
	q.To = q.To.AddDate(0, 0, 1)
	require.ErrorIs(t, q.Validate(), hazard.ErrInvalid)

	q = risk.PlanQuery{Department: "fire", From: epoch, To: epoch.AddDate(0, 1, 0), Inspectors: make([]risk.Inspector, risk.MaxInspectors)}
	for i := range q.Inspectors {
		q.Inspectors[i].ID = fmt.Sprint("i", i)
	}
	require.NoError(t, q.Validate())
	q.Inspectors = append(q.Inspectors, risk.Inspector{ID: "one more"})
	err = q.Validate()
	require.ErrorIs(t, err, hazard.ErrInvalid)
	assert.Equal(t, "inspectors", fieldOf(t, err))

	q.Inspectors = []risk.Inspector{{ID: "a", Conflicts: make([]uuid.UUID, risk.MaxConflicts)}}
	require.NoError(t, q.Validate())
	q.Inspectors[0].Conflicts = append(q.Inspectors[0].Conflicts, uuid.Nil)
	err = q.Validate()
	require.ErrorIs(t, err, hazard.ErrInvalid)
	assert.Equal(t, "inspectors[0].conflicts", fieldOf(t, err))

	pol := risk.DefaultPolicy()
	pol.InspectorsPerVisit = risk.MaxInspectorsVisit
	require.NoError(t, pol.Validate())
	pol.InspectorsPerVisit++
	require.ErrorIs(t, pol.Validate(), hazard.ErrInvalid)
	pol = risk.DefaultPolicy()
	pol.Ladder = []int{1, risk.MaxIntervalMonths}
	pol.Start = map[risk.Grade]int{risk.Red: 0, risk.Orange: 0, risk.Yellow: 1, risk.Blue: 1}
	require.NoError(t, pol.Validate())
	pol.Ladder[1]++
	require.ErrorIs(t, pol.Validate(), hazard.ErrInvalid)
	pol = risk.DefaultPolicy()
	pol.Ladder = make([]int, risk.MaxLadder+1)
	for i := range pol.Ladder {
		pol.Ladder[i] = i + 1
	}
	require.ErrorIs(t, pol.Validate(), hazard.ErrInvalid)

	d := risk.DueQuery{Department: "fire", Before: epoch, Limit: risk.MaxDueLimit + 1}
	assert.Equal(t, risk.MaxDueLimit, d.DueLimit())
	d.Limit = 0
	assert.Equal(t, risk.DefaultDueLimit, d.DueLimit())
}
