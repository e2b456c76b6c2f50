package risk

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hazardloop/hazardloop/hazard"
)

// Metrics are the Prometheus collectors of the service. A nil *Metrics
// measures nothing.
type Metrics struct {
	gradeChanges   *prometheus.CounterVec
	assessments    *prometheus.CounterVec
	recomputations *prometheus.CounterVec
	planned        *prometheus.CounterVec
	planSeconds    prometheus.Histogram
}

// NewMetrics makes the collectors and registers them on reg, which must
// not be nil: hazardloop_risk_grade_changes_total{from,to},
// hazardloop_risk_assessments_total{method,grade},
// hazardloop_risk_recomputations_total{outcome},
// hazardloop_risk_planned_units_total{kind} (due, overdue, drawn) and
// hazardloop_risk_plan_seconds. Registering twice on one registry fails
// with CodeConflict.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	if reg == nil {
		return nil, &hazard.Error{Code: hazard.CodeInvalid, Op: "new metrics", Field: "registerer", Message: "is required"}
	}
	m := &Metrics{
		gradeChanges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hazardloop_risk_grade_changes_total", Help: "Changes of units' grades, by old and new grade.",
		}, []string{"from", "to"}),
		assessments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hazardloop_risk_assessments_total", Help: "Risk point assessments, by method and grade.",
		}, []string{"method", "grade"}),
		recomputations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hazardloop_risk_recomputations_total", Help: "Unit regradings, by whether the unit changed.",
		}, []string{"outcome"}),
		planned: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hazardloop_risk_planned_units_total", Help: "Units put in inspection plans, by due, overdue or drawn.",
		}, []string{"kind"}),
		planSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hazardloop_risk_plan_seconds", Help: "Time to draw up one inspection plan.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 8),
		}),
	}
	for _, c := range []prometheus.Collector{m.gradeChanges, m.assessments, m.recomputations, m.planned, m.planSeconds} {
		if err := reg.Register(c); err != nil {
			return nil, &hazard.Error{Code: hazard.CodeConflict, Op: "new metrics", Message: "already registered", Err: err}
		}
	}
	return m, nil
}

func (m *Metrics) gradeChanged(from, to Grade) {
	if m != nil {
		m.gradeChanges.WithLabelValues(string(from), string(to)).Inc()
	}
}

func (m *Metrics) assessed(method MethodName, g Grade) {
	if m != nil {
		m.assessments.WithLabelValues(string(method), string(g)).Inc()
	}
}

func (m *Metrics) recompute(outcome string) {
	if m != nil {
		m.recomputations.WithLabelValues(outcome).Inc()
	}
}

func (m *Metrics) plan(p *Plan, seconds float64) {
	if m != nil {
		m.planned.WithLabelValues("due").Add(float64(len(p.Due)))
		m.planned.WithLabelValues("overdue").Add(float64(len(p.Overdue)))
		m.planned.WithLabelValues("drawn").Add(float64(len(p.Drawn)))
		m.planSeconds.Observe(seconds)
	}
}
