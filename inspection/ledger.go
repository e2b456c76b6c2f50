package inspection

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Stages say which hazard states count at each stage of reconciliation
// (对账销号): a hazard in a later stage has passed the earlier ones. They
// are data, so that an integrator's own rectification process is counted
// without a change here.
type Stages struct {
	Ordered     []string // rectification was ordered
	Rectified   []string // the unit reported it rectified
	Reinspected []string // re-inspection passed
	ClosedOut   []string // closed out (销号)
}

// DefaultStages returns the stages of hazard.Rectification().
func DefaultStages() Stages {
	return Stages{
		Ordered:     []string{hazard.StateRectifying, hazard.StateRectified, hazard.StateAwaitingSignOff, hazard.StateClosedOut},
		Rectified:   []string{hazard.StateRectified, hazard.StateAwaitingSignOff, hazard.StateClosedOut},
		Reinspected: []string{hazard.StateAwaitingSignOff, hazard.StateClosedOut},
		ClosedOut:   []string{hazard.StateClosedOut},
	}
}

// LedgerQuery selects the hazards of a reconciliation ledger: those found
// at units (Hazard.UnitID set) that match every set field.
type LedgerQuery struct {
	UnitID     uuid.UUID
	Department string
	Industry   string // the unit's industry
	District   string // the unit's district
	// Since and Until bound when the hazards were found; zero for ever.
	Since time.Time
	Until time.Time
}

// MaxLedgerRows is the most hazards one ledger holds; a larger selection is
// CodeInvalid on "query" (narrow it by district or department).
const MaxLedgerRows = 100_000

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

// LedgerHazard is a hazard of a ledger with its unit's industry and
// district as the risk register holds them (empty for a unit the register
// does not know).
type LedgerHazard struct {
	Hazard   hazard.Hazard
	Industry string
	District string
}

// LedgerReader is an optional capability of a Store kept in the same
// database as the hazards and the risk register (pgstore's is): it reads
// the hazards of a ledger through its own indexes (a district's units,
// then their hazards) instead of walking the hazard store. LedgerHazards
// returns, in any order, at most limit hazards found at units
// (Hazard.UnitID set) that match every set field of q, District and
// Industry being the unit's. Without it the service lists the hazard
// store by unit or department and reads each unit from the register.
type LedgerReader interface {
	LedgerHazards(ctx context.Context, q LedgerQuery, limit int) ([]LedgerHazard, error)
}

