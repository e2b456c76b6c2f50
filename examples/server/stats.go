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
	// StatsWindow is the default period of the figures: the last year.
	StatsWindow = 365 * 24 * time.Hour
	// StatsCacheTTL is how long computed figures are reused: computing them
	// reads every hazard of the period.
	StatsCacheTTL = 10 * time.Second
	// MaxStatsPeriods is how many periods' figures the cache keeps: a
	// request for another period evicts the oldest, so that asking for
	// many periods cannot grow memory.
	MaxStatsPeriods = 32
)

// StatsResponse is the answer of GET /api/v1/stats: the figures a city
// publishes. Programme holds the all-time totals, Period the figures of
// the period asked for (since and until; the last StatsWindow by
// default).
type StatsResponse struct {
	Programme ProgrammeFigures `json:"programme"`
	Period    PeriodFigures    `json:"period"`
	// ByState, Closed and ClosureRate are the period's, as in Period.
	ByState     map[string]int `json:"by_state"`
	Closed      int            `json:"closed"`
	ClosureRate float64        `json:"closure_rate"`
	// Departments is for staff only (hazard.Service.DepartmentFigures):
	// per department, assigned, open and overdue, with the oldest open
	// hazards (对账销号).
	Departments []hazard.DepartmentFigures `json:"departments,omitempty"`
}

// ProgrammeFigures are the programme's all-time totals: citizens signed
// up, reports (by source: citizen, inspection, self-check, supervision),
// rewards issued as a count and an amount, rewards paid.
type ProgrammeFigures struct {
	Citizens         int                   `json:"citizens"`
	Reports          int                   `json:"reports"`
	BySource         map[hazard.Source]int `json:"by_source"`
	RewardsIssued    int                   `json:"rewards_issued"`
	RewardsIssuedFen int64                 `json:"rewards_issued_fen"`
	RewardsPaid      int                   `json:"rewards_paid"`
	PaidFen          int64                 `json:"rewards_paid_fen"`
}

// PeriodFigures are the figures of the reports submitted and the rewards
// issued in [Since, Until).
type PeriodFigures struct {
	Since            time.Time             `json:"since"`
	Until            time.Time             `json:"until"`
	Reports          int                   `json:"reports"`
	BySource         map[hazard.Source]int `json:"by_source"`
	ByState          map[string]int        `json:"by_state"`
	Closed           int                   `json:"closed"`
	ClosureRate      float64               `json:"closure_rate"`
	RewardsIssued    int                   `json:"rewards_issued"`
	RewardsIssuedFen int64                 `json:"rewards_issued_fen"`
	RewardsPaid      int                   `json:"rewards_paid"`
	PaidFen          int64                 `json:"rewards_paid_fen"`
}

// statsCache keeps computed figures for StatsCacheTTL: the all-time ones
// and up to MaxStatsPeriods periods'.
type statsCache struct {
	mu        sync.Mutex
	programme cachedFigures[ProgrammeFigures]
	periods   map[[2]time.Time]cachedFigures[periodStats]
}

type cachedFigures[T any] struct {
	at  time.Time
	val T
}

// periodStats are a period's hazard figures with its published ones.
type periodStats struct {
	stats hazard.Stats
	pub   PeriodFigures
}

// programmeFigures returns the all-time totals, computed at most every
// StatsCacheTTL: from the hazard store, the user store and the reward
// ledger, which every process shares over PostgreSQL.
func (s *Server) programmeFigures(ctx context.Context) (ProgrammeFigures, error) {
	c := &s.statsCache
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.now()
	if !c.programme.at.IsZero() && now.Sub(c.programme.at) < StatsCacheTTL {
		return c.programme.val, nil
	}
	st, err := s.svc.Stats(ctx, time.Time{}, now.Add(time.Second))
	if err != nil {
		return ProgrammeFigures{}, err
	}
	rf, err := s.loop.rewards.svc.Figures(ctx, time.Time{}, time.Time{})
	if err != nil {
		return ProgrammeFigures{}, err
	}
	p := ProgrammeFigures{Reports: st.Total, BySource: st.BySource,
		RewardsIssued: rf.Issued.Count, RewardsIssuedFen: int64(rf.Issued.Amount),
		RewardsPaid: rf.Paid.Count, PaidFen: int64(rf.Paid.Amount)}
	if p.Citizens, err = s.users.countCitizens(ctx); err != nil {
		return ProgrammeFigures{}, err
	}
	c.programme = cachedFigures[ProgrammeFigures]{at: now, val: p}
	return p, nil
}

// periodFigures returns the figures of [since, until), computed at most
// every StatsCacheTTL for each of the last MaxStatsPeriods periods asked.
func (s *Server) periodFigures(ctx context.Context, since, until time.Time) (periodStats, error) {
	c := &s.statsCache
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.now()
	key := [2]time.Time{since, until}
	if got, ok := c.periods[key]; ok && now.Sub(got.at) < StatsCacheTTL {
		return got.val, nil
	}
	st, err := s.svc.Stats(ctx, since, until)
	if err != nil {
		return periodStats{}, err
	}
	rf, err := s.loop.rewards.svc.Figures(ctx, since, until)
	if err != nil {
		return periodStats{}, err
	}
	ps := periodStats{stats: st, pub: PeriodFigures{Since: since, Until: until, Reports: st.Total, BySource: st.BySource,
		ByState: st.ByState, Closed: st.Closed, ClosureRate: st.ClosureRate,
		RewardsIssued: rf.Issued.Count, RewardsIssuedFen: int64(rf.Issued.Amount),
		RewardsPaid: rf.Paid.Count, PaidFen: int64(rf.Paid.Amount)}}
	if c.periods == nil {
		c.periods = map[[2]time.Time]cachedFigures[periodStats]{}
	}
	if _, ok := c.periods[key]; !ok && len(c.periods) >= MaxStatsPeriods {
		var oldest [2]time.Time
		first := true
		for k, v := range c.periods {
			if first || v.at.Before(c.periods[oldest].at) {
				oldest, first = k, false
			}
		}
		delete(c.periods, oldest)
	}
	c.periods[key] = cachedFigures[periodStats]{at: now, val: ps}
	return ps, nil
}

// statsPeriod reads the period of a stats request: since and until (RFC
// 3339 or YYYY-MM-DD, UTC), by default the StatsWindow ending at the end
// of the current StatsCacheTTL slot (so that the cache serves it, and
// every report submitted before now is in it).
func (s *Server) statsPeriod(r *http.Request) (time.Time, time.Time, error) {
	since, err := queryTime(r, "since")
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	until, err := queryTime(r, "until")
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if until.IsZero() {
		until = s.now().Truncate(StatsCacheTTL).Add(StatsCacheTTL)
	}
	if since.IsZero() {
		since = until.Add(-StatsWindow)
	}
	if !until.After(since) {
		return time.Time{}, time.Time{}, &hazard.Error{Code: hazard.CodeInvalid, Field: "until", Message: "must be after since"}
	}
	return since, until, nil
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request, c caller) error {
	since, until, err := s.statsPeriod(r)
	if err != nil {
		return err
	}
	prog, err := s.programmeFigures(r.Context())
	if err != nil {
		return err
	}
	ps, err := s.periodFigures(r.Context(), since, until)
	if err != nil {
		return err
	}
	st := ps.stats
	out := StatsResponse{Programme: prog, Period: ps.pub, ByState: st.ByState, Closed: st.Closed, ClosureRate: st.ClosureRate}
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
