package relay

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hazardloop/hazardloop/hazard"
)

// Metrics are the Prometheus collectors of relays: lag, parked events,
// deliveries and store errors, each by consumer. A nil *Metrics measures
// nothing, so that metrics stay optional. Several relays (of one process)
// may share one Metrics.
type Metrics struct {
	lagEvents  *prometheus.GaugeVec
	lagSeconds *prometheus.GaugeVec
	parked     *prometheus.GaugeVec
	deliveries *prometheus.CounterVec
	failures   *prometheus.CounterVec
}

// NewMetrics makes the collectors and registers them on reg, which must not
// be nil (library code never uses the global registry). Registering twice
// on one registry fails with CodeConflict.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	const op = "relay.NewMetrics"
	if reg == nil {
		return nil, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "registerer", Message: "is required"}
	}
	m := &Metrics{
		lagEvents: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hazardloop_relay_lag_events",
			Help: "Events in the log not yet delivered to the consumer.",
		}, []string{"consumer"}),
		lagSeconds: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hazardloop_relay_lag_seconds",
			Help: "Age of the oldest event not yet delivered to the consumer, in seconds.",
		}, []string{"consumer"}),
		parked: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hazardloop_relay_parked_events",
			Help: "Events the consumer failed to handle, parked until re-driven.",
		}, []string{"consumer"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hazardloop_relay_deliveries_total",
			Help: "Events delivered to consumers, by consumer and outcome (ok, error, parked, expired: past the consumer's redelivery window, passed over).",
		}, []string{"consumer", "outcome"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hazardloop_relay_store_errors_total",
			Help: "Store errors met by the relay, by consumer.",
		}, []string{"consumer"}),
	}
	for _, c := range []prometheus.Collector{m.lagEvents, m.lagSeconds, m.parked, m.deliveries, m.failures} {
		if err := reg.Register(c); err != nil {
			return nil, &hazard.Error{Code: hazard.CodeConflict, Op: op, Message: "collectors already registered", Err: err}
		}
	}
	return m, nil
}

func (m *Metrics) lag(consumer string, events int64, age time.Duration) {
	if m != nil {
		m.lagEvents.WithLabelValues(consumer).Set(float64(events))
		m.lagSeconds.WithLabelValues(consumer).Set(age.Seconds())
	}
}

func (m *Metrics) setParked(consumer string, n int) {
	if m != nil {
		m.parked.WithLabelValues(consumer).Set(float64(n))
	}
}

func (m *Metrics) delivered(consumer, outcome string) {
	if m != nil {
		m.deliveries.WithLabelValues(consumer, outcome).Inc()
	}
}

func (m *Metrics) storeError(consumer string) {
	if m != nil {
		m.failures.WithLabelValues(consumer).Inc()
	}
}
