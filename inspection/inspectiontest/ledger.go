package inspectiontest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

// generalPath hides a store's optional capabilities, so that the service
// takes its general path over the port.
type generalPath struct{ inspection.Store }

// TestLedgerReader checks the LedgerReader capability of the inspection
// store of the Stores open returns (it skips, saying so, when the store
// has none): every page of Service.LedgerPage through the capability is
// the page the general path cuts from Service.Ledger, rows, counts and
// cursors alike, for ledgers of a district, an industry, a unit, a
// department, a period and their combinations, with page sizes that split
// equal found times; over hazards in every state of the rectification
// process, major and general, overdue and not, found at units registered
// before and after them, at a unit the register does not know, at no unit,
// at a unit moved to another district and industry since, and a hazard
// moved to another unit.
func TestLedgerReader(t *testing.T, open func(t *testing.T) Stores) {
	s := open(t)
	if _, ok := s.Inspection.(inspection.LedgerReader); !ok {
		t.Skip("the inspection store is not an inspection.LedgerReader")
	}
	l := NewLoop(t, s)
	general, err := inspection.New(inspection.Config{Store: generalPath{s.Inspection}, Units: s.Risk, Hazards: l.Hazards,
		HazardStore: s.Hazards, Risk: l.Risk, Clock: l.Clock.Now})
	require.NoError(t, err)

	unit := func(n int, district, industry string) risk.Unit {
		u := risktest.NewUnit(n)
		u.Location.District, u.Industry = district, industry
		return u
	}
	register := func(u risk.Unit) risk.Unit {
		got, err := s.Risk.CreateUnit(ctx, u, nil)
		require.NoError(t, err)
		return got
	}
	units := []risk.Unit{
		register(unit(1, "d1", "chemicals")), register(unit(2, "d1", "mining")),
		register(unit(3, "d2", "chemicals")), register(unit(4, "d2", "mining")),
	}
	late := unit(5, "d1", "chemicals") // registered after its hazards
	moving := units[3]                 // moves to d1, trade, after its hazards
	unknown := uuid.Must(uuid.NewV7()) // never registered

	states := []string{hazard.StateFound, hazard.StateListed, hazard.StateRectifying, hazard.StateRectified,
		hazard.StateAwaitingSignOff, hazard.StateClosedOut, hazard.StateDismissed}
	at := []uuid.UUID{units[0].ID, units[1].ID, units[2].ID, units[3].ID, late.ID, unknown}
	var bind hazard.Hazard
	for i := range 60 {
		st := states[i%len(states)]
		h := hazardtest.NewHazard(hazardtest.WithState(st), hazardtest.WithSource(hazard.SourceInspection),
			hazardtest.WithDepartment([]string{"emergency", "fire", "emergency"}[i%3]), hazardtest.WithUnitID(at[i%len(at)].String()),
			// Found in threes at the same time: pages split them by ID.
			hazardtest.WithCreatedAt(Epoch.Add(-time.Duration(30-i/3)*hazard.Day)))
		h.Workflow, h.WorkflowVersion = hazard.RectificationName, 1
		if i%4 == 0 {
			h.Severity = hazard.SeverityMajor
		}
		switch st {
		case hazard.StateClosedOut, hazard.StateDismissed:
			h.ClosedAt = h.CreatedAt.Add(2 * hazard.Day)
		default:
			// Half of the open ones are past their deadlines at Epoch.
			h.Deadline = Epoch.Add(time.Duration(i%2*2-1) * time.Duration(i+1) * time.Hour)
		}
		if i == 7 {
			h.UnitID = "" // at no unit: never in a ledger
		}
		_, _, err := s.Hazards.Create(ctx, h, []hazard.Event{hazardtest.NewEvent(h, hazard.EventSubmitted)}, "")
		require.NoError(t, err)
		if i == 13 {
			bind = h
		}
	}
	register(late)
	moved := moving.Clone()
	moved.Location.District, moved.Industry = "d1", "trade"
	_, err = s.Risk.UpdateUnit(ctx, moved, moving.Version, nil)
	require.NoError(t, err)
	// A hazard found at one unit is put down to another.
	bind.UnitID = units[0].ID.String()
	_, err = s.Hazards.Update(ctx, bind, bind.Version, nil)
	require.NoError(t, err)

	walk := func(svc *inspection.Service, q inspection.LedgerQuery, limit int) ([]inspection.LedgerPage, error) {
		var pages []inspection.LedgerPage
		p := hazard.Page{Limit: limit}
		for range 100 {
			pg, err := svc.LedgerPage(ctx, Officer, q, p)
			if err != nil {
				return nil, err
			}
			pages = append(pages, pg)
			if pg.Next == "" {
				return pages, nil
			}
			p.Cursor = pg.Next
		}
		return nil, fmt.Errorf("the walk of %+v did not end", q)
	}
	queries := []inspection.LedgerQuery{
		{}, {District: "d1"}, {District: "d2"}, {District: "nowhere"}, {Industry: "chemicals"}, {Industry: "trade"},
		{District: "d1", Industry: "mining"}, {Department: "fire"}, {District: "d1", Department: "emergency"},
		{UnitID: units[0].ID}, {UnitID: late.ID}, {UnitID: unknown}, {UnitID: unknown, District: "d1"}, {UnitID: moving.ID, District: "d1"},
		{Since: Epoch.Add(-20 * hazard.Day)}, {District: "d1", Since: Epoch.Add(-25 * hazard.Day), Until: Epoch.Add(-10 * hazard.Day)},
	}
	for _, q := range queries {
		for _, limit := range []int{0, 1, 2, 5} {
			t.Run(fmt.Sprintf("%+v/limit=%d", q, limit), func(t *testing.T) {
				got, err := walk(l.Inspection, q, limit)
				require.NoError(t, err)
				want, err := walk(general, q, limit)
				require.NoError(t, err)
				assert.Equal(t, want, got, "the pages the capability reads are the general path's")
			})
		}
	}
	whole, err := walk(l.Inspection, inspection.LedgerQuery{}, inspection.MaxLedgerPageLimit)
	require.NoError(t, err)
	require.Len(t, whole, 1)
	assert.Equal(t, 59, whole[0].Counts.Found, "every hazard at a unit")
	c := whole[0].Counts
	assert.True(t, c.Major > 0 && c.Ordered > 0 && c.Rectified > 0 && c.Reinspected > 0 && c.ClosedOut > 0 && c.Open > 0 && c.Overdue > 0,
		"the kit's hazards have every count: %+v", c)
	// The rows the ledger shows are the register's places now.
	pages, err := walk(l.Inspection, inspection.LedgerQuery{UnitID: moving.ID}, inspection.MaxLedgerPageLimit)
	require.NoError(t, err)
	require.NotEmpty(t, pages[0].Rows)
	for _, r := range pages[0].Rows {
		assert.Equal(t, "d1", r.District, "a hazard of a unit moved since is in the unit's new district")
		assert.Equal(t, "trade", r.Industry)
	}
	// Overdue is counted at the service's time.
	l.Clock.Advance(10 * hazard.Day)
	general2, err := walk(general, inspection.LedgerQuery{District: "d1"}, 3)
	require.NoError(t, err)
	got2, err := walk(l.Inspection, inspection.LedgerQuery{District: "d1"}, 3)
	require.NoError(t, err)
	assert.Equal(t, general2, got2, "ten days later")
	assert.Positive(t, got2[0].Counts.Overdue)

	// Refusals are the general path's.
	for _, p := range []hazard.Page{{Cursor: "nope"}, {Cursor: inspection.Cursor(uuid.Must(uuid.NewV7()))}, {Limit: -1}} {
		_, err := l.Inspection.LedgerPage(ctx, Officer, inspection.LedgerQuery{}, p)
		code(t, err, hazard.CodeInvalid, fmt.Sprintf("LedgerPage(%+v)", p))
	}
	_, err = l.Inspection.LedgerPage(ctx, Manager(units[0].ID), inspection.LedgerQuery{}, hazard.Page{})
	code(t, err, hazard.CodeForbidden, "LedgerPage as a unit's safety manager")
	_, err = l.Inspection.LedgerPage(ctx, Inspector1, inspection.LedgerQuery{Department: "fire"}, hazard.Page{})
	code(t, err, hazard.CodeForbidden, "LedgerPage of another department, as an inspector")
	mine, err := walk(l.Inspection, inspection.LedgerQuery{}, 0)
	require.NoError(t, err)
	own, err := l.Inspection.LedgerPage(ctx, Inspector1, inspection.LedgerQuery{}, hazard.Page{})
	require.NoError(t, err)
	assert.Equal(t, "emergency", own.Query.Department, "an inspector's ledger is their department's")
	assert.Less(t, own.Counts.Found, mine[0].Counts.Found)
}
