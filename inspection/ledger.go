package inspection

import (
	"context"
	"encoding/csv"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

// LedgerQuery selects the hazards of a reconciliation ledger: those found
// at units (Hazard.UnitID set) that match every set field.
type LedgerQuery struct {
	UnitID     uuid.UUID `json:"unit_id,omitzero"`
	Department string    `json:"department,omitempty"`
	Industry   string    `json:"industry,omitempty"` // the unit's industry
	District   string    `json:"district,omitempty"` // the unit's district
	// Since and Until bound when the hazards were found; zero for ever.
	Since time.Time `json:"since,omitzero"`
	Until time.Time `json:"until,omitzero"`
}

// MaxLedgerRows is the most hazards one ledger holds; a larger selection is
// CodeInvalid on "query" (narrow it by district or department).
const MaxLedgerRows = hazard.MaxStatsItems

// LedgerRow is one hazard of a ledger: no reporter identity.
type LedgerRow struct {
	ID         uuid.UUID       `json:"id"`
	Ref        string          `json:"ref"`
	UnitID     string          `json:"unit_id"`
	Industry   string          `json:"industry"`
	Department string          `json:"department"`
	District   string          `json:"district"`
	Source     hazard.Source   `json:"source"`
	Severity   hazard.Severity `json:"severity"`
	State      string          `json:"state"`
	FoundAt    time.Time       `json:"found_at"`
	Deadline   time.Time       `json:"deadline,omitzero"`
	Overdue    bool            `json:"overdue,omitempty"`
	// Stage is the stage of reconciliation the hazard's state has reached
	// (hazard.StateMeaning.Stage).
	Stage hazard.Stage `json:"stage,omitempty"`
}

// LedgerCounts are the reconciliation counts of a ledger.
type LedgerCounts struct {
	Found       int `json:"found"`
	Major       int `json:"major"`
	Ordered     int `json:"ordered"`
	Rectified   int `json:"rectified"`
	Reinspected int `json:"reinspected"`
	ClosedOut   int `json:"closed_out"`
	Open        int `json:"open"`
	Overdue     int `json:"overdue"`
	// ZeroingPermille is the dynamic-zeroing progress (动态清零): the closed
	// (terminal) hazards per thousand found; 1000 when none was found.
	ZeroingPermille int `json:"zeroing_permille"`
}

// Ledger is a reconciliation ledger: every hazard selected, oldest first,
// and their counts.
type Ledger struct {
	Query  LedgerQuery  `json:"query"`
	Rows   []LedgerRow  `json:"rows"`
	Counts LedgerCounts `json:"counts"`
	At     time.Time    `json:"at"`
}

// Ledger returns the reconciliation ledger of q to staff (CodeForbidden
// otherwise; a confined user's is their department's,
// risk.DepartmentScope): every hazard found at a unit that matches q
// (District and Industry being the unit's, as the register holds them),
// oldest first, with its state, stage, deadline and overdue flag at the
// service's clock, and the counts found, ordered, rectified, re-inspected,
// closed out, open and overdue.
//
// It composes the hazard figures, never a second copy of them: the units
// of q's district or industry come from the register's index
// (risk.Store.UnitRefs), and the hazards and their counts from one
// hazard.StatsQuery over those units (hazard.Service.StatsOf, which reads
// the hazard store's index by unit); the counts are the query's Stats
// (Total, Major, ByStage, Open, Overdue). More than MaxLedgerRows hazards,
// or a district or industry of risk.MaxUnitRefs units or more, is
// CodeInvalid on "query".
func (s *Service) Ledger(ctx context.Context, user hazard.User, q LedgerQuery) (Ledger, error) {
	const op = "ledger"
	if err := staffOnly(op, user); err != nil {
		return Ledger{}, err
	}
	dept, err := risk.DepartmentScope(op, user, q.Department)
	if err != nil {
		return Ledger{}, err
	}
	q.Department = dept
	l := Ledger{Query: q, At: s.now(), Rows: []LedgerRow{}}
	f, refs, err := s.ledgerScope(ctx, op, q)
	if err != nil {
		return Ledger{}, err
	}
	st, err := s.hazards.StatsOf(ctx, hazard.StatsQuery{Filter: f, Items: MaxLedgerRows})
	if err != nil {
		return Ledger{}, hazard.Wrap(op, err)
	}
	if st.Total > MaxLedgerRows {
		return Ledger{}, tooLarge(op, strconv.Itoa(MaxLedgerRows)+" hazards")
	}
	if refs == nil {
		if refs, err = s.refsOf(ctx, st.Items); err != nil {
			return Ledger{}, hazard.Wrap(op, err)
		}
	}
	for _, it := range st.Items {
		u := refs[it.UnitID]
		l.Rows = append(l.Rows, LedgerRow{ID: it.ID, Ref: it.Ref, UnitID: it.UnitID, Industry: u.Industry, Department: it.Department,
			District: u.District, Source: it.Source, Severity: it.Severity, State: it.State, FoundAt: it.CreatedAt,
			Deadline: it.Deadline, Overdue: it.Overdue, Stage: it.Stage})
	}
	l.Counts = countsOf(&st)
	return l, nil
}

func tooLarge(op, what string) error {
	return &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "query", Message: "selects more than " + what + ": narrow it"}
}

