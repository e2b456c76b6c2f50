package risk_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

func TestRegisterUnit(t *testing.T) {
	h := newHarness(t)
	u := h.register(t, 1)
	assert.Equal(t, risk.Blue, u.Grade, "no risk point: blue")
	assert.Equal(t, risk.Day(epoch).AddDate(1, 0, 0), u.DueAt, "blue: yearly from registration")
	assert.Equal(t, int64(1), u.Version)
	evs := h.unitEvents(t, u.ID)
	require.Len(t, evs, 1)
	assert.Equal(t, risk.EventUnitRegistered, evs[0].Type)
	assert.Equal(t, "admin-1", evs[0].Actor.ID)

	lower := unitInput(2)
	lower.CreditCode = "  " + risktest.CreditCode(2)[:17] + "  "
	_, err := h.svc.RegisterUnit(ctx, staff, lower)
	require.ErrorIs(t, err, hazard.ErrInvalid, "17 characters")
	assert.Equal(t, "credit_code", fieldOf(t, err))

	_, err = h.svc.RegisterUnit(ctx, staff, unitInput(1))
	require.ErrorIs(t, err, hazard.ErrConflict, "credit code taken")
	_, err = h.svc.RegisterUnit(ctx, citizen, unitInput(3))
	require.ErrorIs(t, err, hazard.ErrForbidden)
	_, err = h.svc.RegisterUnit(ctx, hazard.User{}, unitInput(3))
	require.ErrorIs(t, err, hazard.ErrUnauthenticated)
}

func TestRegisterUnitRefusesAWrongCheckCharacterAndStoresNothing(t *testing.T) {
	h := newHarness(t)
	before, err := h.hazards.LastSeq(ctx)
	require.NoError(t, err)
	in := unitInput(5)
	code := []byte(in.CreditCode)
	if code[17] == '0' {
		code[17] = '1'
	} else {
		code[17] = '0'
	}
	in.CreditCode = string(code)
	_, err = h.svc.RegisterUnit(ctx, staff, in)
	require.ErrorIs(t, err, hazard.ErrInvalid)
	assert.Equal(t, "credit_code", fieldOf(t, err))
	l, err := h.svc.ListUnits(ctx, staff, risk.UnitFilter{}, hazard.Page{})
	require.NoError(t, err)
	assert.Empty(t, l.Items, "nothing stored")
	after, _ := h.hazards.LastSeq(ctx)
	assert.Equal(t, before, after, "no event logged")
}

func TestPointsGradeTheUnit(t *testing.T) {
	h := newHarness(t)
	u := h.register(t, 1)
	// 6 × 6 × 15 = 540: red.
	p, err := h.svc.AddPoint(ctx, staff, u.ID, risk.PointInput{Name: "tank farm", Kind: risk.KindPlace, Assess: lecInput(60, 60, 150)})
	require.NoError(t, err)
	assert.Equal(t, risk.Red, p.Grade)
	got := h.unit(t, u.ID)
	assert.Equal(t, risk.Red, got.Grade)
	assert.Equal(t, risk.Day(epoch).AddDate(0, 1, 0), got.DueAt, "red: monthly")
	require.NotEmpty(t, got.GradeSteps)
	assert.Equal(t, "highest_point", got.GradeSteps[0].Rule)
	evs := h.unitEvents(t, u.ID)
	require.Len(t, evs, 2)
	assert.Equal(t, risk.EventGradeChanged, evs[1].Type)
	assert.Equal(t, map[string]string{risk.DataGrade: "red", risk.DataFromGrade: "blue", risk.DataRule: "highest_point",
		risk.DataDueAt: "2026-04-10T00:00:00Z"}, evs[1].Data)
	assert.Equal(t, hazard.System, evs[1].Actor)

	// Reassessed by LS, 2 × 4 = 8: blue, and so is the unit.
	p, err = h.svc.Assess(ctx, staff, p.ID, risk.AssessInput{Method: risk.MethodLS, Values: map[string]risk.Tenths{"l": 20, "s": 40}}, 1)
	require.NoError(t, err)
	assert.Equal(t, risk.Blue, p.Grade)
	assert.Equal(t, int64(2), p.Version)
	assert.Equal(t, risk.Blue, h.unit(t, u.ID).Grade)

	// By hand, with a reason.
	p, err = h.svc.Assess(ctx, staff, p.ID, risk.AssessInput{Method: risk.MethodManual, Grade: risk.Orange, Reason: "near a school"}, 2)
	require.NoError(t, err)
	assert.Equal(t, risk.Orange, h.unit(t, u.ID).Grade)

	hist, err := h.svc.Assessments(ctx, staff, p.ID, hazard.Page{})
	require.NoError(t, err)
	require.Len(t, hist.Items, 3, "every assessment kept")
	assert.Equal(t, risk.MethodManual, hist.Items[0].Method)
	assert.Equal(t, "admin-1", hist.Items[0].By.ID)
	assert.Equal(t, epoch, hist.Items[0].At)
	assert.Equal(t, int64(540_000), hist.Items[2].Score)
}

