package workflow_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/workflow"
)

// TestRegistryVersions: a subject that started on v1 keeps firing on v1
// after v2 is registered; new subjects start on the latest version.
func TestRegistryVersions(t *testing.T) {
	v1 := hazard.CitizenReport().Definition()
	spec := hazard.CitizenReportSpec(hazard.DefaultCitizenDeadlines())
	spec.Version = 2
	// v2 drops withdraw: a reporter can no longer withdraw.
	spec.Actions = spec.Actions[:0:0]
	for _, a := range hazard.CitizenReportSpec(hazard.DefaultCitizenDeadlines()).Actions {
		if a.Name != "withdraw" {
			spec.Actions = append(spec.Actions, a)
		}
	}
	spec.States = spec.States[:len(spec.States)-1] // and the withdrawn state
	v2, err := workflow.New(spec)
	require.NoError(t, err)

	reg, err := workflow.NewRegistry(v1)
	require.NoError(t, err)
	require.NoError(t, reg.Register(v2))

	// A subject stored with (citizen_report, 1) in state submitted.
	old, err := reg.Get(hazard.CitizenReportName, 1)
	require.NoError(t, err)
	require.Same(t, v1, old)
	tr, err := old.Fire(t.Context(), "submitted", "withdraw", workflow.Actor{Role: hazard.RoleReporter}, nil)
	require.NoError(t, err)
	require.Equal(t, "withdrawn", tr.To)

	latest, err := reg.Latest(hazard.CitizenReportName)
	require.NoError(t, err)
	require.Equal(t, 2, latest.Version())
	_, err = latest.Fire(t.Context(), "submitted", "withdraw", workflow.Actor{Role: hazard.RoleReporter}, nil)
	require.ErrorIs(t, err, workflow.ErrConflict)

	require.Equal(t, []*workflow.Definition{v1, v2}, reg.Definitions())
}

func TestRegistryErrors(t *testing.T) {
	reg, err := workflow.NewRegistry(hazard.CitizenReport().Definition(), hazard.Rectification().Definition())
	require.NoError(t, err)

	require.ErrorIs(t, reg.Register(hazard.CitizenReport().Definition()), workflow.ErrConflict)
	require.ErrorIs(t, reg.Register(hazard.CitizenReport().Definition().WithHooks(workflow.Hooks{})), workflow.ErrConflict, "same name and version")
	require.ErrorIs(t, reg.Register(nil), workflow.ErrInvalid)

	_, err = reg.Get(hazard.CitizenReportName, 9)
	require.ErrorIs(t, err, workflow.ErrNotFound)
	_, err = reg.Get("nope", 1)
	require.ErrorIs(t, err, workflow.ErrNotFound)
	_, err = reg.Latest("nope")
	require.ErrorIs(t, err, workflow.ErrNotFound)

	_, err = workflow.NewRegistry(hazard.CitizenReport().Definition(), hazard.CitizenReport().Definition())
	require.ErrorIs(t, err, workflow.ErrConflict)

	var zero workflow.Registry
	_, err = zero.Latest(hazard.RectificationName)
	require.ErrorIs(t, err, workflow.ErrNotFound)
	require.NoError(t, zero.Register(hazard.Rectification().Definition()))
	got, err := zero.Latest(hazard.RectificationName)
	require.NoError(t, err)
	require.Same(t, hazard.Rectification().Definition(), got)
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
