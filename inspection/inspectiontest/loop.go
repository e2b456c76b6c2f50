package inspectiontest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

// Stores are the empty stores of one run of the loop: the hazard store
// (whose log every subject shares), the relay's cursors, the risk register
// and the inspection store, all on the same log.
type Stores struct {
	Hazards    hazard.Store
	Cursors    relay.Cursors
	Risk       risk.Store
	Inspection inspection.Store
}

// Loop is the services of one run of the regulators' loop over Stores.
type Loop struct {
	Clock      *hazardtest.Clock
	Hazards    *hazard.Service
	Risk       *risk.Service
	Inspection *inspection.Service
	Relay      *relay.Relay
	Stores     Stores
}

// NewLoop wires the services over s with a clock standing at Epoch.
func NewLoop(t *testing.T, s Stores) *Loop {
	t.Helper()
	l := &Loop{Clock: hazardtest.NewClock(Epoch), Stores: s}
	var err error
	l.Hazards, err = hazard.NewService(hazard.ServiceConfig{Store: s.Hazards, Clock: l.Clock.Now})
	require.NoError(t, err)
	l.Risk, err = risk.New(risk.Config{Store: s.Risk, Hazards: s.Hazards, Clock: l.Clock.Now})
	require.NoError(t, err)
	l.Inspection, err = inspection.New(inspection.Config{Store: s.Inspection, Units: s.Risk, Hazards: l.Hazards,
		HazardStore: s.Hazards, Risk: l.Risk, Clock: l.Clock.Now})
	require.NoError(t, err)
	l.Relay, err = relay.New(s.Hazards, s.Cursors, relay.Config{Consumers: []relay.Consumer{l.Inspection.Consumer(), l.Risk.Consumer()}, Clock: l.Clock.Now})
	require.NoError(t, err)
	return l
}

// Drain feeds the log to the consumers until they are caught up.
func (l *Loop) Drain(t *testing.T) {
	t.Helper()
	require.NoError(t, l.Relay.Drain(ctx))
}

// Photo is a well-formed photo reference.
func Photo(n int) hazard.Photo {
	return hazard.Photo{SHA256: strings.Repeat(string(rune('a'+n%6)), 64), ContentType: hazard.TypePNG, Size: 1024}
}

// The users of the loop.
var (
	Officer    = hazard.User{ID: "officer-1", Role: string(hazard.RoleAdmin)}
	Inspector1 = hazard.User{ID: "insp-1", Role: string(hazard.RoleInspector), Department: "emergency"}
	Inspector2 = hazard.User{ID: "insp-2", Role: string(hazard.RoleInspector), Department: "emergency"}
	Reviewer   = hazard.User{ID: "rev-1", Role: string(hazard.RoleReviewer)}
	Supervisor = hazard.User{ID: "sup-1", Role: string(hazard.RoleSupervisor)}
)