func TestAssessRefusesBadInputAndStoresNothing(t *testing.T) {
	h := newHarness(t)
	u := h.register(t, 1)
	_, err := h.svc.AddPoint(ctx, staff, u.ID, risk.PointInput{Name: "boiler", Kind: risk.KindDevice, Assess: lecInput(4, 60, 150)})
	require.ErrorIs(t, err, hazard.ErrInvalid)
	assert.Equal(t, "assess.values.l", fieldOf(t, err))
	_, err = h.svc.AddPoint(ctx, staff, u.ID, risk.PointInput{Name: "", Kind: "rock", Assess: lecInput(10, 60, 150)})
	require.ErrorIs(t, err, hazard.ErrInvalid)
	assert.Equal(t, "name", fieldOf(t, err))
	ps, err := h.svc.Points(ctx, staff, u.ID)
	require.NoError(t, err)
	assert.Empty(t, ps, "no point stored")

	p, err := h.svc.AddPoint(ctx, staff, u.ID, risk.PointInput{Name: "boiler", Kind: risk.KindDevice, Assess: lecInput(10, 60, 150)})
	require.NoError(t, err)
	for _, tt := range []struct {
		name  string
		in    risk.AssessInput
		field string
	}{
		{"L 0.3", lecInput(3, 60, 150), "values.l"},
		{"E 4", lecInput(10, 40, 150), "values.e"},
		{"C 20", lecInput(10, 60, 200), "values.c"},
		{"LS S 6", risk.AssessInput{Method: risk.MethodLS, Values: map[string]risk.Tenths{"l": 10, "s": 60}}, "values.s"},
		{"unknown method", risk.AssessInput{Method: "fmea"}, "method"},
		{"grade with a method", risk.AssessInput{Method: risk.MethodLS, Values: map[string]risk.Tenths{"l": 10, "s": 10}, Grade: risk.Red}, "grade"},
		{"manual without reason", risk.AssessInput{Method: risk.MethodManual, Grade: risk.Red}, "reason"},
		{"manual without grade", risk.AssessInput{Method: risk.MethodManual, Reason: "x"}, "grade"},
	} {
		_, err := h.svc.Assess(ctx, staff, p.ID, tt.in, 1)
		require.ErrorIs(t, err, hazard.ErrInvalid, tt.name)
		assert.Equal(t, tt.field, fieldOf(t, err), tt.name)
	}
	hist, err := h.svc.Assessments(ctx, staff, p.ID, hazard.Page{})
	require.NoError(t, err)
	assert.Len(t, hist.Items, 1, "no assessment stored")
	_, err = h.svc.Assess(ctx, staff, p.ID, lecInput(10, 60, 150), 7)
	require.ErrorIs(t, err, hazard.ErrConflict)
	_, err = h.svc.Assess(ctx, citizen, p.ID, lecInput(10, 60, 150), 1)
	require.ErrorIs(t, err, hazard.ErrForbidden)
}

