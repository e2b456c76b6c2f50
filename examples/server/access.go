package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/workflow"
)

// Access says who may call a route. The router enforces it before a
// handler runs; what a caller may see or do with a given hazard (a handler
// only their department's) is then the library's decision.
type Access string

// The access rules of routes.
const (
	// AccessPublic routes need no login; a valid token, when sent, is used.
	AccessPublic Access = "public"
	// AccessUser routes need any signed-in user.
	AccessUser Access = "user"
	// AccessReporter routes need a citizen (role reporter).
	AccessReporter Access = "reporter"
	// AccessStaff routes need a staff role (hazard.StaffRole): dispatcher,
	// handler, reviewer, admin, inspector or supervisor; not a reporter,
	// an enterprise or an auditor.
	AccessStaff Access = "staff"
	// AccessWork routes need a user who works on hazards: staff, or a
	// unit's safety manager (role enterprise), whom the library shows only
	// their unit's hazards and never a reporter.
	AccessWork Access = "work"
	// AccessAdmin routes need an admin.
	AccessAdmin Access = "admin"
	// AccessSupervision routes need a supervision group member
	// (supervisor), a reviewer or an admin: spot checks.
	AccessSupervision Access = "supervision"
	// AccessAudit routes need an auditor or an admin (hazard.MayAudit):
	// the access log of personal data.
	AccessAudit Access = "audit"
	// AccessOffice routes need the city safety office, a reviewer, or an
	// admin (reward.MayExport): finance's exports.
	AccessOffice Access = "office"
)

// Allows reports whether a caller with the role may call a route of this
// access; role "" is an anonymous caller.
func (a Access) Allows(role string) bool {
	switch a {
	case AccessPublic:
		return true
	case AccessUser:
		return role != ""
	case AccessReporter:
		return role == string(hazard.RoleReporter)
	case AccessStaff:
		return hazard.StaffRole(workflow.Role(role))
	case AccessWork:
		return hazard.StaffRole(workflow.Role(role)) || role == string(hazard.RoleEnterprise)
	case AccessAdmin:
		return role == string(hazard.RoleAdmin)
	case AccessSupervision:
		return role == string(hazard.RoleSupervisor) || role == string(hazard.RoleReviewer) || role == string(hazard.RoleAdmin)
	case AccessAudit:
		return hazard.MayAudit(hazard.User{ID: "caller", Role: role})
	case AccessOffice:
		return reward.MayExport(hazard.User{ID: "caller", Role: role})
	}
	return false
}

// caller is who makes a request: a signed-in account, or nobody.
type caller struct {
	acct   Account
	signed bool
}

// user returns the acting user of the library's use cases.
func (c caller) user() hazard.User {
	if !c.signed {
		return hazard.User{}
	}
	return c.acct.User()
}

// admin reports whether the caller is an admin (who also sees draft
// articles).
func (c caller) admin() bool { return c.signed && AccessAdmin.Allows(c.acct.Role) }

// authenticate returns the caller of r: nobody without an Authorization
// header, the account of a valid bearer token, CodeUnauthenticated, or the
// account store's error when it fails.
func (s *Server) authenticate(r *http.Request) (caller, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return caller{}, nil
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return caller{}, hazard.Errorf(hazard.CodeUnauthenticated, "use Authorization: Bearer <token>")
	}
	id, err := s.tokens.check(strings.TrimSpace(tok))
	if err != nil {
		return caller{}, err
	}
	a, err := s.users.get(r.Context(), id)
	switch {
	case errors.Is(err, hazard.ErrNotFound):
		return caller{}, errBadToken()
	case err != nil:
		// The account store failing (a database out of reach) says nothing
		// of the token: answer the failure, not "sign in again".
		return caller{}, err
	}
	return caller{acct: a, signed: true}, nil
}

// authorize checks the route's access for the request and returns its
// caller. On a public route a bad token counts as no token.
func (s *Server) authorize(rt *Route, r *http.Request) (caller, error) {
	c, err := s.authenticate(r)
	if err != nil {
		if rt.Access == AccessPublic {
			return caller{}, nil
		}
		return caller{}, err
	}
	if rt.Access.Allows(c.acct.Role) {
		if rt.Phone && c.signed && c.acct.needsPhone() {
			return caller{}, &hazard.Error{Code: hazard.CodeForbidden, Field: "phone",
				Message: "bind your phone number first (POST /api/v1/me/phone/wechat)"}
		}
		return c, nil
	}
	if !c.signed {
		return caller{}, hazard.Errorf(hazard.CodeUnauthenticated, "sign in first")
	}
	return caller{}, hazard.Errorf(hazard.CodeForbidden, "your role may not call %s %s", rt.Method, rt.Path)
}
