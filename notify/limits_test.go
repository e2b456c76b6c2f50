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
		// send renders or sends m and returns how many messages went out
		// and its error.
		send func(t *testing.T, m notify.Message) (int, error)
	}{
		{"Templates.Render", func(t *testing.T, m notify.Message) (int, error) {
			_, err := notify.MustTemplates(notify.DefaultTexts()).Render("zh-CN", m.Template, m.Data)
			return 0, err
		}},
		{"SMS", func(t *testing.T, m notify.Message) (int, error) {
			g := &smsGateway{}
			srv := httptest.NewServer(g)
			defer srv.Close()
			s, err := notify.NewSMS(notify.SMSConfig{URL: srv.URL, APIKey: "key-1", Sign: "隐患随手拍", Templates: map[string]string{notify.KeyReceived: "SMS_1001"}})
			require.NoError(t, err)
			err = s.Notify(ctx, alice, m)
			return len(g.got), err
		}},
		{"WeChat", func(t *testing.T, m notify.Message) (int, error) {
			f := &fakeWeChat{}
			err := newWeChat(t, f, newClock()).Notify(ctx, to("oUser1"), m)
			return f.sends, err
		}},
		{"Webhook", func(t *testing.T, m notify.Message) (int, error) {
			rcv := &webhookReceiver{}
			srv := httptest.NewServer(rcv)
			defer srv.Close()
			err := newWebhook(t, srv.URL, time.Second).Notify(ctx, alice, m)
			rcv.mu.Lock()
			defer rcv.mu.Unlock()
			return len(rcv.got), err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.send(t, withData(notify.MaxDataKeys))
			require.NoError(t, err, "%d data entries", notify.MaxDataKeys)

			sent, err := tt.send(t, withData(notify.MaxDataKeys+1))
			require.ErrorIs(t, err, notify.ErrPermanent, "%d data entries", notify.MaxDataKeys+1)
			require.ErrorIs(t, err, hazard.ErrInvalid)
			assert.Zero(t, sent, "nothing was sent")
		})
	}
}
