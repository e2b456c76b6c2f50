package hazard_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

func TestOverdue(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sub := f.submit(t, citizen, fireReport())                                                                         // due in 1 day
	fire := f.act(t, dispatcher, f.submit(t, citizen, fireReport()), "dispatch", hazard.ActInput{Department: "fire"}) // due in 1 day
	gas := f.act(t, dispatcher, f.submit(t, citizen, fireReport()), "dispatch", hazard.ActInput{Department: "gas"})
	gas = f.act(t, gasDept, gas, "accept", hazard.ActInput{}) // due in 5 days
	f.act(t, dispatcher, f.submit(t, citizen, fireReport()), "reject", hazard.ActInput{Note: "no"})

	list, err := f.svc.Overdue(ctx)
	require.NoError(t, err)
	assert.Empty(t, list, "nothing due yet")

	f.clock.Advance(2 * hazard.Day)
	list, err = f.svc.Overdue(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, sub.ID, list[0].Hazard.ID, "unassigned first")
	assert.Equal(t, fire.ID, list[1].Hazard.ID)
	assert.Equal(t, hazard.Day, list[1].By)
	assert.Equal(t, map[string]int{hazard.NoDepartment: 1, "fire": 1}, hazard.OverdueByDepartment(list))

	f.clock.Advance(4 * hazard.Day)
	list, err = f.svc.Overdue(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 3)
	assert.Equal(t, gas.ID, list[2].Hazard.ID)
}

func TestEscalateOncePerState(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())
	f.clock.Advance(hazard.Day + time.Minute)

	n, err := f.svc.Escalate(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = f.svc.Escalate(ctx)
	require.NoError(t, err)
	assert.Equal(t, 0, n, "not again in the same state")

	ev := f.events(t, h.ID)
	require.Len(t, ev, 2)
	assert.Equal(t, hazard.EventEscalated, ev[1].Type)
	assert.Equal(t, hazard.System, ev[1].Actor)
	assert.Equal(t, hazard.StateSubmitted, ev[1].Data[hazard.DataState])

	// A new state, overdue again: escalated again.
	h, err = f.store.Get(ctx, h.ID)
	require.NoError(t, err)
	f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
	f.clock.Advance(hazard.Day + time.Minute)
	n, err = f.svc.Escalate(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	ev = f.events(t, h.ID)
	assert.Equal(t, "fire", ev[len(ev)-1].Data[hazard.DataDepartment])
}

func TestEscalateConcurrent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for range 5 {
		f.submit(t, otherCit, fireReport())
	}
	f.clock.Advance(2 * hazard.Day)
	// Several scanners (processes) at once: each hazard escalated once.
	other, err := hazard.NewService(hazard.ServiceConfig{Store: f.store, Clock: f.clock.Now})
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc := f.svc
			if i%2 == 1 {
				svc = other
			}
			n, err := svc.Escalate(ctx)
			assert.NoError(t, err)
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	assert.Equal(t, 5, total, "one escalation per hazard")
	all, err := f.store.Events(ctx, 0, 0)
	require.NoError(t, err)
	escalations := 0
	for _, e := range all {
		if e.Type == hazard.EventEscalated {
			escalations++
		}
	}
	assert.Equal(t, 5, escalations)
}

// TestEscalateLogs checks that an escalation is logged with the hazard's
// reference and never the reporter.
func TestEscalateLogs(t *testing.T) {
	var buf bytes.Buffer
	f := newFixture(t, func(c *hazard.ServiceConfig) { c.Logger = slog.New(slog.NewTextHandler(&buf, nil)) })
	h := f.submit(t, citizen, fireReport())
	f.clock.Advance(hazard.Day + time.Minute)
	_, err := f.svc.Escalate(context.Background())
	require.NoError(t, err)
	assert.Contains(t, buf.String(), "escalated", "Escalate logs the escalation")
	assert.Contains(t, buf.String(), h.Ref, "the log names the hazard by its reference")
	assert.NotContains(t, buf.String(), citizen.ID, "the log never names the reporter")
}
