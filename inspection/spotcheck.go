package inspection

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Verdict is a supervision group's re-verification of one hazard.
type Verdict string

// The verdicts.
const (
	VerdictPending   Verdict = "pending"
	VerdictConfirmed Verdict = "confirmed" // the rectification is real
	VerdictFailed    Verdict = "failed"    // sham rectification: reopened
)

// MaxSpotCheckSize is the most hazards one spot check draws.
const MaxSpotCheckSize = 200

// SpotQuery selects the closed-out hazards a spot check draws from. It is
// kept with the spot check (SpotCheck.Query, "query" in its JSON).
type SpotQuery struct {
	Department string `json:"department,omitempty"`
	Industry   string `json:"industry,omitempty"`
	// Since and Until bound when the hazards were found; required.
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Size is how many to draw, 1 to MaxSpotCheckSize.
	Size int `json:"size"`
	// Seed makes the draw reproducible: the same seed over the same
	// hazards draws the same sample.
	Seed uint64 `json:"seed"`
}

// SpotItem is one drawn hazard and its verdict.
type SpotItem struct {
	HazardID uuid.UUID `json:"hazard_id"`
	UnitID   string    `json:"unit_id"`
	Verdict  Verdict   `json:"verdict"`
	Note     string    `json:"note,omitempty"`
	By       string    `json:"by,omitempty"`
	At       time.Time `json:"at,omitzero"`
}

