package server

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
)

// Defaults and limits of the retention periods (Retention).
const (
	// DefaultOriginalPhotoRetention is how long the original of an
	// uploaded photo, with its metadata, is kept after its upload.
	DefaultOriginalPhotoRetention = hazard.DefaultOriginalRetention
	// DefaultLoginCodeRetention is how long the record of a login code is
	// kept after the code expired.
	DefaultLoginCodeRetention = 24 * time.Hour
	// DefaultDeliveryLogRetention is how long the notification delivery
	// log keeps a delivery: far longer than DefaultRedeliveryWindow.
	DefaultDeliveryLogRetention = 90 * 24 * time.Hour
	// DefaultRedeliveryWindow is how long after an event the relay still
	// hands it to the consumers that send messages.
	DefaultRedeliveryWindow = 7 * 24 * time.Hour
	// MinRedeliveryWindow is the shortest redelivery window: a relay that
	// falls behind by less (a restart, a slow channel) sends every
	// message.
	MinRedeliveryWindow = time.Hour
)

// Retention says how long the server keeps personal data it needs only for
// a while; Sweep purges what is older. A zero field takes its default; a
// negative one is invalid.
type Retention struct {
	// OriginalPhotos is how long the original of an uploaded photo, with
	// its metadata (EXIF with the GPS position where it was taken), is
	// kept after its upload (hazard.Photos.PurgeOriginals). Its public
	// copy without metadata stays, so reports keep their photos, and staff
	// and the uploader see that copy from then on. Default
	// DefaultOriginalPhotoRetention.
	OriginalPhotos time.Duration
	// LoginCodes is how long the record of a login code (the phone it was
	// sent to and the code's MAC, or that it was used) is kept after the
	// code expired, used or not. Default DefaultLoginCodeRetention.
	LoginCodes time.Duration
	// DeliveryLog is how long the notification delivery log keeps a
	// delivery (its idempotency key, channel, user and time; a person's
	// download of their data lists them). It must be longer than
	// RedeliveryWindow, so that a redelivered event is still recognised
	// and sends nothing twice. Default DefaultDeliveryLogRetention.
	DeliveryLog time.Duration
	// RedeliveryWindow is the relay's redelivery window of the consumers
	// that send messages (notifications, followers' updates, area alerts;
	// relay.Consumer.RedeliveryWindow): an event logged longer ago, read
	// after a long outage or re-driven from the parked events, sends
	// nothing. At least MinRedeliveryWindow; default
	// DefaultRedeliveryWindow.
	RedeliveryWindow time.Duration
}

// withDefaults fills zero fields with the defaults and checks the periods:
// none negative, the redelivery window at least MinRedeliveryWindow, and
// the delivery log kept longer than the window. Each problem names the
// setting as its flag does, without the dash.
func (r Retention) withDefaults() (Retention, error) {
	var p hazard.Problems
	for _, f := range []struct {
		v    *time.Duration
		def  time.Duration
		name string
	}{
		{&r.OriginalPhotos, DefaultOriginalPhotoRetention, "original_photo_retention"},
		{&r.LoginCodes, DefaultLoginCodeRetention, "login_code_retention"},
		{&r.DeliveryLog, DefaultDeliveryLogRetention, "delivery_log_retention"},
		{&r.RedeliveryWindow, DefaultRedeliveryWindow, "redelivery_window"},
	} {
		switch {
		case *f.v == 0:
			*f.v = f.def
		case *f.v < 0:
			p.Add(f.name, "must not be negative")
		}
	}
	if r.RedeliveryWindow > 0 && r.RedeliveryWindow < MinRedeliveryWindow {
		p.Add("redelivery_window", "must be at least %s", MinRedeliveryWindow)
	}
	if r.DeliveryLog > 0 && r.RedeliveryWindow > 0 && r.DeliveryLog <= r.RedeliveryWindow {
		p.Add("delivery_log_retention", "must be longer than the redelivery window (redelivery_window, %s), so that a redelivered event is still recognised", r.RedeliveryWindow)
	}
	return r, p.Err("retention")
}

// Kinds of personal data the retention sweep purges: the values of the
// label "kind" of hazardloop_retention_purged_total.
const (
	purgedOriginalPhoto = "original_photo"
	purgedLoginCode     = "login_code"
	purgedDelivery      = "delivery"
)

// newRetentionMetrics registers the counter of what the retention sweep
// purged, by kind, every kind at 0.
func newRetentionMetrics(reg prometheus.Registerer) (*prometheus.CounterVec, error) {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hazardloop_retention_purged_total",
		Help: "Personal data purged after its retention period, by kind (original_photo, login_code, delivery).",
	}, []string{"kind"})
	if err := reg.Register(c); err != nil {
		return nil, err
	}
	for _, k := range []string{purgedOriginalPhoto, purgedLoginCode, purgedDelivery} {
		c.WithLabelValues(k)
	}
	return c, nil
}

// sweepRetention purges what is past its retention period
// (Config.Retention): the originals of photos (their public copies stay),
// login code records and deliveries of the notification delivery log,
// each by the injected clock. It counts each kind in
// hazardloop_retention_purged_total and logs the counts, never what was
// purged. Any number of processes may sweep one database at once.
func (s *Server) sweepRetention(ctx context.Context) {
	r := s.cfg.Retention
	purged := func(kind string, n int64, err error) {
		if err != nil {
			s.log.Error("retention sweep", "kind", kind, "error", err)
		}
		if n > 0 {
			s.retentionPurged.WithLabelValues(kind).Add(float64(n))
			s.log.Info("retention sweep purged", "kind", kind, "count", n)
		}
	}
	n, err := s.photos.PurgeOriginals(ctx)
	purged(purgedOriginalPhoto, int64(n), err)
	codes, err := s.codes.purge(ctx, s.now().Add(-r.LoginCodes))
	purged(purgedLoginCode, codes, err)
	deliveries, err := notify.ForgetDeliveries(ctx, s.deliveries, s.now().Add(-r.DeliveryLog))
	purged(purgedDelivery, deliveries, err)
}
