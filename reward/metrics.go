package reward

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hazardloop/hazardloop/hazard"
)

// Metrics are the Prometheus collectors of the reward service, labelled by
// policy name. A nil *Metrics records nothing.
type Metrics struct {
	issued, issuedFen   *prometheus.CounterVec
	claimed, claimedFen *prometheus.CounterVec
	expired, expiredFen *prometheus.CounterVec
	denied              *prometheus.CounterVec
	payoutErrors        *prometheus.CounterVec
	budgetLeft          *prometheus.GaugeVec
}

// NewMetrics returns the collectors, registered with reg when it is not
// nil. Registering twice with one registry is CodeConflict.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "hazardloop", Name: name, Help: help}, labels)
	}
	m := &Metrics{
		issued:       counter("rewards_issued_total", "Rewards issued.", "policy"),
		issuedFen:    counter("rewards_issued_fen_total", "Amount of the rewards issued, in fen.", "policy"),
		claimed:      counter("rewards_claimed_total", "Rewards paid out.", "policy"),
		claimedFen:   counter("rewards_claimed_fen_total", "Amount paid out, in fen.", "policy"),
		expired:      counter("rewards_expired_total", "Rewards not claimed in time.", "policy"),
		expiredFen:   counter("rewards_expired_fen_total", "Amount of the rewards expired, in fen.", "policy"),
		denied:       counter("rewards_denied_total", "Closed hazards whose reporter earned no reward, by the rule that denied it.", "policy", "rule"),
		payoutErrors: counter("reward_payout_errors_total", "Payout attempts that failed, by outcome (failed, rejected, unknown).", "policy", "outcome"),
		budgetLeft: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "hazardloop", Name: "reward_budget_left_fen",
			Help: "What is left of the policy's budget in the current period, in fen."}, []string{"policy"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.issued, m.issuedFen, m.claimed, m.claimedFen, m.expired, m.expiredFen, m.denied, m.payoutErrors, m.budgetLeft} {
			if err := reg.Register(c); err != nil {
				return nil, &hazard.Error{Code: hazard.CodeConflict, Op: "reward.NewMetrics", Message: "metrics already registered", Err: err}
			}
		}
	}
	return m, nil
}

func (m *Metrics) issue(r Reward) {
	if m != nil {
		m.issued.WithLabelValues(r.Policy).Inc()
		m.issuedFen.WithLabelValues(r.Policy).Add(float64(r.Amount))
	}
}

func (m *Metrics) claim(r Reward) {
	if m != nil {
		m.claimed.WithLabelValues(r.Policy).Inc()
		m.claimedFen.WithLabelValues(r.Policy).Add(float64(r.Amount))
	}
}

func (m *Metrics) expire(r Reward) {
	if m != nil {
		m.expired.WithLabelValues(r.Policy).Inc()
		m.expiredFen.WithLabelValues(r.Policy).Add(float64(r.Amount))
	}
}

func (m *Metrics) deny(policy, rule string) {
	if m != nil {
		m.denied.WithLabelValues(policy, rule).Inc()
	}
}

func (m *Metrics) payoutError(policy, outcome string) {
	if m != nil {
		m.payoutErrors.WithLabelValues(policy, outcome).Inc()
	}
}

func (m *Metrics) budget(policy string, left Fen) {
	if m != nil {
		m.budgetLeft.WithLabelValues(policy).Set(float64(left))
	}
}
