package hazard

import (
	"bytes"
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Limits of a stats query.
const (
	// MaxStatsUnitIDs is the most units a StatsFilter names (a district's
	// units, say); more is CodeInvalid on "unit_ids".
	MaxStatsUnitIDs = 100_000
	// MaxStatsItems is the most hazards Stats.Items lists; a larger
	// StatsQuery.Items is CodeInvalid on "items".
	MaxStatsItems = 100_000
)

// StatsFilter selects the hazards that figures count. Zero fields do not
// filter; all set fields must match.
type StatsFilter struct {
	// Since and Until bound CreatedAt: since <= t < until; a zero bound
	// does not bound.
	Since time.Time
	Until time.Time
	// Department keeps the hazards assigned to the department.
	Department string
	// UnitIDs, when not nil, keeps the hazards found at one of the units
	// (Hazard.UnitID); an empty, non-nil list keeps none. At most
	// MaxStatsUnitIDs.
	UnitIDs []string
	// AtUnits keeps the hazards found at a unit (Hazard.UnitID set).
	AtUnits bool
	// Open keeps the hazards open now.
	Open bool
}

// Matches reports whether h passes every condition of f: the meaning of a
// StatsFilter, which every StatsReader keeps.
func (f *StatsFilter) Matches(h *Hazard) bool {
	return (f.Since.IsZero() || !h.CreatedAt.Before(f.Since)) &&
		(f.Until.IsZero() || h.CreatedAt.Before(f.Until)) &&
		(f.Department == "" || h.Department == f.Department) &&
		(f.UnitIDs == nil || slices.Contains(f.UnitIDs, h.UnitID)) &&
		(!f.AtUnits || h.UnitID != "") &&
		(!f.Open || h.Open())
}

// Validate returns CodeInvalid when f names more than MaxStatsUnitIDs
// units or bounds an empty period. Stores call it before they read.
func (f *StatsFilter) Validate() error {
	var p Problems
	if len(f.UnitIDs) > MaxStatsUnitIDs {
		p.Add("unit_ids", "names more than %d units: narrow it", MaxStatsUnitIDs)
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		p.Add("until", "must be after since")
	}
	return p.Err("stats")
}

// StatsQuery asks Service.StatsOf for figures: those of the hazards that
// Filter selects (its Open must be false: the open hazards are the
// ledger's), and optionally their list and the ledger of their scope.
type StatsQuery struct {
	Filter StatsFilter
	// Items, when positive, lists the selected hazards in Stats.Items,
	// oldest first (by CreatedAt, then ID), at most Items of them; at most
	// MaxStatsItems.
	Items int
	// Ledger fills Stats.Ledger with the hazards open now in the filter's
	// scope (Department, UnitIDs, AtUnits), whatever their submission
	// time.
	Ledger bool
}

// StatsRow is what figures count of one hazard: the projection of a Hazard
// that a StatsReader reads without decoding whole hazards.
type StatsRow struct {
	ID              uuid.UUID
	Ref             string
	Workflow        string
	WorkflowVersion int
	Category        string
	State           string
	Department      string
	UnitID          string
	Source          Source
	Severity        Severity
	CreatedAt       time.Time
	ClosedAt        time.Time // zero while open
	Deadline        time.Time
	// Rectified is a closed hazard with rectification evidence; Late one of
	// those whose events record a rectification reported after its
	// state's deadline (LateRectification).
	Rectified bool
	Late      bool
	// Aftercare is the hazard's aftercare (reopenings, "is it fixed?").
	Aftercare Aftercare
}

// StatsRowOf returns h's row; late is LateRectification of its events
// (only read for a rectified one: closed with evidence).
func StatsRowOf(h *Hazard, late bool) StatsRow {
	rectified := !h.Open() && len(h.Evidence) > 0
	return StatsRow{ID: h.ID, Ref: h.Ref, Workflow: h.Workflow, WorkflowVersion: h.WorkflowVersion, Category: h.Category,
		State: h.State, Department: h.Department, UnitID: h.UnitID, Source: h.Source, Severity: h.Severity,
		CreatedAt: h.CreatedAt.UTC(), ClosedAt: h.ClosedAt.UTC(), Deadline: h.Deadline.UTC(),
		Rectified: rectified, Late: rectified && late, Aftercare: h.Aftercare}
}

// LateRectification reports whether a hazard's events record a
// rectification (a transition with attachments) reported after its state's
// deadline (DataLate "true").
func LateRectification(events []Event) bool {
	for i := range events {
		e := &events[i]
		if e.Type == EventTransition && len(e.Attachments) > 0 && e.Data[DataLate] == "true" {
			return true
		}
	}
	return false
}

// StatsReader is an optional capability of a Store that reads what figures
// count through its own indexes, without decoding whole hazards. StatsRows
// calls yield once for every hazard that f matches (StatsFilter.Matches),
// in any order, with the row StatsRowOf(h, LateRectification(its events))
// would give (times in UTC); it stops at and returns yield's first error.
// An invalid filter (StatsFilter.Validate) is CodeInvalid. The row is the
// caller's only during the call. Service.StatsOf uses the capability when
// the store has it, and a walk of Store.List otherwise; hazardtest checks
// an adapter's rows against that walk.
type StatsReader interface {
	StatsRows(ctx context.Context, f StatsFilter, yield func(*StatsRow) error) error
}

// ReadStatsRows calls yield with the row of every hazard of st that f
// matches: through st's StatsReader capability when it has one, otherwise
// by paging through Store.List (one listing per unit of f.UnitIDs, else by
// department and period) and reading the events of each rectified hazard.
func ReadStatsRows(ctx context.Context, st Store, f StatsFilter, yield func(*StatsRow) error) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if r, ok := st.(StatsReader); ok {
		return r.StatsRows(ctx, f, yield)
	}
	lf := Filter{Department: f.Department, CreatedSince: f.Since, CreatedUntil: f.Until}
	if f.Open {
		open := true
		lf.Open = &open
	}
	rest := f // what a listing by unit leaves to check
	rest.UnitIDs = nil
	each := func(h *Hazard) error {
		if !rest.Matches(h) {
			return nil
		}
		late := false
		if !h.Open() && len(h.Evidence) > 0 {
			events, err := st.HazardEvents(ctx, h.ID)
			if err != nil {
				return err
			}
			late = LateRectification(events)
		}
		r := StatsRowOf(h, late)
		return yield(&r)
	}
	if f.UnitIDs == nil {
		return forEach(ctx, st, lf, each)
	}
	seen := make(map[string]bool, len(f.UnitIDs))
	for _, u := range f.UnitIDs {
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		lf.UnitID = u
		if err := forEach(ctx, st, lf, each); err != nil {
			return err
		}
	}
	return nil
}