func TestHazardEventsRegradeTheUnitThroughTheRelay(t *testing.T) {
	h := newHarness(t)
	u := h.register(t, 1)
	other := h.register(t, 2)
	hz := h.hazardAt(t, u.ID, true)
	h.hazardAt(t, u.ID, false, hazardtest.WithState("dispatched"))
	h.drain(t)
	got := h.unit(t, u.ID)
	assert.Equal(t, risk.Orange, got.Grade, "an open major hazard: at least orange")
	assert.Equal(t, risk.UnitFacts{OpenHazards: 2, OpenMajorHazards: 1}, got.Facts)
	// Orange is quarterly, shortened one step by the open major hazard.
	assert.Equal(t, risk.Day(epoch).AddDate(0, 1, 0), got.DueAt)
	assert.Equal(t, risk.Blue, h.unit(t, other.ID).Grade, "another unit is untouched")

	// The major hazard is closed out: the unit goes back to blue.
	h.clock.Advance(time.Hour)
	hz.ClosedAt, hz.State = h.clock.Now(), "closed_valid"
	_, err := h.hazards.Update(ctx, hz, hz.Version, []hazard.Event{hazardtest.NewEvent(hz, hazard.EventTransition)})
	require.NoError(t, err)
	h.drain(t)
	assert.Equal(t, risk.Blue, h.unit(t, u.ID).Grade)
	var changes []string
	for _, e := range h.unitEvents(t, u.ID) {
		if e.Type == risk.EventGradeChanged {
			changes = append(changes, e.Data[risk.DataFromGrade]+">"+e.Data[risk.DataGrade])
		}
	}
	assert.Equal(t, []string{"blue>orange", "orange>blue"}, changes)

	// Draining again changes nothing: the consumer is idempotent.
	v := h.unit(t, u.ID).Version
	_, err = h.svc.Recompute(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, v, h.unit(t, u.ID).Version)
}

// A hazard moved from one unit to another by staff regrades both.
func TestLinkingToAnotherUnitRegradesBoth(t *testing.T) {
	h := newHarness(t)
	a, b := h.register(t, 1), h.register(t, 2)
	hz := h.hazardAt(t, a.ID, true)
	h.drain(t)
	require.Equal(t, risk.Orange, h.unit(t, a.ID).Grade)

	svc, err := hazard.NewService(hazard.ServiceConfig{Store: h.hazards, Clock: h.clock.Now})
	require.NoError(t, err)
	_, err = svc.LinkUnit(ctx, hazard.User{ID: "rev-1", Role: "reviewer"}, hz.ID, b.ID.String(), hz.Version)
	require.NoError(t, err)
	h.drain(t)
	assert.Equal(t, risk.Blue, h.unit(t, a.ID).Grade, "the unit it left")
	assert.Equal(t, risk.Orange, h.unit(t, b.ID).Grade, "the unit it moved to")
}

func TestOverdueHazardShortensTheInterval(t *testing.T) {
	h := newHarness(t)
	u := h.register(t, 1)
	hz := hazardtest.NewHazard(hazardtest.WithUnitID(u.ID.String()))
	hz.Deadline = epoch.Add(-time.Hour)
	_, _, err := h.hazards.Create(ctx, hz, []hazard.Event{hazardtest.NewEvent(hz, hazard.EventSubmitted)}, "")
	require.NoError(t, err)
	h.drain(t)
	got := h.unit(t, u.ID)
	assert.Equal(t, 1, got.Facts.OverdueHazards)
	assert.Equal(t, risk.Day(epoch).AddDate(0, 6, 0), got.DueAt, "blue yearly, one step shorter")
}

// countingHazards records the filters a recomputation lists hazards by.
type countingHazards struct {
	risk.HazardReader
	filters []hazard.Filter
}

func (c *countingHazards) List(ctx2 context.Context, f hazard.Filter, p hazard.Page) (hazard.List, error) {
	c.filters = append(c.filters, f)
	return c.HazardReader.List(ctx2, f, p)
}

