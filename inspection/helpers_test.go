package inspection_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/inspection/inspectiontest"
	"github.com/hazardloop/hazardloop/inspection/meminspection"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/memrisk"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

var ctx = context.Background()

// fixture is the loop over memory stores, with a registered unit and the
// hazardous chemicals sample published.
type fixture struct {
	*inspectiontest.Loop
	hz   *memstore.Store
	unit risk.Unit
	cl   inspection.Checklist
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	hz := memstore.New()
	f := &fixture{hz: hz, Loop: inspectiontest.NewLoop(t, inspectiontest.Stores{Hazards: hz, Cursors: hz, Risk: memrisk.New(hz), Inspection: meminspection.New(hz)})}
	f.unit = f.register(t, 1, "110101")
	c, err := inspection.Sample("hazardous-chemicals-storage")
	require.NoError(t, err)
	f.cl, err = f.Inspection.PublishChecklist(ctx, inspectiontest.Officer, c)
	require.NoError(t, err)
	return f
}

func (f *fixture) register(t *testing.T, n int, district string) risk.Unit {
	t.Helper()
	u, err := f.Risk.RegisterUnit(ctx, inspectiontest.Officer, risk.UnitInput{
		CreditCode: risktest.CreditCode(n), Name: "Unit", Industry: "hazardous_chemicals", Size: risk.SizeSmall,
		Location: hazard.Location{Address: "1 Road", District: district}, Departments: []string{"emergency"},
	})
	require.NoError(t, err)
	return u
}

func (f *fixture) start(t *testing.T) inspection.Inspection {
	t.Helper()
	v, err := f.Inspection.Start(ctx, inspectiontest.Inspector1, inspection.StartInput{Kind: inspection.KindEnforcement, UnitID: f.unit.ID,
		Inspectors: []string{inspectiontest.Inspector1.ID, inspectiontest.Inspector2.ID}, Checklist: f.cl.ID})
	require.NoError(t, err)
	return v
}

// results answers every item, the ones at the indexes failed is
// non-compliant with a photo.
func (f *fixture) results(failed ...int) []inspection.Result {
	var out []inspection.Result
	for i, it := range f.cl.Items {
		r := inspection.Result{Item: it.Code, Outcome: inspection.Compliant}
		for _, j := range failed {
			if i == j {
				r.Outcome, r.Photos = inspection.NonCompliant, []hazard.Photo{inspectiontest.Photo(i)}
			}
		}
		out = append(out, r)
	}
	return out
}

func (f *fixture) unitHazards(t *testing.T, unitID uuid.UUID) []hazard.Hazard {
	t.Helper()
	l, err := f.hz.List(ctx, hazard.Filter{UnitID: unitID.String()}, hazard.Page{Limit: hazard.MaxPageLimit})
	require.NoError(t, err)
	return l.Items
}

func (f *fixture) events(t *testing.T, id uuid.UUID) []hazard.Event {
	t.Helper()
	evs, err := f.hz.SubjectEvents(ctx, inspection.Subject(id), 0, 0)
	require.NoError(t, err)
	return evs
}

// flaky is a HazardActor that fails every Submit after the first n until
// healed, as a process that crashes after its Nth hazard would.
type flaky struct {
	inspection.HazardActor
	mu      sync.Mutex
	n       int
	healed  bool
	submits int
}

var errCrash = errors.New("crashed")

func (c *flaky) Submit(ctx context.Context, user hazard.User, in hazard.SubmitInput, key string) (hazard.Hazard, error) {
	c.mu.Lock()
	c.submits++
	fail := !c.healed && c.submits > c.n
	c.mu.Unlock()
	if fail {
		return hazard.Hazard{}, errCrash
	}
	return c.HazardActor.Submit(ctx, user, in, key)
}

func (c *flaky) heal() {
	c.mu.Lock()
	c.healed = true
	c.mu.Unlock()
}
