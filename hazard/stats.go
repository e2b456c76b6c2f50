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

// Stats are the figures of the hazards submitted in a period (and, for
// StatsOf, in a scope: a department, some units).
type Stats struct {
	// Since and Until bound the period: Since <= CreatedAt < Until (a zero
	// bound does not bound).
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
	// Major counts the major hazards (SeverityMajor); Open those still
	// open; Overdue those open past their state's deadline.
	Major   int `json:"major"`
	Open    int `json:"open"`
	Overdue int `json:"overdue"`
	// ByStage counts the hazards by the stages of reconciliation they have
	// reached (StateMeaning.Stage): a hazard counts in its state's stage
	// and in every earlier one.
	ByStage map[Stage]int `json:"by_stage"`
	// Items lists the hazards counted, oldest first, when the query asks
	// for them (StatsQuery.Items).
	Items []LedgerItem `json:"items,omitempty"`
	// Ledger is the dynamic-zeroing view (对账): per department, sorted by
	// code, the hazards still open now whatever their submission time,
	// oldest first (when the query asks for it: StatsQuery.Ledger).
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
	// UnitID, Department, Source and Severity are the hazard's; Stage the
	// stage of reconciliation its state has reached.
	UnitID     string   `json:"unit_id,omitempty"`
	Department string   `json:"department,omitempty"`
	Source     Source   `json:"source,omitempty"`
	Severity   Severity `json:"severity,omitempty"`
	Stage      Stage    `json:"stage,omitempty"`
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

// Stats returns the figures of the hazards submitted in [since, until) and
// the ledger of the hazards open now: StatsOf with that period and Ledger.
func (s *Service) Stats(ctx context.Context, since, until time.Time) (Stats, error) {
	if !until.After(since) {
		return Stats{}, &Error{Code: CodeInvalid, Op: "stats", Field: "until", Message: "must be after since"}
	}
	return s.StatsOf(ctx, StatsQuery{Filter: StatsFilter{Since: since.UTC(), Until: until.UTC()}, Ledger: true})
}

// ComputeStats computes the figures of the hazards of st submitted in
// [since, until) and the ledger of those open now, with the outcomes and
// stages that the processes in ps declare: QueryStats with that period and
// Ledger. Without the StatsReader capability it pages through the period's
// hazards and the open ones and reads the events of each rectified hazard:
// fine for a monthly report of a city, not for every page view.
func ComputeStats(ctx context.Context, st Store, ps *Processes, since, until, now time.Time) (Stats, error) {
	return QueryStats(ctx, st, ps, StatsQuery{Filter: StatsFilter{Since: since.UTC(), Until: until.UTC()}, Ledger: true}, now)
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
