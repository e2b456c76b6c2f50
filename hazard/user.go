package hazard

import "github.com/hazardloop/hazardloop/workflow"

// User is the acting user of a use case, as the integrator's identity
// system knows them. It is passed explicitly, never hidden in a context.
type User struct {
	ID string `json:"id"`
	// Role is a workflow role: "reporter" for citizens, or a staff role
	// ("dispatcher", "handler", "reviewer", "admin", "inspector",
	// "enterprise").
	Role string `json:"role"`
	// Department is the department code of a handler or inspector.
	Department string `json:"department,omitempty"`
	// UnitID is the unit (enterprise) a user of role enterprise works for:
	// their scope is the hazards found at it (Hazard.UnitID).
	UnitID string `json:"unit_id,omitempty"`
	// Verified is true when the user passed real-name authentication.
	Verified bool `json:"verified"`
}

// StaffRole reports whether a role acts for the administration: any role
// but reporter (a citizen), enterprise (a unit's safety manager) and
// auditor (who reads the access log of personal data and no hazard), so
// the presets' dispatcher, handler, reviewer, inspector, supervisor and
// admin, and an integrator's own staff roles. It is the one definition of
// staff: the library's views and the example server's access table use it.
func StaffRole(r workflow.Role) bool {
	return r != "" && r != RoleReporter && r != RoleEnterprise && r != RoleAuditor
}

// Staff reports whether u is signed in with a staff role (StaffRole).
// Staff see the hazards in their scope in full; a reporter sees their own
// reports and an enterprise its unit's hazards, never a reporter's
// identity.
func (u User) Staff() bool { return u.ID != "" && StaffRole(workflow.Role(u.Role)) }

// Actor returns the actor recorded in events for u.
func (u User) Actor() Actor { return Actor{ID: u.ID, Role: u.Role, Department: u.Department} }

// Department is an organisation unit hazards are assigned to.
type Department struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
}

// DefaultDepartments returns the departments of the programme's seed
// categories.
func DefaultDepartments() []Department {
	return []Department{
		{Code: "fire", NameZH: "消防救援支队", NameEN: "Fire and Rescue"},
		{Code: "market", NameZH: "市场监督管理局", NameEN: "Market Regulation"},
		{Code: "gas", NameZH: "燃气管理处", NameEN: "Gas Administration"},
		{Code: "transport", NameZH: "交通运输局", NameEN: "Transport"},
		{Code: "power", NameZH: "供电公司", NameEN: "Power Supply"},
		{Code: "housing", NameZH: "住房和城乡建设局", NameEN: "Housing and Urban-Rural Development"},
		{Code: "emergency", NameZH: "应急管理局", NameEN: "Emergency Management"},
	}
}
