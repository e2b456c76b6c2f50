package hazard

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// NoDepartment is the department label of hazards not yet assigned to one,
// in metrics and statistics.
const NoDepartment = "unassigned"

// Metrics are the Prometheus collectors of the service (the relay's are
// relay.Metrics). A nil
// *Metrics measures nothing, so that metrics stay optional.
//
// The gauges of open and overdue hazards are set from a scan of the store
// (Service.RefreshMetrics, Service.Overdue), never kept by increments, so
// that every process serving one store reports the same values.
type Metrics struct {
	submissions *prometheus.CounterVec
	transitions *prometheus.CounterVec
	open        *prometheus.GaugeVec
	overdue     *prometheus.GaugeVec
	timeToClose prometheus.Histogram
	escalations prometheus.Counter
}

// TimeToCloseBuckets are the bucket bounds, in seconds, of
// hazardloop_time_to_close_seconds: from an hour to 90 days.
var TimeToCloseBuckets = []float64{
	3600, 4 * 3600, 12 * 3600,
	86400, 2 * 86400, 3 * 86400, 5 * 86400, 7 * 86400,
	14 * 86400, 30 * 86400, 60 * 86400, 90 * 86400,
}

// NewMetrics makes the collectors and registers them on reg, which must not
// be nil (library code never uses the global registry). Registering twice
// on one registry fails with CodeConflict.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	if reg == nil {
		return nil, &Error{Code: CodeInvalid, Op: "new metrics", Field: "registerer", Message: "is required"}
	}
	m := &Metrics{
		submissions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hazardloop_submissions_total",
			Help: "Hazard reports submitted, by category and source.",
		}, []string{"category", "source"}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hazardloop_transitions_total",
			Help: "Workflow actions taken on hazards, by action and resulting state.",
		}, []string{"action", "state"}),
		open: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hazardloop_open_hazards",
			Help: "Hazards not yet closed, by state, as of the last scan.",
		}, []string{"state"}),
		overdue: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hazardloop_overdue_hazards",
			Help: "Open hazards past their state's deadline, by department, as of the last scan.",
		}, []string{"department"}),
		timeToClose: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hazardloop_time_to_close_seconds",
			Help:    "Time from a hazard's submission to its closing, in seconds.",
			Buckets: TimeToCloseBuckets,
		}),
		escalations: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hazardloop_escalations_total",
			Help: "Overdue hazards escalated (one per hazard and state).",
		}),
	}
	for _, c := range []prometheus.Collector{
		m.submissions, m.transitions, m.open, m.overdue, m.timeToClose, m.escalations,
	} {
		if err := reg.Register(c); err != nil {
			return nil, &Error{Code: CodeConflict, Op: "new metrics", Message: "collectors already registered", Err: err}
		}
	}
	return m, nil
}

func (m *Metrics) submitted(category string, source Source) {
	if m != nil {
		m.submissions.WithLabelValues(category, string(source)).Inc()
	}
}

func (m *Metrics) transitioned(action, state string) {
	if m != nil {
		m.transitions.WithLabelValues(action, state).Inc()
	}
}

func (m *Metrics) closed(d time.Duration) {
	if m != nil {
		m.timeToClose.Observe(d.Seconds())
	}
}

func (m *Metrics) escalated() {
	if m != nil {
		m.escalations.Inc()
	}
}

// setOpen replaces the open gauge by counts per state.
func (m *Metrics) setOpen(byState map[string]int) {
	if m == nil {
		return
	}
	m.open.Reset()
	for st, n := range byState {
		m.open.WithLabelValues(st).Set(float64(n))
	}
}

// setOverdue replaces the overdue gauge by counts per department.
func (m *Metrics) setOverdue(byDept map[string]int) {
	if m == nil {
		return
	}
	m.overdue.Reset()
	for d, n := range byDept {
		m.overdue.WithLabelValues(d).Set(float64(n))
	}
}
