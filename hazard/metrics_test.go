package hazard_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

func newRegistry(t testing.TB) *prometheus.Registry {
	t.Helper()
	return prometheus.NewPedanticRegistry()
}

// sample is the value of one series.
type sample struct {
	counter, gauge float64
	count          uint64
	sum            float64
}

// metric returns the series of family name whose labels include want, and
// whether there is one.
func metric(t testing.TB, reg *prometheus.Registry, name string, want map[string]string) (sample, bool) {
	t.Helper()
	fams, err := reg.Gather()
	require.NoError(t, err, "Gather")
	for _, fam := range fams {
		if fam.GetName() != name {
			continue
		}
	next:
		for _, m := range fam.GetMetric() {
			for k, v := range want {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == k && lp.GetValue() == v {
						found = true
					}
				}
				if !found {
					continue next
				}
			}
			return sample{
				counter: m.GetCounter().GetValue(), gauge: m.GetGauge().GetValue(),
				count: m.GetHistogram().GetSampleCount(), sum: m.GetHistogram().GetSampleSum(),
			}, true
		}
	}
	return sample{}, false
}

// gaugeValue returns the value of a gauge with one label "consumer" (or
// the first label) equal to label; 0 when absent.
func gaugeValue(t testing.TB, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	require.NoError(t, err)
	for _, fam := range fams {
		if fam.GetName() != name {
			continue
		}
		for _, m := range fam.GetMetric() {
			if len(m.GetLabel()) > 0 && m.GetLabel()[0].GetValue() == label {
				return m.GetGauge().GetValue()
			}
		}
	}
	return 0
}

func TestMetricsLint(t *testing.T) {
	reg := newRegistry(t)
	m, err := hazard.NewMetrics(reg)
	require.NoError(t, err)
	f := newFixture(t, func(c *hazard.ServiceConfig) { c.Metrics = m })
	// Give every collector a series, so that the linter sees them all.
	runCitizenLoop(t, f)
	f.submit(t, otherCit, fireReport())
	f.clock.Advance(30 * hazard.Day)
	_, err = f.svc.Escalate(context.Background())
	require.NoError(t, err)
	require.NoError(t, f.svc.RefreshMetrics(context.Background()))

	problems, err := testutil.CollectAndLint(reg)
	require.NoError(t, err)
	assert.Empty(t, problems, "metric names and help texts follow Prometheus conventions")
	for _, name := range []string{
		"hazardloop_submissions_total", "hazardloop_transitions_total", "hazardloop_open_hazards",
		"hazardloop_overdue_hazards", "hazardloop_time_to_close_seconds",
	} {
		n, err := testutil.GatherAndCount(reg, name)
		require.NoError(t, err)
		assert.Positive(t, n, "%s has a series", name)
	}
}

func TestMetricsValues(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)
	m, err := hazard.NewMetrics(reg)
	require.NoError(t, err)
	f := newFixture(t, func(c *hazard.ServiceConfig) { c.Metrics = m })
	h := runCitizenLoop(t, f) // closes after 3 hours
	open := f.submit(t, otherCit, fireReport())
	_, err = f.svc.Submit(ctx, otherCit, fireReport(), "") // a second open one
	require.NoError(t, err)

	sub, ok := metric(t, reg, "hazardloop_submissions_total", map[string]string{"category": "fire", "source": "citizen"})
	require.True(t, ok)
	assert.Equal(t, 3.0, sub.counter)
	tr, ok := metric(t, reg, "hazardloop_transitions_total", map[string]string{"action": "resolve", "state": "resolved"})
	require.True(t, ok)
	assert.Equal(t, 2.0, tr.counter)
	ttc, ok := metric(t, reg, "hazardloop_time_to_close_seconds", nil)
	require.True(t, ok)
	assert.Equal(t, uint64(1), ttc.count)
	assert.Equal(t, h.ClosedAt.Sub(h.CreatedAt).Seconds(), ttc.sum)

	f.clock.Advance(hazard.DefaultCitizenDeadlines().Dispatch + time.Hour)
	require.NoError(t, f.svc.RefreshMetrics(ctx))
	assert.Equal(t, 2.0, gaugeValue(t, reg, "hazardloop_open_hazards", "submitted"))
	assert.Equal(t, 2.0, gaugeValue(t, reg, "hazardloop_overdue_hazards", hazard.NoDepartment))

	f.act(t, dispatcher, open, "dispatch", hazard.ActInput{Department: "gas"})
	require.NoError(t, f.svc.RefreshMetrics(ctx))
	assert.Equal(t, 1.0, gaugeValue(t, reg, "hazardloop_open_hazards", "submitted"))
	assert.Equal(t, 1.0, gaugeValue(t, reg, "hazardloop_open_hazards", "dispatched"))
	assert.Equal(t, 1.0, gaugeValue(t, reg, "hazardloop_overdue_hazards", hazard.NoDepartment))
}

func TestNewMetricsErrors(t *testing.T) {
	_, err := hazard.NewMetrics(nil)
	require.ErrorIs(t, err, hazard.ErrInvalid, "never the global registry")
	reg := newRegistry(t)
	_, err = hazard.NewMetrics(reg)
	require.NoError(t, err)
	_, err = hazard.NewMetrics(reg)
	require.ErrorIs(t, err, hazard.ErrConflict, "registered twice")
}

func TestNilMetricsMeasureNothing(t *testing.T) {
	f := newFixture(t) // no Metrics
	runCitizenLoop(t, f)
	require.NoError(t, f.svc.RefreshMetrics(context.Background()))
}
