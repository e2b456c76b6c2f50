package notify_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
)

// withData returns msg with n data entries (ref and filler).
func withData(n int) notify.Message {
	m := msg
	m.Data = map[string]string{"ref": "LC-1"}
	for i := 1; len(m.Data) < n; i++ {
		m.Data[fmt.Sprintf("extra_%d", i)] = "x"
	}
	return m
}

// TestMaxDataKeys checks every way a message's data is rendered or sent:
// MaxDataKeys entries pass, one more is refused (permanent, invalid) and
// nothing is sent.
func TestMaxDataKeys(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// send renders or sends m and returns its error and how many
		// messages went out.
		send func(t *testing.T, m notify.Message) (error, int)
	}{
		{"Templates.Render", func(t *testing.T, m notify.Message) (error, int) {
			_, err := notify.MustTemplates(notify.DefaultTexts()).Render("zh-CN", m.Template, m.Data)
			return err, 0
		}},
		{"SMS", func(t *testing.T, m notify.Message) (error, int) {
			g := &smsGateway{}
			srv := httptest.NewServer(g)
			defer srv.Close()
			s, err := notify.NewSMS(notify.SMSConfig{URL: srv.URL, APIKey: "key-1", Sign: "隐患随手拍", Templates: map[string]string{notify.KeyReceived: "SMS_1001"}})
			require.NoError(t, err)
			err = s.Notify(ctx, alice, m)
			return err, len(g.got)
		}},
		{"WeChat", func(t *testing.T, m notify.Message) (error, int) {
			f := &fakeWeChat{}
			err := newWeChat(t, f, newClock()).Notify(ctx, to("oUser1"), m)
			return err, f.sends
		}},
		{"Webhook", func(t *testing.T, m notify.Message) (error, int) {
			rcv := &webhookReceiver{}
			srv := httptest.NewServer(rcv)
			defer srv.Close()
			err := newWebhook(t, srv.URL, time.Second).Notify(ctx, alice, m)
			rcv.mu.Lock()
			defer rcv.mu.Unlock()
			return err, len(rcv.got)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err, _ := tt.send(t, withData(notify.MaxDataKeys))
			require.NoError(t, err, "%d data entries", notify.MaxDataKeys)

			err, sent := tt.send(t, withData(notify.MaxDataKeys+1))
			require.ErrorIs(t, err, notify.ErrPermanent, "%d data entries", notify.MaxDataKeys+1)
			require.ErrorIs(t, err, hazard.ErrInvalid)
			assert.Zero(t, sent, "nothing was sent")
		})
	}
}