// Ledger returns the reconciliation ledger of q to staff (CodeForbidden
// otherwise): every hazard found at a unit that matches q (District and
// Industry being the unit's, as the register holds them), oldest first,
// with its state, deadline and overdue flag at the service's clock, and
// the counts found, ordered, rectified, re-inspected, closed out, open and
// overdue (Stages). It reads the one hazard store, never a second copy:
// through the store's LedgerReader capability when it has one. More than
// MaxLedgerRows hazards is CodeInvalid.
func (s *Service) Ledger(ctx context.Context, user hazard.User, q LedgerQuery) (Ledger, error) {
	const op = "ledger"
	if err := staffOnly(op, user); err != nil {
		return Ledger{}, err
	}
	now := s.now()
	var hs []LedgerHazard
	var err error
	if lr, ok := s.store.(LedgerReader); ok {
		hs, err = lr.LedgerHazards(ctx, q, MaxLedgerRows+1)
	} else {
		hs, err = s.ledgerHazards(ctx, q)
	}
	if err != nil {
		return Ledger{}, hazard.Wrap(op, err)
	}
	if len(hs) > MaxLedgerRows {
		return Ledger{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "query", Message: "selects more than " + strconv.Itoa(MaxLedgerRows) + " hazards: narrow it"}
	}
	slices.SortFunc(hs, func(a, b LedgerHazard) int {
		if c := a.Hazard.CreatedAt.Compare(b.Hazard.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare(a.Hazard.ID[:], b.Hazard.ID[:])
	})
	l := Ledger{Query: q, At: now, Rows: make([]LedgerRow, 0, len(hs))}
	for i := range hs {
		h := &hs[i].Hazard
		overdue := h.Open() && !h.Deadline.IsZero() && now.After(h.Deadline)
		l.Rows = append(l.Rows, LedgerRow{ID: h.ID, Ref: h.Ref, UnitID: h.UnitID, Industry: hs[i].Industry, Department: h.Department,
			District: hs[i].District, Source: h.Source, Severity: h.Severity, State: h.State, FoundAt: h.CreatedAt,
			Deadline: h.Deadline, Overdue: overdue})
		l.Counts.add(&s.stages, h, overdue)
	}
	l.Counts.finish()
	return l, nil
}

// ledgerHazards walks the hazard store by unit or department and reads
// each unit once from the register.
func (s *Service) ledgerHazards(ctx context.Context, q LedgerQuery) ([]LedgerHazard, error) {
	f := hazard.Filter{Department: q.Department, CreatedSince: q.Since, CreatedUntil: q.Until}
	if q.UnitID != uuid.Nil {
		f.UnitID = q.UnitID.String()
	}
	type unitInfo struct{ industry, district string }
	units := map[string]unitInfo{}
	unitOf := func(unitID string) (unitInfo, error) {
		if u, ok := units[unitID]; ok {
			return u, nil
		}
		var info unitInfo
		if id, err := uuid.Parse(unitID); err == nil {
			u, err := s.units.GetUnit(ctx, id)
			if err != nil && hazard.ErrorCode(err) != hazard.CodeNotFound {
				return info, err
			}
			info = unitInfo{u.Industry, u.Location.District}
		}
		units[unitID] = info
		return info, nil
	}
	var out []LedgerHazard
	p := hazard.Page{Limit: hazard.MaxPageLimit}
	for {
		page, err := s.reader.List(ctx, f, p)
		if err != nil {
			return nil, err
		}
		for _, h := range page.Items {
			if h.UnitID == "" {
				continue
			}
			u, err := unitOf(h.UnitID)
			if err != nil {
				return nil, err
			}
			if q.District != "" && u.district != q.District || q.Industry != "" && u.industry != q.Industry {
				continue
			}
			out = append(out, LedgerHazard{Hazard: h, Industry: u.industry, District: u.district})
			if len(out) > MaxLedgerRows {
				return out, nil
			}
		}
		if page.Next == "" {
			return out, nil
		}
		p.Cursor = page.Next
	}
}

func (c *LedgerCounts) add(st *Stages, h *hazard.Hazard, overdue bool) {
	c.Found++
	if h.Severity == hazard.SeverityMajor {
		c.Major++
	}
	in := func(states []string) int {
		if slices.Contains(states, h.State) {
			return 1
		}
		return 0
	}
	c.Ordered += in(st.Ordered)
	c.Rectified += in(st.Rectified)
	c.Reinspected += in(st.Reinspected)
	c.ClosedOut += in(st.ClosedOut)
	if h.Open() {
		c.Open++
	}
	if overdue {
		c.Overdue++
	}
}

func (c *LedgerCounts) finish() {
	c.ZeroingPermille = 1000
	if c.Found > 0 {
		c.ZeroingPermille = (c.Found - c.Open) * 1000 / c.Found
	}
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
// department, or every department when department is empty. Staff only.
func (s *Service) Figures(ctx context.Context, user hazard.User, department string, since, until time.Time) (Figures, error) {
	const op = "figures"
	if err := staffOnly(op, user); err != nil {
		return Figures{}, err
	}
	if !until.After(since) {
		return Figures{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "until", Message: "must be after since"}
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
	l, err := s.Ledger(ctx, user, LedgerQuery{Department: department, Since: since, Until: until})
	if err != nil {
		return Figures{}, err
	}
	inspected := 0
	for _, r := range l.Rows {
		fg.BySource[r.Source]++
		if r.Source == hazard.SourceInspection {
			inspected++
		}
	}
	c := l.Counts
	fg.HazardsFound, fg.Major, fg.Rectified, fg.ClosedOut, fg.Overdue = c.Found, c.Major, c.Rectified, c.ClosedOut, c.Overdue
	if fg.Visits > 0 {
		fg.PerVisitPermille = inspected * 1000 / fg.Visits
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