// ledgerScope returns the hazard filter of q and, when q names a unit, a
// district or an industry, the refs of the units it covers by unit ID.
func (s *Service) ledgerScope(ctx context.Context, op string, q LedgerQuery) (hazard.StatsFilter, map[string]risk.UnitRef, error) {
	f := hazard.StatsFilter{Department: q.Department, Since: q.Since, Until: q.Until, AtUnits: true}
	var refs []risk.UnitRef
	var err error
	switch {
	case q.UnitID != uuid.Nil:
		if refs, err = s.units.UnitRefsOf(ctx, []uuid.UUID{q.UnitID}); err != nil {
			return f, nil, hazard.Wrap(op, err)
		}
		if len(refs) == 0 { // a unit the register does not know: its hazards, without a place
			refs = []risk.UnitRef{{ID: q.UnitID}}
		}
		refs = slices.DeleteFunc(refs, func(r risk.UnitRef) bool {
			return q.District != "" && r.District != q.District || q.Industry != "" && r.Industry != q.Industry
		})
	case q.District != "" || q.Industry != "":
		if refs, err = s.units.UnitRefs(ctx, risk.UnitFilter{District: q.District, Industry: q.Industry}, risk.MaxUnitRefs); err != nil {
			return f, nil, hazard.Wrap(op, err)
		}
		if len(refs) >= risk.MaxUnitRefs {
			return f, nil, tooLarge(op, strconv.Itoa(risk.MaxUnitRefs-1)+" units")
		}
	default:
		return f, nil, nil
	}
	byID := make(map[string]risk.UnitRef, len(refs))
	f.UnitIDs = make([]string, 0, len(refs))
	for _, r := range refs {
		id := r.ID.String()
		byID[id] = r
		f.UnitIDs = append(f.UnitIDs, id)
	}
	return f, byID, nil
}

// refsOf returns the register's refs of the units of items by unit ID; a
// unit the register does not know has none.
func (s *Service) refsOf(ctx context.Context, items []hazard.LedgerItem) (map[string]risk.UnitRef, error) {
	seen := map[string]bool{}
	var ids []uuid.UUID
	for _, it := range items {
		if seen[it.UnitID] {
			continue
		}
		seen[it.UnitID] = true
		if id, err := uuid.Parse(it.UnitID); err == nil && id.String() == it.UnitID {
			ids = append(ids, id)
		}
	}
	out := make(map[string]risk.UnitRef, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), risk.MaxUnitRefs)
		refs, err := s.units.UnitRefsOf(ctx, ids[:n])
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			out[r.ID.String()] = r
		}
		ids = ids[n:]
	}
	return out, nil
}

// countsOf returns the reconciliation counts of st.
func countsOf(st *hazard.Stats) LedgerCounts {
	c := LedgerCounts{Found: st.Total, Major: st.Major, Ordered: st.ByStage[hazard.StageOrdered],
		Rectified: st.ByStage[hazard.StageRectified], Reinspected: st.ByStage[hazard.StageReinspected],
		ClosedOut: st.ByStage[hazard.StageClosedOut], Open: st.Open, Overdue: st.Overdue, ZeroingPermille: 1000}
	if c.Found > 0 {
		c.ZeroingPermille = (c.Found - c.Open) * 1000 / c.Found
	}
	return c
}

// WriteCSV writes the ledger's rows as CSV in UTF-8 with a byte order mark
// (so that spreadsheet programs read the Chinese text right), a header row
// first; times are RFC 3339 in UTC.
func (l *Ledger) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"ref", "id", "unit_id", "industry", "department", "district", "source", "severity", "state", "found_at", "deadline", "overdue"})
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, r := range l.Rows {
		_ = cw.Write([]string{r.Ref, r.ID.String(), r.UnitID, r.Industry, r.Department, r.District, string(r.Source), string(r.Severity),
			r.State, ts(r.FoundAt), ts(r.Deadline), strconv.FormatBool(r.Overdue)})
	}
	cw.Flush()
	return cw.Error()
}

