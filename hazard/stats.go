package hazard

import (
	"github.com/google/uuid"

	"context"
	"slices"
	"time"
)

// MaxLedgerItems is the most open hazards Stats lists per department in its
// ledger (对账); DepartmentLedger.Open counts them all.
const MaxLedgerItems = 100

// Stats are the figures of the hazards submitted in a period.
type Stats struct {
	// Since and Until bound the period: Since <= CreatedAt < Until.
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Total counts the hazards submitted in the period.
	Total int `json:"total"`
	// The counts of those hazards by their current state, category,
	// department (NoDepartment when unassigned) and source.
	ByState      map[string]int `json:"by_state"`
	ByCategory   map[string]int `json:"by_category"`
	ByDepartment map[string]int `json:"by_department"`
	BySource     map[Source]int `json:"by_source"`
	// Closed counts those now in a terminal state; ClosureRate is
	// Closed/Total (0 when Total is 0). A reopened hazard counts by its
	// latest closure, or as open while it is open again.
	Closed int `json:"closed"`
	// ByOutcome counts the closed ones by how their process declares their
	// state closes them (valid, invalid).
	ByOutcome   map[Outcome]int `json:"by_outcome"`
	ClosureRate float64         `json:"closure_rate"`
	// MedianTimeToClose and P90TimeToClose are the nearest-rank 50th and
	// 90th percentiles of ClosedAt-CreatedAt over the closed hazards.
	MedianTimeToClose time.Duration `json:"median_time_to_close"`
	P90TimeToClose    time.Duration `json:"p90_time_to_close"`
	// Rectified counts the closed hazards that were fixed (closed with
	// rectification evidence); RectifiedOnTime those whose every
	// rectification was reported before its state's deadline;
	// RectifiedOnTimeRate is their ratio (0 when none was rectified).
	Rectified           int     `json:"rectified"`
	RectifiedOnTime     int     `json:"rectified_on_time"`
	RectifiedOnTimeRate float64 `json:"rectified_on_time_rate"`
	// Ledger is the dynamic-zeroing view (对账): per department, sorted by
	// code, the hazards still open now whatever their submission time,
	// oldest first.
	Ledger []DepartmentLedger `json:"ledger"`
	// Aftercare counts, per department (NoDepartment when unassigned), the
	// reopenings and the "is it fixed?" answers of the period's hazards.
	Aftercare map[string]AftercareFigures `json:"aftercare"`
}

// DepartmentLedger is one department's open hazards, oldest first.
type DepartmentLedger struct {
	Department string `json:"department"`
	// Open counts the department's open hazards; Oldest lists at most
	// MaxLedgerItems of them.
	Open    int          `json:"open"`
	Overdue int          `json:"overdue"`
	Oldest  []LedgerItem `json:"oldest"`
}

// LedgerItem is one open hazard in a ledger: no reporter identity.
type LedgerItem struct {
	// ID lets staff open the hazard; it says nothing of the reporter.
	ID        uuid.UUID `json:"id"`
	Ref       string    `json:"ref"`
	Category  string    `json:"category"`
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
	Deadline  time.Time `json:"deadline,omitzero"`
	Overdue   bool      `json:"overdue,omitempty"`
}

// DepartmentFigures are one department's figures, for staff: how many of
// the period's hazards it was assigned (Stats.ByDepartment) and its ledger
// now (Stats.Ledger).
type DepartmentFigures struct {
	Department string       `json:"department"`
	Assigned   int          `json:"assigned"`
	Open       int          `json:"open"`
	Overdue    int          `json:"overdue"`
	Oldest     []LedgerItem `json:"oldest,omitempty"`
	// Aftercare is the department's reopenings and "is it fixed?" answers
	// (Stats.Aftercare).
	Aftercare AftercareFigures `json:"aftercare"`
}

// DepartmentFigures returns st's figures per department for user, who must
// be staff (a reporter is CodeForbidden, no user CodeUnauthenticated): one
// entry for each of the service's departments in their configured order,
// zeros included, then one for every other code that has hazards (hazards
// not yet assigned, under NoDepartment, or assigned to a department since
// removed from the configuration), sorted by code, so that no hazard is
// left out.
func (s *Service) DepartmentFigures(user User, st Stats) ([]DepartmentFigures, error) {
	if err := staffOnly("department figures", user); err != nil {
		return nil, err
	}
	byCode := map[string]*DepartmentFigures{}
	get := func(code string) *DepartmentFigures {
		d := byCode[code]
		if d == nil {
			d = &DepartmentFigures{Department: code}
			byCode[code] = d
		}
		return d
	}
	for code, n := range st.ByDepartment {
		get(code).Assigned = n
	}
	for _, l := range st.Ledger {
		d := get(l.Department)
		d.Open, d.Overdue, d.Oldest = l.Open, l.Overdue, l.Oldest
	}
	for code, a := range st.Aftercare {
		get(code).Aftercare = a
	}
	out := make([]DepartmentFigures, 0, len(s.depts)+len(byCode))
	for _, d := range s.depts {
		out = append(out, *get(d.Code))
		delete(byCode, d.Code)
	}
	rest := make([]string, 0, len(byCode))
	for code := range byCode {
		rest = append(rest, code)
	}
	slices.Sort(rest)
	for _, code := range rest {
		out = append(out, *byCode[code])
	}
	return out, nil
}

// StatsStore is an optional capability of a Store that computes Stats
// natively (with SQL aggregates, say). Service.Stats uses it when the store
// has it, and ComputeStats otherwise; an implementation must return what
// ComputeStats would (it is given the processes, whose declarations decide
// ByOutcome).
type StatsStore interface {
	Stats(ctx context.Context, ps *Processes, since, until time.Time, now time.Time) (Stats, error)
}

