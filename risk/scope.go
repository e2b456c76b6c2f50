package risk

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Confined reports whether the user's work is confined to their own
// department: a handler or an inspector with a department. Other staff (a
// dispatcher, a reviewer, an admin, a supervision group member) act
// across the city.
func Confined(user hazard.User) bool {
	return user.Department != "" &&
		(user.Role == string(hazard.RoleHandler) || user.Role == string(hazard.RoleInspector))
}

// DepartmentScope returns the department a listing or a plan asked for
// department by user covers: a confined user's own (Confined), whose
// asking for another is CodeForbidden on "department"; what was asked
// ("" for every department) for other staff.
func DepartmentScope(op string, user hazard.User, department string) (string, error) {
	if !Confined(user) {
		return department, nil
	}
	if department != "" && department != user.Department {
		return "", &hazard.Error{Code: hazard.CodeForbidden, Op: op, Field: "department", Message: "not your department"}
	}
	return user.Department, nil
}

// InScope reports whether user may act on the unit u: staff who are not
// confined, or a confined user of one of the unit's departments.
func InScope(user hazard.User, u *Unit) bool {
	return user.Staff() && (!Confined(user) || slices.Contains(u.Departments, user.Department))
}

// inScope is InScope as an error for op: CodeForbidden on "unit_id".
func inScope(op string, user hazard.User, u *Unit) error {
	if err := staffOnly(op, user); err != nil {
		return err
	}
	if !InScope(user, u) {
		return &hazard.Error{Code: hazard.CodeForbidden, Op: op, Field: "unit_id", Message: "the unit is not your department's"}
	}
	return nil
}

// unitInScope loads the unit id and checks that user may act on it.
func (s *Service) unitInScope(ctx context.Context, op string, user hazard.User, id uuid.UUID) error {
	if err := staffOnly(op, user); err != nil {
		return err
	}
	u, err := s.store.GetUnit(ctx, id)
	if err != nil {
		return hazard.Wrap(op, err)
	}
	return inScope(op, user, &u)
}