// StatsOf returns the figures of the hazards q.Filter selects, counted at
// the service's clock: totals by state, category, department, source,
// outcome and reconciliation stage, closures, times to close,
// rectifications, major, open and overdue; with q.Items the hazards
// themselves, oldest first; with q.Ledger the ledger of the hazards open
// now in the filter's scope. It reads through the store's StatsReader
// capability when there is one (ReadStatsRows), and costs in proportion to
// the hazards selected. The caller decides who may see the figures. An
// invalid query (StatsFilter.Validate, Filter.Open set, Items out of
// range) is CodeInvalid.
func (s *Service) StatsOf(ctx context.Context, q StatsQuery) (Stats, error) {
	return QueryStats(ctx, s.store, s.processes, q, s.now())
}

// QueryStats is Service.StatsOf over any Store, with the outcomes and
// stages that the processes in ps declare, at now.
func QueryStats(ctx context.Context, st Store, ps *Processes, q StatsQuery, now time.Time) (Stats, error) {
	const op = "stats"
	var p Problems
	if q.Filter.Open {
		p.Add("open", "the open hazards are the ledger's: ask for Ledger")
	}
	if q.Items < 0 || q.Items > MaxStatsItems {
		p.Add("items", "must be 0 to %d", MaxStatsItems)
	}
	p.Merge("filter", q.Filter.Validate())
	if err := p.Err(op); err != nil {
		return Stats{}, err
	}
	t := newTally(ps, q, now.UTC())
	if err := ReadStatsRows(ctx, st, q.Filter, t.found); err != nil {
		return Stats{}, Wrap(op, err)
	}
	if q.Ledger {
		lf := StatsFilter{Department: q.Filter.Department, UnitIDs: q.Filter.UnitIDs, AtUnits: q.Filter.AtUnits, Open: true}
		if err := ReadStatsRows(ctx, st, lf, t.open); err != nil {
			return Stats{}, Wrap(op, err)
		}
	}
	return t.finish(), nil
}

// tally counts rows into Stats: the one place figures are counted.
type tally struct {
	ps        *Processes
	now       time.Time
	items     int
	out       Stats
	durations []time.Duration
	depts     map[string]*DepartmentLedger
}

func newTally(ps *Processes, q StatsQuery, now time.Time) *tally {
	t := &tally{ps: ps, now: now, items: q.Items, out: Stats{
		Since: q.Filter.Since.UTC(), Until: q.Filter.Until.UTC(),
		ByState: map[string]int{}, ByCategory: map[string]int{}, ByDepartment: map[string]int{}, BySource: map[Source]int{},
		ByOutcome: map[Outcome]int{}, ByStage: map[Stage]int{}, Aftercare: map[string]AftercareFigures{},
	}}
	if q.Ledger {
		t.depts = map[string]*DepartmentLedger{}
		t.out.Ledger = []DepartmentLedger{}
	}
	return t
}

// process returns r's process, nil when ps does not know it.
func (t *tally) process(r *StatsRow) *Process {
	if t.ps == nil {
		return nil
	}
	pr, err := t.ps.Get(r.Workflow, r.WorkflowVersion)
	if err != nil {
		return nil
	}
	return pr
}