func TestRecomputeReadsOnlyTheUnitsHazards(t *testing.T) {
	var c *countingHazards
	h := newHarness(t, func(cfg *risk.Config) {
		c = &countingHazards{HazardReader: cfg.Hazards}
		cfg.Hazards = c
	})
	u := h.register(t, 1)
	_, err := h.svc.Recompute(ctx, u.ID)
	require.NoError(t, err)
	require.NotEmpty(t, c.filters)
	for _, f := range c.filters {
		assert.Equal(t, u.ID.String(), f.UnitID, "every listing is by the unit")
		require.NotNil(t, f.Open)
		assert.True(t, *f.Open)
	}
	_, err = h.svc.Recompute(ctx, risktest.NewUnit(1).ID)
	require.ErrorIs(t, err, hazard.ErrNotFound)
}

func TestAccidentShamAndOverride(t *testing.T) {
	h := newHarness(t)
	u := h.register(t, 1)
	_, err := h.svc.AddPoint(ctx, staff, u.ID, risk.PointInput{Name: "line", Kind: risk.KindProcess, Assess: lecInput(10, 100, 150)}) // 1 × 10 × 15 = 150: yellow
	require.NoError(t, err)
	got, err := h.svc.RecordAccident(ctx, staff, u.ID, epoch.AddDate(0, -2, 0))
	require.NoError(t, err)
	assert.Equal(t, risk.Orange, got.Grade)
	got, err = h.svc.RecordSham(ctx, staff, u.ID, epoch)
	require.NoError(t, err)
	assert.Equal(t, risk.Red, got.Grade)
	rules := []string{}
	for _, s := range got.GradeSteps {
		rules = append(rules, s.Rule)
	}
	assert.Equal(t, []string{"highest_point", "recent_accident", "sham_rectification"}, rules)

	_, err = h.svc.SetOverride(ctx, staff, u.ID, risk.Blue, "", got.Version)
	require.ErrorIs(t, err, hazard.ErrInvalid)
	assert.Equal(t, "override.reason", fieldOf(t, err))
	got, err = h.svc.SetOverride(ctx, staff, u.ID, risk.Blue, "relocated", got.Version)
	require.NoError(t, err)
	assert.Equal(t, risk.Blue, got.Grade)
	last := h.unitEvents(t, u.ID)
	assert.Equal(t, "admin-1", last[len(last)-1].Actor.ID, "who made the change")
	assert.Equal(t, "manual_override", last[len(last)-1].Data[risk.DataRule])
	_, err = h.svc.SetOverride(ctx, staff, u.ID, "", "", 1)
	require.ErrorIs(t, err, hazard.ErrConflict)

	// A year and a day later the accident and the sham no longer count.
	h.clock.Advance(366 * 24 * time.Hour)
	got, err = h.svc.SetOverride(ctx, staff, u.ID, "", "", got.Version)
	require.NoError(t, err)
	assert.Equal(t, risk.Yellow, got.Grade)
}

func TestStandardisationLowersAndStretches(t *testing.T) {
	h := newHarness(t)
	u := h.register(t, 1)
	_, err := h.svc.AddPoint(ctx, staff, u.ID, risk.PointInput{Name: "line", Kind: risk.KindProcess, Assess: lecInput(60, 60, 150)})
	require.NoError(t, err)
	in := unitInput(1)
	in.Level = risk.LevelStandard1
	got, err := h.svc.UpdateUnit(ctx, staff, u.ID, in, h.unit(t, u.ID).Version)
	require.NoError(t, err)
	assert.Equal(t, risk.Orange, got.Grade, "red, one step down")
	assert.Equal(t, risk.Day(epoch).AddDate(0, 6, 0), got.DueAt, "orange quarterly, stretched one step")
	in.CreditCode = risktest.CreditCode(9)
	_, err = h.svc.UpdateUnit(ctx, staff, u.ID, in, got.Version)
	require.ErrorIs(t, err, hazard.ErrInvalid)
	assert.Equal(t, "credit_code", fieldOf(t, err))
}

