package notify

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the Prometheus collectors of notifications. A nil *Metrics
// records nothing.
type Metrics struct {
	sent       *prometheus.CounterVec
	failed     *prometheus.CounterVec
	retried    *prometheus.CounterVec
	duplicates *prometheus.CounterVec
}

// NewMetrics makes the collectors and registers them with reg (never the
// global registry unless the caller passes it): hazardloop_notifications_
// sent_total{channel}, failed_total{channel,kind}, retried_total{channel}
// and duplicates_dropped_total{channel}.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hazardloop_notifications_sent_total",
			Help: "Notifications handed over to a channel.",
		}, []string{"channel"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hazardloop_notifications_failed_total",
			Help: "Notification attempts that failed, by error kind.",
		}, []string{"channel", "kind"}),
		retried: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hazardloop_notifications_retried_total",
			Help: "Notification attempts that were retries of a failed attempt.",
		}, []string{"channel"}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hazardloop_notifications_duplicates_dropped_total",
			Help: "Notifications dropped because their idempotency key was already delivered.",
		}, []string{"channel"}),
	}
	for _, c := range []prometheus.Collector{m.sent, m.failed, m.retried, m.duplicates} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) incSent(ch Channel) {
	if m != nil {
		m.sent.WithLabelValues(string(ch)).Inc()
	}
}

func (m *Metrics) incFailed(ch Channel, err error) {
	if m != nil {
		m.failed.WithLabelValues(string(ch), kindLabel(err)).Inc()
	}
}

func (m *Metrics) incRetried(ch Channel) {
	if m != nil {
		m.retried.WithLabelValues(string(ch)).Inc()
	}
}

func (m *Metrics) incDuplicate(ch Channel) {
	if m != nil {
		m.duplicates.WithLabelValues(string(ch)).Inc()
	}
}

// Instrument returns a Notifier that counts n's deliveries on ch as sent or
// failed (by kind) in m.
func Instrument(ch Channel, n Notifier, m *Metrics) Notifier {
	return NotifierFunc(func(ctx context.Context, to Recipient, msg Message) error {
		err := n.Notify(ctx, to, msg)
		if err != nil {
			m.incFailed(ch, err)
		} else {
			m.incSent(ch)
		}
		return err
	})
}