// item returns r as a ledger item at the tally's time.
func (t *tally) item(r *StatsRow, pr *Process) LedgerItem { return itemOf(r, pr, t.now) }

// itemOf returns r as a ledger item at now, with the stage its state has
// reached in pr (none when pr is nil).
func itemOf(r *StatsRow, pr *Process, now time.Time) LedgerItem {
	it := LedgerItem{ID: r.ID, Ref: r.Ref, Category: r.Category, State: r.State, CreatedAt: r.CreatedAt, Deadline: r.Deadline,
		Overdue: r.Overdue(now), UnitID: r.UnitID, Department: r.Department, Source: r.Source, Severity: r.Severity}
	if pr != nil {
		it.Stage = pr.Stage(r.State)
	}
	return it
}

// Overdue reports whether the hazard of r is open (ClosedAt zero) past its
// deadline at now: the one meaning of overdue that Stats counts and its
// items show.
func (r *StatsRow) Overdue(now time.Time) bool {
	return r.ClosedAt.IsZero() && !r.Deadline.IsZero() && now.After(r.Deadline)
}

// LedgerItemOf returns r as Stats lists it among its items (and in its
// ledger) at now: its stage of reconciliation as the process in ps that
// runs it declares (none when ps does not know it), and whether it is
// overdue (StatsRow.Overdue). Readers that list hazards by pages of their
// own make their items with it, so that an item is the same whichever
// path listed it.
func LedgerItemOf(ps *Processes, r *StatsRow, now time.Time) LedgerItem {
	var pr *Process
	if ps != nil {
		pr, _ = ps.Get(r.Workflow, r.WorkflowVersion)
	}
	return itemOf(r, pr, now.UTC())
}

// found counts one hazard of the period.
func (t *tally) found(r *StatsRow) error {
	o := &t.out
	pr := t.process(r)
	it := t.item(r, pr)
	o.Total++
	o.ByState[r.State]++
	o.ByCategory[r.Category]++
	d := r.Department
	if d == "" {
		d = NoDepartment
	}
	o.ByDepartment[d]++
	o.BySource[r.Source]++
	if r.Aftercare != (Aftercare{}) {
		a := o.Aftercare[d]
		a.add(&r.Aftercare)
		o.Aftercare[d] = a
	}
	if r.Severity == SeverityMajor {
		o.Major++
	}
	for _, s := range stages {
		if it.Stage.Reached(s) {
			o.ByStage[s]++
		}
	}
	if r.ClosedAt.IsZero() {
		o.Open++
	} else {
		o.Closed++
		if pr != nil {
			if oc := pr.Outcome(r.State); oc != "" {
				o.ByOutcome[oc]++
			}
		}
		t.durations = append(t.durations, r.ClosedAt.Sub(r.CreatedAt))
	}
	if it.Overdue {
		o.Overdue++
	}
	if r.Rectified {
		o.Rectified++
		if !r.Late {
			o.RectifiedOnTime++
		}
	}
	if t.items > 0 {
		o.Items = append(o.Items, it)
	}
	return nil
}

// open counts one hazard open now into the ledger.
func (t *tally) open(r *StatsRow) error {
	d := r.Department
	if d == "" {
		d = NoDepartment
	}
	l := t.depts[d]
	if l == nil {
		l = &DepartmentLedger{Department: d}
		t.depts[d] = l
	}
	it := t.item(r, t.process(r))
	l.Open++
	if it.Overdue {
		l.Overdue++
	}
	l.Oldest = append(l.Oldest, it)
	return nil
}

func (t *tally) finish() Stats {
	o := &t.out
	if o.Total > 0 {
		o.ClosureRate = float64(o.Closed) / float64(o.Total)
	}
	if o.Rectified > 0 {
		o.RectifiedOnTimeRate = float64(o.RectifiedOnTime) / float64(o.Rectified)
	}
	slices.Sort(t.durations)
	o.MedianTimeToClose = percentile(t.durations, 50)
	o.P90TimeToClose = percentile(t.durations, 90)
	if t.items > 0 {
		slices.SortFunc(o.Items, compareItems)
		o.Items = slices.Clip(o.Items[:min(len(o.Items), t.items)])
	}
	for _, l := range t.depts {
		slices.SortFunc(l.Oldest, compareItems)
		l.Oldest = slices.Clip(l.Oldest[:min(len(l.Oldest), MaxLedgerItems)])
		o.Ledger = append(o.Ledger, *l)
	}
	slices.SortFunc(o.Ledger, func(a, b DepartmentLedger) int {
		switch {
		case a.Department < b.Department:
			return -1
		case a.Department > b.Department:
			return 1
		}
		return 0
	})
	return *o
}

// compareItems orders ledger items oldest first, then by ID.
func compareItems(a, b LedgerItem) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return bytes.Compare(a.ID[:], b.ID[:])
}