// TestLoop drives the whole regulators' loop over the stores open
// returns: a unit and its risk point graded, a plan drawn, an enforcement
// inspection finished raising hazards from the log, the unit rectifying,
// re-inspection and close-out, a spot check that reopens one, with the
// unit's grade, the ledger and the figures checked at every step.
func TestLoop(t *testing.T, open func(t *testing.T) Stores) {
	l := NewLoop(t, open(t))
	day := func(d int) { l.Clock.Advance(time.Duration(d) * hazard.Day) }
	grade := func(id uuid.UUID) risk.Unit {
		t.Helper()
		u, err := l.Stores.Risk.GetUnit(ctx, id)
		require.NoError(t, err)
		return u
	}
	ledger := func() inspection.Ledger {
		t.Helper()
		q := inspection.LedgerQuery{District: "110101"}
		lg, err := l.Inspection.Ledger(ctx, Officer, q)
		require.NoError(t, err)
		// A page of the ledger, through the store's LedgerReader when it
		// has one, shows the same rows and counts.
		pg, err := l.Inspection.LedgerPage(ctx, Officer, q, hazard.Page{Limit: inspection.MaxLedgerPageLimit})
		require.NoError(t, err)
		assert.Equal(t, lg.Rows, pg.Rows, "the ledger page's rows")
		assert.Equal(t, lg.Counts, pg.Counts, "the ledger page's counts")
		return lg
	}

	// A unit and a risk point: L 3 × E 6 × C 7 = 126, yellow.
	unit, err := l.Risk.RegisterUnit(ctx, Officer, risk.UnitInput{
		CreditCode: risktest.CreditCode(4242), Name: "Harbour Chemicals", Industry: "hazardous_chemicals", Size: risk.SizeMedium,
		Location:    hazard.Location{Address: "9 Harbour Road", District: "110101"},
		Departments: []string{"emergency"},
	})
	require.NoError(t, err)
	_, err = l.Risk.AddPoint(ctx, Officer, unit.ID, risk.PointInput{Name: "solvent store", Kind: risk.KindPlace,
		Assess: risk.AssessInput{Method: risk.MethodLEC, Values: map[string]risk.Tenths{"l": 30, "e": 60, "c": 70}}})
	require.NoError(t, err)
	assert.Equal(t, risk.Grade("yellow"), grade(unit.ID).Grade, "graded by its point")
	manager := Manager(unit.ID)

	plan, err := l.Risk.Plan(ctx, Officer, risk.PlanQuery{Department: "emergency", From: risk.Day(Epoch), To: risk.Day(Epoch).AddDate(0, 6, 1)})
	require.NoError(t, err)
	planned := false
	for _, it := range append(plan.Due, plan.Overdue...) {
		planned = planned || it.UnitID == unit.ID
	}
	assert.True(t, planned, "the plan lists the unit")
	dueBefore := grade(unit.ID).DueAt

	// A sample checklist, an enforcement visit, two findings.
	sample, err := inspection.Sample("hazardous-chemicals-storage")
	require.NoError(t, err)
	cl, err := l.Inspection.PublishChecklist(ctx, Officer, sample)
	require.NoError(t, err)
	day(1)
	v, err := l.Inspection.Start(ctx, Inspector1, inspection.StartInput{Kind: inspection.KindEnforcement, UnitID: unit.ID,
		Inspectors: []string{Inspector1.ID, Inspector2.ID}, Checklist: cl.ID})
	require.NoError(t, err)
	var results []inspection.Result
	for i, it := range cl.Items {
		r := inspection.Result{Item: it.Code, Outcome: inspection.Compliant}
		if i == 0 || i == 2 { // C-01 (a criterion: major) and C-03 (general)
			r.Outcome, r.Note, r.Photos = inspection.NonCompliant, "found on the visit", []hazard.Photo{Photo(i)}
		}
		results = append(results, r)
	}
	v, err = l.Inspection.Finish(ctx, Inspector2, v.ID, inspection.FinishInput{ExpectedVersion: v.Version, Results: results,
		Trained: inspection.Trained{Count: 12, Topic: "segregation of incompatible chemicals"}})
	require.NoError(t, err)
	l.Drain(t)

	found, err := l.Stores.Hazards.List(ctx, hazard.Filter{UnitID: unit.ID.String()}, hazard.Page{Limit: 10})
	require.NoError(t, err)
	require.Len(t, found.Items, 2, "one hazard per non-compliant item")
	var major, general hazard.Hazard
	for _, h := range found.Items {
		assert.Equal(t, hazard.SourceInspection, h.Source)
		assert.Equal(t, hazard.RectificationName, h.Workflow)
		if h.Severity == hazard.SeverityMajor {
			major = h
		} else {
			general = h
		}
	}
	require.NotEqual(t, uuid.Nil, major.ID, "the criterion's item is major")
	require.NotEqual(t, uuid.Nil, general.ID)
	u := grade(unit.ID)
	assert.Equal(t, risk.Grade("orange"), u.Grade, "an open major hazard raises the grade")
	assert.False(t, u.LastInspected.IsZero(), "the inspection is recorded with the unit")
	assert.NotEqual(t, dueBefore, u.DueAt, "and moves its due date")
	lg := ledger()
	assert.Equal(t, inspection.LedgerCounts{Found: 2, Major: 1, Open: 2, ZeroingPermille: 0}, lg.Counts)

	// The unit rectifies; re-inspection; close-out.
	act := func(user hazard.User, id uuid.UUID, action string, in hazard.ActInput) {
		t.Helper()
		h, err := l.Stores.Hazards.Get(ctx, id)
		require.NoError(t, err)
		in.ExpectedVersion = h.Version
		_, err = l.Hazards.Act(ctx, user, id, action, in)
		require.NoError(t, err, "%s by %s", action, user.Role)
	}
	fix := hazard.ActInput{Note: "replaced and retrained", Photos: []hazard.Photo{Photo(5)}}
	act(Inspector1, general.ID, hazard.ActionOrder, hazard.ActInput{Note: "rectify within 15 days"})
	act(Reviewer, major.ID, hazard.ActionList, hazard.ActInput{})
	act(Inspector1, major.ID, hazard.ActionOrder, hazard.ActInput{Note: "separate the stock within 7 days"})
	day(3)
	act(manager, general.ID, hazard.ActionRectify, fix)
	act(manager, major.ID, hazard.ActionRectify, fix)
	l.Drain(t)
	assert.Equal(t, inspection.LedgerCounts{Found: 2, Major: 1, Ordered: 2, Rectified: 2, Open: 2}, ledger().Counts)
	day(1)
	act(Inspector2, general.ID, hazard.ActionPass, hazard.ActInput{})
	act(Inspector2, major.ID, hazard.ActionPassMajor, hazard.ActInput{})
	act(Reviewer, major.ID, hazard.ActionSignOff, hazard.ActInput{})
	l.Drain(t)
	assert.Equal(t, risk.Grade("yellow"), grade(unit.ID).Grade, "closed out, the grade falls back")
	assert.Equal(t, inspection.LedgerCounts{Found: 2, Major: 1, Ordered: 2, Rectified: 2, Reinspected: 2, ClosedOut: 2, ZeroingPermille: 1000}, ledger().Counts)

	// A supervision group's spot check finds one rectification a sham.
	day(10)
	q := inspection.SpotQuery{Department: "emergency", Since: Epoch, Until: l.Clock.Now(), Size: 1, Seed: 42}
	sc, err := l.Inspection.DrawSpotCheck(ctx, Supervisor, q)
	require.NoError(t, err)
	require.Len(t, sc.Items, 1)
	again, err := l.Inspection.DrawSpotCheck(ctx, Supervisor, q)
	require.NoError(t, err)
	assert.Equal(t, sc.Items[0].HazardID, again.Items[0].HazardID, "the same seed draws the same hazard")
	sc, err = l.Inspection.Verify(ctx, Supervisor, sc.ID, inspection.VerifyInput{ExpectedVersion: sc.Version,
		HazardID: sc.Items[0].HazardID, Note: "the stock is mixed again"})
	require.NoError(t, err)
	assert.Equal(t, inspection.VerdictFailed, sc.Items[0].Verdict)
	l.Drain(t)
	reopened, err := l.Stores.Hazards.Get(ctx, sc.Items[0].HazardID)
	require.NoError(t, err)
	assert.True(t, reopened.Open(), "a failed re-verification reopens the hazard")
	u = grade(unit.ID)
	assert.False(t, u.LastSham.IsZero(), "and records a sham rectification")
	assert.Greater(t, u.Grade.Rank(), risk.Grade("yellow").Rank(), "which raises the grade")
	assert.Equal(t, inspection.LedgerCounts{Found: 2, Major: 1, Ordered: 2, Rectified: 1, Reinspected: 1, ClosedOut: 1, Open: 1, ZeroingPermille: 500}, ledger().Counts)

	fg, err := l.Inspection.Figures(ctx, Officer, "emergency", Epoch, l.Clock.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, fg.Visits, "one visit")
	assert.Equal(t, 2, fg.HazardsFound)
	assert.Equal(t, 1, fg.Major)
	assert.Equal(t, 2000, fg.PerVisitPermille, "two hazards per visit")
	assert.Equal(t, 500, fg.RectificationPermille, "one of two rectified now")
	assert.Equal(t, 12, fg.TrainedOnSite)
	assert.Equal(t, map[hazard.Source]int{hazard.SourceInspection: 2}, fg.BySource)
}

// Manager returns the safety manager (role enterprise) of the unit id.
func Manager(id uuid.UUID) hazard.User {
	return hazard.User{ID: "mgr-" + id.String()[:8], Role: string(hazard.RoleEnterprise), UnitID: id.String()}
}
