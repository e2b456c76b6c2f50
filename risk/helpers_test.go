package risk_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/memrisk"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

var (
	staff    = hazard.User{ID: "admin-1", Role: "admin"}
	citizen  = hazard.User{ID: "citizen-1", Role: "reporter"}
	epoch    = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	ctx      = context.Background()
	lecInput = func(l, e, c risk.Tenths) risk.AssessInput {
		return risk.AssessInput{Method: risk.MethodLEC, Values: map[string]risk.Tenths{"l": l, "e": e, "c": c}}
	}
)

// harness is a service over memory stores with a clock that stands still.
type harness struct {
	svc     *risk.Service
	hazards *memstore.Store
	units   *memrisk.Store
	clock   *hazardtest.Clock
	relay   *relay.Relay
}

func newHarness(t *testing.T, cfg ...func(*risk.Config)) *harness {
	t.Helper()
	h := &harness{hazards: memstore.New(), clock: hazardtest.NewClock(epoch)}
	h.units = memrisk.New(h.hazards)
	c := risk.Config{Store: h.units, Hazards: h.hazards, Clock: h.clock.Now}
	for _, f := range cfg {
		f(&c)
	}
	svc, err := risk.New(c)
	require.NoError(t, err)
	h.svc = svc
	h.relay, err = relay.New(h.hazards, h.hazards, relay.Config{Consumers: []relay.Consumer{svc.Consumer()}, Clock: h.clock.Now})
	require.NoError(t, err)
	return h
}

func unitInput(n int, depts ...string) risk.UnitInput {
	if len(depts) == 0 {
		depts = []string{"emergency"}
	}
	return risk.UnitInput{
		CreditCode: risktest.CreditCode(n), Name: "Unit", Industry: "chemicals", Size: risk.SizeMedium,
		Location:    hazard.Location{Address: "1 Chemical Road", District: "110101", Point: &hazard.Point{Lat: 39.91234, Lng: 116.40567, System: hazard.GCJ02}},
		Departments: depts,
		Contacts:    []hazard.Contact{{Name: "Wang", Phone: "13900000000"}},
	}
}

func (h *harness) register(t *testing.T, n int, depts ...string) risk.Unit {
	t.Helper()
	u, err := h.svc.RegisterUnit(ctx, staff, unitInput(n, depts...))
	require.NoError(t, err)
	return u
}

// hazardAt stores an open hazard at the unit and returns it.
func (h *harness) hazardAt(t *testing.T, unitID uuid.UUID, major bool, opts ...hazardtest.Option) hazard.Hazard {
	t.Helper()
	hz := hazardtest.NewHazard(append([]hazardtest.Option{hazardtest.WithUnitID(unitID.String()), hazardtest.WithCreatedAt(h.clock.Now())}, opts...)...)
	if major {
		hz.Severity = hazard.SeverityMajor
	}
	stored, _, err := h.hazards.Create(ctx, hz, []hazard.Event{hazardtest.NewEvent(hz, hazard.EventSubmitted)}, "")
	require.NoError(t, err)
	return stored
}

// drain feeds the event log to the service's consumer.
func (h *harness) drain(t *testing.T) {
	t.Helper()
	require.NoError(t, h.relay.Drain(ctx))
}

func (h *harness) unit(t *testing.T, id uuid.UUID) risk.Unit {
	t.Helper()
	u, err := h.units.GetUnit(ctx, id)
	require.NoError(t, err)
	return u
}

func (h *harness) unitEvents(t *testing.T, id uuid.UUID) []hazard.Event {
	t.Helper()
	evs, err := h.hazards.SubjectEvents(ctx, risk.UnitSubject(id), 0, 0)
	require.NoError(t, err)
	return evs
}

func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var e *hazard.Error
	require.ErrorAs(t, err, &e)
	return e.Field
}
