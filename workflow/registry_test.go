package workflow_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/workflow"
)

// TestRegistryVersions: a subject that started on v1 keeps firing on v1
// after v2 is registered; new subjects start on the latest version.
func TestRegistryVersions(t *testing.T) {
	v1 := tickets
	spec := ticketSpec()
	spec.Version = 2
	// v2 drops cancel: a requester can no longer cancel an open ticket.
	spec.Actions = spec.Actions[:0:0]
	for _, a := range ticketSpec().Actions {
		if a.Name != "cancel" {
			spec.Actions = append(spec.Actions, a)
		}
	}
	v2, err := workflow.New(spec)
	require.NoError(t, err)

	reg, err := workflow.NewRegistry(v1)
	require.NoError(t, err)
	require.NoError(t, reg.Register(v2))

	// A subject stored with (repair_ticket, 1) in state open.
	requester := workflow.Actor{Role: roleRequester}
	old, err := reg.Get("repair_ticket", 1)
	require.NoError(t, err)
	require.Same(t, v1, old)
	st, err := apply(old, "open", "cancel", requester, nil)
	require.NoError(t, err)
	require.Equal(t, "cancelled", st.State)

	latest, err := reg.Latest("repair_ticket")
	require.NoError(t, err)
	require.Equal(t, 2, latest.Version())
	_, err = apply(latest, "open", "cancel", requester, nil)
	require.ErrorIs(t, err, workflow.ErrConflict)

	require.Equal(t, []*workflow.Definition{v1, v2}, reg.Definitions())
}

func TestRegistryErrors(t *testing.T) {
	permits := workflow.MustNew(permitSpec())
	reg, err := workflow.NewRegistry(tickets, permits)
	require.NoError(t, err)

	require.ErrorIs(t, reg.Register(tickets), workflow.ErrConflict)
	require.ErrorIs(t, reg.Register(workflow.MustNew(ticketSpec())), workflow.ErrConflict, "same name and version")
	require.ErrorIs(t, reg.Register(nil), workflow.ErrInvalid)

	_, err = reg.Get("repair_ticket", 9)
	require.ErrorIs(t, err, workflow.ErrNotFound)
	_, err = reg.Get("nope", 1)
	require.ErrorIs(t, err, workflow.ErrNotFound)
	_, err = reg.Latest("nope")
	require.ErrorIs(t, err, workflow.ErrNotFound)

	_, err = workflow.NewRegistry(tickets, tickets)
	require.ErrorIs(t, err, workflow.ErrConflict)

	var zero workflow.Registry
	_, err = zero.Latest("hot_work_permit")
	require.ErrorIs(t, err, workflow.ErrNotFound)
	require.NoError(t, zero.Register(permits))
	got, err := zero.Latest("hot_work_permit")
	require.NoError(t, err)
	require.Same(t, permits, got)
}

// TestRegistryConcurrent registers and reads from many goroutines; run it
// with -race. Exactly one registration of each version wins.
func TestRegistryConcurrent(t *testing.T) {
	var reg workflow.Registry
	const goroutines = 20
	var wg sync.WaitGroup
	wins := make([]int, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			spec := tiny(t)
			spec.Version = 1 + g%4
			if reg.Register(workflow.MustNew(spec)) == nil {
				wins[g] = 1
			}
			_, _ = reg.Latest("tiny")
			_, _ = reg.Get("tiny", 1)
		}()
	}
	wg.Wait()
	total := 0
	for _, w := range wins {
		total += w
	}
	require.Equal(t, 4, total, "one registration per version wins")
	latest, err := reg.Latest("tiny")
	require.NoError(t, err)
	require.Equal(t, 4, latest.Version())
}