// Figures are a campaign's figures for a period, counted as the published
// figures are: visits (家次) are finished enforcement visits; hazards found
// are those their visits and self-checks raised in the period.
type Figures struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Visits counts finished enforcement inspections; SelfChecks finished
	// self-checks.
	Visits     int `json:"visits"`
	SelfChecks int `json:"self_checks"`
	// HazardsFound, Major and ClosedOut count the hazards found at units in
	// the period (LedgerCounts); BySource splits HazardsFound.
	HazardsFound int                   `json:"hazards_found"`
	BySource     map[hazard.Source]int `json:"by_source"`
	Major        int                   `json:"major"`
	Rectified    int                   `json:"rectified"`
	ClosedOut    int                   `json:"closed_out"`
	Overdue      int                   `json:"overdue"`
	// PerVisitPermille is inspection hazards found per thousand visits;
	// RectificationPermille is rectified per thousand found.
	PerVisitPermille      int `json:"per_visit_permille"`
	RectificationPermille int `json:"rectification_permille"`
	// TrainedOnSite counts the people trained on site at finished visits;
	// TrainingSessions and TrainingAttendees count the training records by
	// kind.
	TrainedOnSite int `json:"trained_on_site"`
	// OrdersIssued counts the supervision orders issued in the period by
	// the rung they stand on now; OrdersOpen those of them still open.
	OrdersIssued      map[Level]int        `json:"orders_issued"`
	OrdersOpen        map[Level]int        `json:"orders_open"`
	TrainingSessions  map[TrainingKind]int `json:"training_sessions"`
	TrainingAttendees map[TrainingKind]int `json:"training_attendees"`
}

// Figures returns the campaign figures of [since, until) for one
// department, or every department when department is empty (a confined
// user's are their department's). Staff only. The hazard counts are those
// of one hazard.StatsQuery of the hazards found at units in the period
// (hazard.Service.StatsOf: BySource, Major, ByStage, Overdue), the same
// counting as the ledger's.
func (s *Service) Figures(ctx context.Context, user hazard.User, department string, since, until time.Time) (Figures, error) {
	const op = "figures"
	if err := staffOnly(op, user); err != nil {
		return Figures{}, err
	}
	if !until.After(since) {
		return Figures{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "until", Message: "must be after since"}
	}
	department, err := risk.DepartmentScope(op, user, department)
	if err != nil {
		return Figures{}, err
	}
	fg := Figures{Since: since, Until: until, BySource: map[hazard.Source]int{},
		TrainingSessions: map[TrainingKind]int{}, TrainingAttendees: map[TrainingKind]int{},
		OrdersIssued: map[Level]int{}, OrdersOpen: map[Level]int{}}
	f := InspectionFilter{Department: department, FinishedSince: since, FinishedUntil: until}
	p := hazard.Page{Limit: hazard.MaxPageLimit}
	for {
		page, err := s.store.ListInspections(ctx, f, p)
		if err != nil {
			return Figures{}, hazard.Wrap(op, err)
		}
		for _, v := range page.Items {
			if v.Kind == KindEnforcement {
				fg.Visits++
			} else {
				fg.SelfChecks++
			}
			fg.TrainedOnSite += v.Trained.Count
		}
		if page.Next == "" {
			break
		}
		p.Cursor = page.Next
	}
	st, err := s.hazards.StatsOf(ctx, hazard.StatsQuery{Filter: hazard.StatsFilter{Department: department, Since: since, Until: until, AtUnits: true}})
	if err != nil {
		return Figures{}, hazard.Wrap(op, err)
	}
	maps.Copy(fg.BySource, st.BySource)
	c := countsOf(&st)
	fg.HazardsFound, fg.Major, fg.Rectified, fg.ClosedOut, fg.Overdue = c.Found, c.Major, c.Rectified, c.ClosedOut, c.Overdue
	if fg.Visits > 0 {
		fg.PerVisitPermille = st.BySource[hazard.SourceInspection] * 1000 / fg.Visits
	}
	if c.Found > 0 {
		fg.RectificationPermille = c.Rectified * 1000 / c.Found
	}
	tf := TrainingFilter{Department: department, Since: since, Until: until}
	p = hazard.Page{Limit: hazard.MaxPageLimit}
	for {
		page, err := s.store.ListTrainings(ctx, tf, p)
		if err != nil {
			return Figures{}, hazard.Wrap(op, err)
		}
		for _, t := range page.Items {
			fg.TrainingSessions[t.Kind]++
			fg.TrainingAttendees[t.Kind] += t.Attendees
		}
		if page.Next == "" {
			break
		}
		p.Cursor = page.Next
	}
	of := OrderFilter{Department: department}
	p = hazard.Page{Limit: hazard.MaxPageLimit}
	for {
		page, err := s.store.ListOrders(ctx, of, p)
		if err != nil {
			return Figures{}, hazard.Wrap(op, err)
		}
		for _, o := range page.Items {
			if o.IssuedAt.Before(since) || !o.IssuedAt.Before(until) {
				continue
			}
			fg.OrdersIssued[o.Level]++
			if o.Status == OrderOpen {
				fg.OrdersOpen[o.Level]++
			}
		}
		if page.Next == "" {
			break
		}
		p.Cursor = page.Next
	}
	return fg, nil
}