// Stats returns the figures of the hazards submitted in [since, until) and
// the ledger of the hazards open now. It uses the store's StatsStore
// capability when there is one; otherwise see ComputeStats for its cost.
func (s *Service) Stats(ctx context.Context, since, until time.Time) (Stats, error) {
	if !until.After(since) {
		return Stats{}, &Error{Code: CodeInvalid, Op: "stats", Field: "until", Message: "must be after since"}
	}
	if ss, ok := s.store.(StatsStore); ok {
		st, err := ss.Stats(ctx, s.processes, since.UTC(), until.UTC(), s.now())
		return st, Wrap("stats", err)
	}
	return ComputeStats(ctx, s.store, s.processes, since, until, s.now())
}

// ComputeStats computes Stats from any Store, with the outcomes that the
// hazards' processes in ps declare: it pages through the hazards
// submitted in the period (Store.List with CreatedSince and CreatedUntil),
// reads the events of each rectified one (Store.HazardEvents, to tell
// whether it was rectified on time), and pages through every open hazard
// for the ledger. Its cost is one List page per MaxPageLimit hazards of the
// period and of the open ones, plus one HazardEvents per rectified hazard:
// fine for a monthly report of a city, not for every page view. A store
// that can do better implements StatsStore.
func ComputeStats(ctx context.Context, st Store, ps *Processes, since, until, now time.Time) (Stats, error) {
	const op = "stats"
	out := Stats{
		Since: since.UTC(), Until: until.UTC(),
		ByState: map[string]int{}, ByCategory: map[string]int{}, ByDepartment: map[string]int{}, BySource: map[Source]int{},
		ByOutcome: map[Outcome]int{}, Aftercare: map[string]AftercareFigures{},
	}
	var durations []time.Duration
	var rectified []Hazard
	err := forEach(ctx, st, Filter{CreatedSince: out.Since, CreatedUntil: out.Until}, func(h *Hazard) error {
		out.Total++
		out.ByState[h.State]++
		out.ByCategory[h.Category]++
		d := h.Department
		if d == "" {
			d = NoDepartment
		}
		out.ByDepartment[d]++
		out.BySource[h.Source]++
		if h.Aftercare != (Aftercare{}) {
			a := out.Aftercare[d]
			a.add(&h.Aftercare)
			out.Aftercare[d] = a
		}
		if !h.Open() {
			out.Closed++
			if pr, err := ps.Of(h); err == nil {
				if o := pr.Outcome(h.State); o != "" {
					out.ByOutcome[o]++
				}
			}
			durations = append(durations, h.ClosedAt.Sub(h.CreatedAt))
			if len(h.Evidence) > 0 {
				rectified = append(rectified, *h)
			}
		}
		return nil
	})
	if err != nil {
		return Stats{}, Wrap(op, err)
	}
	if out.Total > 0 {
		out.ClosureRate = float64(out.Closed) / float64(out.Total)
	}
	slices.Sort(durations)
	out.MedianTimeToClose = percentile(durations, 50)
	out.P90TimeToClose = percentile(durations, 90)
	for _, h := range rectified {
		events, err := st.HazardEvents(ctx, h.ID)
		if err != nil {
			return Stats{}, Wrap(op, err)
		}
		onTime := true
		for _, e := range events {
			if e.Type == EventTransition && len(e.Attachments) > 0 && e.Data[DataLate] == "true" {
				onTime = false
			}
		}
		out.Rectified++
		if onTime {
			out.RectifiedOnTime++
		}
	}
	if out.Rectified > 0 {
		out.RectifiedOnTimeRate = float64(out.RectifiedOnTime) / float64(out.Rectified)
	}
	if out.Ledger, err = ledger(ctx, st, now.UTC()); err != nil {
		return Stats{}, Wrap(op, err)
	}
	return out, nil
}

// percentile returns the nearest-rank p-th percentile of sorted d, 0 for
// none.
func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	rank := (p*len(d) + 99) / 100 // ceil(p/100 * n)
	if rank < 1 {
		rank = 1
	}
	return d[rank-1]
}

// ledger builds the per-department view of the hazards open now.
func ledger(ctx context.Context, st Store, now time.Time) ([]DepartmentLedger, error) {
	open := true
	byDept := map[string]*DepartmentLedger{}
	err := forEach(ctx, st, Filter{Open: &open}, func(h *Hazard) error {
		d := h.Department
		if d == "" {
			d = NoDepartment
		}
		l := byDept[d]
		if l == nil {
			l = &DepartmentLedger{Department: d}
			byDept[d] = l
		}
		l.Open++
		item := LedgerItem{ID: h.ID, Ref: h.Ref, Category: h.Category, State: h.State, CreatedAt: h.CreatedAt, Deadline: h.Deadline,
			Overdue: !h.Deadline.IsZero() && now.After(h.Deadline)}
		if item.Overdue {
			l.Overdue++
		}
		// List is newest first: keep the oldest MaxLedgerItems.
		l.Oldest = append(l.Oldest, item)
		if len(l.Oldest) > MaxLedgerItems {
			l.Oldest = l.Oldest[1:]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]DepartmentLedger, 0, len(byDept))
	for _, l := range byDept {
		slices.SortFunc(l.Oldest, func(a, b LedgerItem) int { return a.CreatedAt.Compare(b.CreatedAt) })
		out = append(out, *l)
	}
	slices.SortFunc(out, func(a, b DepartmentLedger) int {
		switch {
		case a.Department < b.Department:
			return -1
		case a.Department > b.Department:
			return 1
		}
		return 0
	})
	return out, nil
}