// SpotCheck is a supervision group's spot check (督查): a seeded sample
// of closed-out hazards, each re-verified.
type SpotCheck struct {
	ID        uuid.UUID  `json:"id"`
	Query     SpotQuery  `json:"query"`
	Items     []SpotItem `json:"items"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	Version   int64      `json:"version"`
}

// SpotStatus is where a spot check stands.
type SpotStatus string

// The spot check statuses.
const (
	// SpotOpen: some drawn hazard awaits its verdict.
	SpotOpen SpotStatus = "open"
	// SpotDone: every drawn hazard has its verdict (a spot check that drew
	// none is done).
	SpotDone SpotStatus = "done"
)

// Valid reports whether s is a known status.
func (s SpotStatus) Valid() bool { return s == SpotOpen || s == SpotDone }

// Status returns where sc stands: SpotOpen while an item is pending,
// SpotDone otherwise.
func (sc *SpotCheck) Status() SpotStatus {
	if sc.Has(VerdictPending) {
		return SpotOpen
	}
	return SpotDone
}

// Has reports whether some item of sc has the verdict v.
func (sc *SpotCheck) Has(v Verdict) bool {
	return slices.ContainsFunc(sc.Items, func(it SpotItem) bool { return it.Verdict == v })
}

// Tally counts sc's items by verdict; every verdict is present.
func (sc *SpotCheck) Tally() map[Verdict]int {
	out := map[Verdict]int{VerdictPending: 0, VerdictConfirmed: 0, VerdictFailed: 0}
	for _, it := range sc.Items {
		out[it.Verdict]++
	}
	return out
}

// Valid reports whether v is a known verdict.
func (v Verdict) Valid() bool {
	return v == VerdictPending || v == VerdictConfirmed || v == VerdictFailed
}

// Limits of spot check listings.
const (
	// MaxSpotCheckPageLimit is the most spot checks one page lists (each
	// holds up to MaxSpotCheckSize items); a larger limit is capped.
	MaxSpotCheckPageLimit = 50
)

// SpotPageLimit returns the spot checks a page of p holds, after the
// default (hazard.DefaultPageLimit) and the cap (MaxSpotCheckPageLimit),
// or CodeInvalid on "limit" for a negative limit.
func SpotPageLimit(p hazard.Page) (int, error) {
	switch {
	case p.Limit < 0:
		return 0, &hazard.Error{Code: hazard.CodeInvalid, Op: "spot checks", Field: "limit", Message: "must not be negative"}
	case p.Limit == 0:
		return min(hazard.DefaultPageLimit, MaxSpotCheckPageLimit), nil
	case p.Limit > MaxSpotCheckPageLimit:
		return MaxSpotCheckPageLimit, nil
	}
	return p.Limit, nil
}

// SpotFilter selects spot checks in ListSpotChecks; zero fields do not
// filter, and all set fields must match.
type SpotFilter struct {
	// Department keeps the spot checks drawn from the department's hazards
	// (Query.Department); a spot check drawn across departments has none.
	Department string
	// UnitID keeps the spot checks that drew a hazard of the unit.
	UnitID uuid.UUID
	// Status keeps the open or the done spot checks.
	Status SpotStatus
	// Verdict keeps the spot checks with an item of that verdict:
	// VerdictFailed those that found a sham rectification.
	Verdict Verdict
	// Since and Until bound CreatedAt: since <= t < until.
	Since time.Time
	Until time.Time
}

// Validate reports every problem of f as one CodeInvalid error: a known
// status and verdict, and a period that is not empty.
func (f *SpotFilter) Validate() error {
	var p hazard.Problems
	if f.Status != "" && !f.Status.Valid() {
		p.Add("status", "must be open or done")
	}
	if f.Verdict != "" && !f.Verdict.Valid() {
		p.Add("verdict", "must be pending, confirmed or failed")
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		p.Add("until", "must be after since")
	}
	return p.Err("spot checks")
}

// Matches reports whether sc passes every condition of f: the meaning of a
// filter, which every Store's ListSpotChecks keeps.
func (f *SpotFilter) Matches(sc *SpotCheck) bool {
	unit := f.UnitID.String()
	return (f.Department == "" || sc.Query.Department == f.Department) &&
		(f.UnitID == uuid.Nil || slices.ContainsFunc(sc.Items, func(it SpotItem) bool { return it.UnitID == unit })) &&
		(f.Status == "" || sc.Status() == f.Status) &&
		(f.Verdict == "" || sc.Has(f.Verdict)) &&
		(f.Since.IsZero() || !sc.CreatedAt.Before(f.Since)) &&
		(f.Until.IsZero() || sc.CreatedAt.Before(f.Until))
}

// SpotCheckList is one page of spot checks, newest first (by ID).
type SpotCheckList struct {
	Items []SpotCheck
	// Next is the cursor of the following page; empty on the last page.
	Next string
}

// Clone returns a deep copy of sc.
func (sc SpotCheck) Clone() SpotCheck {
	sc.Items = slices.Clone(sc.Items)
	return sc
}

// Validate reports every problem of a stored spot check as one
// CodeInvalid error: an ID, a creator and time, at most MaxSpotCheckSize
// items, each a hazard drawn once with a known verdict.
func (sc *SpotCheck) Validate() error {
	var p hazard.Problems
	if sc.ID == uuid.Nil {
		p.Add("id", "is required")
	}
	if sc.CreatedBy == "" || sc.CreatedAt.IsZero() {
		p.Add("created_by", "a spot check has a creator and a time")
	}
	if len(sc.Items) > MaxSpotCheckSize {
		p.Add("items", "must be at most %d", MaxSpotCheckSize)
	}
	for i, it := range sc.Items {
		at := "items[" + strconv.Itoa(i) + "]"
		if it.HazardID == uuid.Nil || slices.IndexFunc(sc.Items, func(o SpotItem) bool { return o.HazardID == it.HazardID }) != i {
			p.Add(at+".hazard_id", "must be a hazard drawn once")
		}
		if !it.Verdict.Valid() {
			p.Add(at+".verdict", "must be pending, confirmed or failed")
		}
	}
	return p.Err("spot check")
}

// The event types of spot checks (subject kind "spot_check").
const (
	SubjectSpotCheck  hazard.SubjectKind = "spot_check"
	EventSpotDrawn    hazard.EventType   = "spot_check_drawn"
	EventSpotVerified hazard.EventType   = "spot_check_verified"
	DataHazardID                         = "hazard_id"
	DataVerdict                          = "verdict"
)

// SpotSubject returns the subject of the spot check id's events.
func SpotSubject(id uuid.UUID) hazard.Subject {
	return hazard.Subject{Kind: SubjectSpotCheck, ID: id.String()}
}

func supervisor(op string, u hazard.User) error {
	if err := signedIn(op, u); err != nil {
		return err
	}
	switch u.Role {
	case string(hazard.RoleSupervisor), string(hazard.RoleReviewer), string(hazard.RoleAdmin):
		return nil
	}
	return &hazard.Error{Code: hazard.CodeForbidden, Op: op, Message: "supervision groups only"}
}

// DrawSpotCheck draws a reproducible sample of the closed-out hazards
// (hazard.StageClosedOut) found at units in q's period, of q's department and
// industry: the candidates sorted by ID and shuffled by a generator seeded
// with q.Seed, the first q.Size kept. A supervisor, reviewer or admin only
// (CodeForbidden). The spot check and its event are stored together.
func (s *Service) DrawSpotCheck(ctx context.Context, user hazard.User, q SpotQuery) (SpotCheck, error) {
	const op = "draw spot check"
	if err := supervisor(op, user); err != nil {
		return SpotCheck{}, err
	}
	var p hazard.Problems
	if q.Since.IsZero() || !q.Until.After(q.Since) {
		p.Add("until", "the period needs a start and an end after it")
	}
	if q.Size < 1 || q.Size > MaxSpotCheckSize {
		p.Add("size", "must be 1 to %d", MaxSpotCheckSize)
	}
	if err := p.Err(op); err != nil {
		return SpotCheck{}, err
	}
	l, err := s.Ledger(ctx, user, LedgerQuery{Department: q.Department, Industry: q.Industry, Since: q.Since, Until: q.Until})
	if err != nil {
		return SpotCheck{}, hazard.Wrap(op, err)
	}
	var pool []LedgerRow
	for _, r := range l.Rows {
		if r.Stage == hazard.StageClosedOut {
			pool = append(pool, r)
		}
	}
	slices.SortFunc(pool, func(a, b LedgerRow) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	rng := rand.New(rand.NewPCG(q.Seed, q.Seed^0x9e3779b97f4a7c15))
	rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	pool = pool[:min(q.Size, len(pool))]
	now := s.now()
	sc := SpotCheck{ID: s.newID(), Query: q, CreatedBy: user.ID, CreatedAt: now, Version: 1, Items: make([]SpotItem, 0, len(pool))}
	for _, r := range pool {
		sc.Items = append(sc.Items, SpotItem{HazardID: r.ID, UnitID: r.UnitID, Verdict: VerdictPending})
	}
	ev := hazard.Event{Subject: SpotSubject(sc.ID), Type: EventSpotDrawn, Actor: user.Actor(), Time: now,
		Data: map[string]string{"size": strconv.Itoa(len(sc.Items))}}
	stored, err := s.store.CreateSpotCheck(ctx, sc, []hazard.Event{ev})
	return stored, hazard.Wrap(op, err)
}

// VerifyInput is a re-verification of one drawn hazard.
type VerifyInput struct {
	ExpectedVersion int64
	HazardID        uuid.UUID
	// Passed is true when the rectification is real.
	Passed bool
	// Note is required when it failed: it is the reopening's reason.
	Note string
}

// Verify records a supervision group's re-verification of one hazard of
// the spot check id. A failed one reopens the hazard into rectification
// (hazard action reopen, in the supervisor's name, with the note as
// reason) and records a sham rectification at its unit (RiskRecorder
// RecordSham, which feeds the unit's grade) before the verdict is stored
// with its event; a retry after a crash in between finds the hazard
// reopened already and completes the rest. A hazard not drawn is
// CodeInvalid on "hazard_id"; one verified already CodeConflict.
func (s *Service) Verify(ctx context.Context, user hazard.User, id uuid.UUID, in VerifyInput) (SpotCheck, error) {
	const op = "verify"
	if err := supervisor(op, user); err != nil {
		return SpotCheck{}, err
	}
	sc, err := s.store.GetSpotCheck(ctx, id)
	if err != nil {
		return SpotCheck{}, hazard.Wrap(op, err)
	}
	in.Note = hazard.NormalizeText(in.Note)
	var p hazard.Problems
	i := slices.IndexFunc(sc.Items, func(it SpotItem) bool { return it.HazardID == in.HazardID })
	if i < 0 {
		p.Add("hazard_id", "is not drawn in this spot check")
	}
	if !in.Passed && in.Note == "" {
		p.Add("note", "is required when the re-verification fails")
	}
	hazard.CheckText(&p, "note", in.Note, 0, MaxNoteLen)
	if err := p.Err(op); err != nil {
		return SpotCheck{}, err
	}
	if sc.Items[i].Verdict != VerdictPending {
		return SpotCheck{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "hazard_id", Message: "already verified", Version: sc.Version}
	}
	if in.ExpectedVersion != sc.Version {
		return SpotCheck{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "expected_version", Message: "the spot check changed: reload it", Version: sc.Version}
	}
	now := s.now()
	verdict := VerdictConfirmed
	if !in.Passed {
		verdict = VerdictFailed
		h, err := s.reader.Get(ctx, in.HazardID)
		if err != nil {
			return SpotCheck{}, hazard.Wrap(op, err)
		}
		if !h.Open() { // drawn closed out; a hazard reopened since stays as it is
			if _, err := s.hazards.Act(ctx, user, h.ID, hazard.ActionReopen, hazard.ActInput{ExpectedVersion: h.Version, Note: in.Note}); err != nil {
				return SpotCheck{}, hazard.Wrap(op, err)
			}
		}
		if unitID, err := uuid.Parse(h.UnitID); err == nil {
			if _, err := s.risk.RecordSham(ctx, s.system, unitID, now); err != nil && !errors.Is(err, hazard.ErrNotFound) {
				return SpotCheck{}, hazard.Wrap(op, err)
			}
		}
	}
	sc.Items[i] = SpotItem{HazardID: in.HazardID, UnitID: sc.Items[i].UnitID, Verdict: verdict, Note: in.Note, By: user.ID, At: now}
	ev := hazard.Event{Subject: SpotSubject(sc.ID), Type: EventSpotVerified, Actor: user.Actor(), Time: now,
		Data: map[string]string{DataHazardID: in.HazardID.String(), DataVerdict: string(verdict)}}
	stored, err := s.store.UpdateSpotCheck(ctx, sc, in.ExpectedVersion, []hazard.Event{ev})
	if err != nil {
		return SpotCheck{}, hazard.Wrap(op, err)
	}
	s.metrics.verdict(verdict)
	return stored, nil
}
