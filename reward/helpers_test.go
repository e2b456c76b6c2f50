package reward_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/memledger"
	"github.com/hazardloop/hazardloop/reward/mempay"
)

var ctx = context.Background()

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// hazards is a small in-memory hazard reader and event log, for the
// service's narrow ports.
type hazards struct {
	mu         sync.Mutex
	byID       map[uuid.UUID]hazard.Hazard
	events     []hazard.Event
	failAppend int
}

var errAppend = errors.New("append failed")

func (h *hazards) Get(_ context.Context, id uuid.UUID) (hazard.Hazard, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	x, ok := h.byID[id]
	if !ok {
		return hazard.Hazard{}, hazard.ErrNotFound
	}
	return x, nil
}

func (h *hazards) Append(_ context.Context, events ...hazard.Event) ([]hazard.Event, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failAppend > 0 {
		h.failAppend--
		return nil, errAppend
	}
	for i := range events {
		if err := events[i].Validate(); err != nil {
			return nil, err
		}
		events[i].Seq = int64(len(h.events) + 1)
		h.events = append(h.events, events[i].Clone())
	}
	return events, nil
}

func (h *hazards) HazardEvents(_ context.Context, id uuid.UUID) ([]hazard.Event, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hazard.Event
	for _, e := range h.events {
		if e.HazardID == id {
			out = append(out, e.Clone())
		}
	}
	return out, nil
}

func (h *hazards) ofType(t hazard.EventType) []hazard.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hazard.Event
	for _, e := range h.events {
		if e.Type == t {
			out = append(out, e)
		}
	}
	return out
}

// fixture is a reward service over memory adapters.
type fixture struct {
	svc     *reward.Service
	ledger  *memledger.Ledger
	payer   *mempay.Payer
	hazards *hazards
	clock   *clock
	seq     int
}

// T0 is Monday 2026-03-02 09:00 in China.
var T0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

func newFixture(t testing.TB, change func(c *reward.Config)) *fixture {
	t.Helper()
	f := &fixture{
		ledger:  memledger.New(),
		payer:   mempay.New(),
		hazards: &hazards{byID: map[uuid.UUID]hazard.Hazard{}},
		clock:   &clock{t: T0},
	}
	cfg := reward.Config{
		Ledger: f.ledger, Payer: f.payer, Policies: []reward.Policy{reward.CityProgramme()},
		Hazards: f.hazards, Events: f.hazards, Clock: f.clock.Now,
		PayTimeout: 50 * time.Millisecond,
	}
	if change != nil {
		change(&cfg)
	}
	svc, err := reward.New(cfg)
	require.NoError(t, err)
	f.svc = svc
	return f
}

// closed stores a hazard closed as valid, reported by reporter, and returns
// it.
func (f *fixture) closed(reporter string, change func(h *hazard.Hazard)) hazard.Hazard {
	f.seq++
	h := hazard.Hazard{
		ID: uuid.Must(uuid.NewV7()), Ref: "LC-20260302-" + string(rune('A'+f.seq%26)),
		Category: "industry_trade", Severity: hazard.SeverityGeneral, Source: hazard.SourceCitizen,
		Reporter:   hazard.Reporter{UserID: reporter, Verified: true},
		Department: "emergency", State: "closed_valid", Workflow: "citizen_report", WorkflowVersion: 1, Version: 6,
		CreatedAt: T0.Add(-72 * time.Hour),
	}
	if change != nil {
		change(&h)
	}
	f.hazards.mu.Lock()
	f.hazards.byID[h.ID] = h
	f.hazards.mu.Unlock()
	return h
}

// closedEvent is the transition that closed h as valid.
func closedEvent(h hazard.Hazard) hazard.Event {
	return hazard.Event{HazardID: h.ID, Type: hazard.EventTransition, Actor: hazard.Actor{ID: "rev", Role: "reviewer"},
		Action: "approve", From: "resolved", To: "closed_valid", Time: T0}
}

// issue runs the consumer on h's closing event and returns the reward.
func (f *fixture) issue(t *testing.T, h hazard.Hazard) reward.Reward {
	t.Helper()
	require.NoError(t, f.svc.Consumer().Handle(ctx, closedEvent(h)))
	rs, err := f.ledger.ByHazard(ctx, h.ID)
	require.NoError(t, err)
	require.Len(t, rs, 1, "rewards of hazard %s", h.ID)
	return rs[0]
}

func citizen(id string) hazard.User { return hazard.User{ID: id, Role: "reporter", Verified: true} }
