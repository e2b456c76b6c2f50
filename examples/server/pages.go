package server

import (
	"github.com/hazardloop/hazardloop/examples/web"
)

// mountPages registers the web pages for citizens and staff (package
// examples/web) on the router; they call the JSON API in-process.
func (s *Server) mountPages() error {
	var users []web.DemoUser
	if s.demo {
		for _, d := range DemoUsers() {
			label := d.ID + " (" + d.Role
			if d.Department != "" {
				label += ", " + d.Department
			}
			users = append(users, web.DemoUser{ID: d.ID, Label: label + ")"})
		}
	}
	m := s.cfg.Map
	m.RiskMapPublic = !s.cfg.RiskMapStaffOnly
	h, err := web.New(web.Config{API: s.Handler(), Demo: s.demo, DemoUsers: users, Logger: s.log, HTTPS: s.overHTTPS, Map: m})
	if err != nil {
		return err
	}
	h.Register(s.mux)
	return nil
}