func TestRecordInspectionMovesTheDueDate(t *testing.T) {
	h := newHarness(t)
	u := h.register(t, 1)
	got, err := h.svc.RecordInspection(ctx, staff, u.ID, epoch.AddDate(0, 2, 0))
	require.NoError(t, err)
	assert.Equal(t, risk.Day(epoch).AddDate(0, 2, 0), got.LastInspected)
	assert.Equal(t, risk.Day(epoch).AddDate(1, 2, 0), got.DueAt)
	got, err = h.svc.RecordInspection(ctx, staff, u.ID, epoch)
	require.NoError(t, err)
	assert.Equal(t, risk.Day(epoch).AddDate(0, 2, 0), got.LastInspected, "never moves back")
	_, err = h.svc.RecordInspection(ctx, citizen, u.ID, epoch)
	require.ErrorIs(t, err, hazard.ErrForbidden)
}

func TestUnitViews(t *testing.T) {
	h := newHarness(t)
	u := h.register(t, 1)
	pub, err := h.svc.PublicUnit(ctx, u.ID)
	require.NoError(t, err)
	assert.InDelta(t, 39.91, pub.Point.Lat, 1e-9, "approximate")
	assert.InDelta(t, 116.41, pub.Point.Lng, 1e-9, "approximate")
	b, err := json.Marshal(pub)
	require.NoError(t, err)
	var keys map[string]any
	require.NoError(t, json.Unmarshal(b, &keys))
	for k := range keys {
		assert.Contains(t, []string{"id", "name", "industry", "grade", "district", "point"}, k)
	}
	assert.NotContains(t, string(b), "13900000000")

	own := hazard.User{ID: "boss", Role: string(hazard.RoleEnterprise), UnitID: u.ID.String()}
	_, err = h.svc.GetUnit(ctx, own, u.ID)
	require.NoError(t, err)
	other := h.register(t, 2)
	_, err = h.svc.GetUnit(ctx, own, other.ID)
	require.ErrorIs(t, err, hazard.ErrForbidden)
	_, err = h.svc.ListUnits(ctx, own, risk.UnitFilter{}, hazard.Page{})
	require.ErrorIs(t, err, hazard.ErrForbidden)
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := risk.NewMetrics(reg)
	require.NoError(t, err)
	_, err = risk.NewMetrics(reg)
	require.ErrorIs(t, err, hazard.ErrConflict)
	_, err = risk.NewMetrics(nil)
	require.ErrorIs(t, err, hazard.ErrInvalid)
	h := newHarness(t, func(c *risk.Config) { c.Metrics = m })
	u := h.register(t, 1)
	_, err = h.svc.AddPoint(ctx, staff, u.ID, risk.PointInput{Name: "x", Kind: risk.KindPlace, Assess: lecInput(60, 60, 150)})
	require.NoError(t, err)
	n, err := testutil.GatherAndCount(reg, "hazardloop_risk_grade_changes_total", "hazardloop_risk_assessments_total")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
}

func TestNewRefusesABadConfig(t *testing.T) {
	_, err := risk.New(risk.Config{})
	require.ErrorIs(t, err, hazard.ErrInvalid)
	h := newHarness(t)
	bad := risk.DefaultPolicy()
	bad.Ladder = []int{3, 1}
	_, err = risk.New(risk.Config{Store: h.units, Hazards: h.hazards, Policy: &bad})
	require.ErrorIs(t, err, hazard.ErrInvalid)
}

func TestConcurrentChangesAllLand(t *testing.T) {
	h := newHarness(t)
	u := h.register(t, 1)
	const racers = 20
	start := make(chan struct{})
	errs := make(chan error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := h.svc.RecordInspection(ctx, staff, u.ID, epoch.AddDate(0, 0, i))
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err, "RecordInspection retries on a concurrent change")
	}
	assert.Equal(t, risk.Day(epoch).AddDate(0, 0, racers-1), h.unit(t, u.ID).LastInspected, "the latest date wins, whatever the order")
}
