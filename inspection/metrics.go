package inspection

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the service's Prometheus collectors: visits started and
// finished by kind, items found non-compliant, and spot-check verdicts.
// A nil *Metrics records nothing.
type Metrics struct {
	startedC, finishedC, findingsC, verdictsC *prometheus.CounterVec
}

// NewMetrics registers the collectors with reg and returns them.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		startedC:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hazardloop_inspections_started_total", Help: "Inspections and self-checks started, by kind."}, []string{"kind"}),
		finishedC: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hazardloop_inspections_finished_total", Help: "Inspections and self-checks finished, by kind."}, []string{"kind"}),
		findingsC: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hazardloop_inspection_findings_total", Help: "Checklist items found non-compliant, by kind."}, []string{"kind"}),
		verdictsC: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hazardloop_spot_check_verdicts_total", Help: "Spot-check re-verifications, by verdict."}, []string{"verdict"}),
	}
	for _, c := range []prometheus.Collector{m.startedC, m.finishedC, m.findingsC, m.verdictsC} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) started(k Kind) {
	if m != nil {
		m.startedC.WithLabelValues(string(k)).Inc()
	}
}

func (m *Metrics) finished(k Kind, failed int) {
	if m != nil {
		m.finishedC.WithLabelValues(string(k)).Inc()
		m.findingsC.WithLabelValues(string(k)).Add(float64(failed))
	}
}

func (m *Metrics) verdict(v Verdict) {
	if m != nil {
		m.verdictsC.WithLabelValues(string(v)).Inc()
	}
}
