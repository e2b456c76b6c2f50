package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Stats settings.
const (
	// StatsWindow is the period of the figures: the last year.
	StatsWindow = 365 * 24 * time.Hour
	// StatsCacheTTL is how long computed figures are reused: computing them
	// reads every hazard of the period.
	StatsCacheTTL = 10 * time.Second
)

// StatsResponse is the answer of GET /api/v1/stats.
type StatsResponse struct {
	Programme ProgrammeFigures `json:"programme"`
	// ByState, Closed and ClosureRate are public.
	ByState     map[string]int `json:"by_state"`
	Closed      int            `json:"closed"`
	ClosureRate float64        `json:"closure_rate"`
	// Departments is for staff only (hazard.Service.DepartmentFigures):
	// per department, assigned, open and overdue, with the oldest open
	// hazards (对账销号).
	Departments []hazard.DepartmentFigures `json:"departments,omitempty"`
}

type statsCache struct {
	mu        sync.Mutex
	at        time.Time
	stats     hazard.Stats
	programme ProgrammeFigures
}

// cachedStats returns the hazard figures and the programme's figures,
// computed at most every StatsCacheTTL: from the store, the user store and
// the ledger, which every process shares over PostgreSQL.
func (s *Server) cachedStats(ctx context.Context) (hazard.Stats, ProgrammeFigures, error) {
	c := &s.statsCache
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.now()
	if !c.at.IsZero() && now.Sub(c.at) < StatsCacheTTL {
		return c.stats, c.programme, nil
	}
	st, err := s.svc.Stats(ctx, now.Add(-StatsWindow), now.Add(time.Second))
	if err != nil {
		return hazard.Stats{}, ProgrammeFigures{}, err
	}
	p, err := s.figures.rewards(ctx)
	if err != nil {
		return hazard.Stats{}, ProgrammeFigures{}, err
	}
	if p.Citizens, err = s.users.countCitizens(ctx); err != nil {
		return hazard.Stats{}, ProgrammeFigures{}, err
	}
	p.Reports = st.Total
	c.at, c.stats, c.programme = now, st, p
	return st, p, nil
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request, c caller) error {
	st, prog, err := s.cachedStats(r.Context())
	if err != nil {
		return err
	}
	out := StatsResponse{Programme: prog, ByState: st.ByState, Closed: st.Closed, ClosureRate: st.ClosureRate}
	if c.signed {
		depts, err := s.svc.DepartmentFigures(c.user(), st)
		switch {
		case err == nil:
			out.Departments = depts
		case !errors.Is(err, hazard.ErrForbidden):
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
