package wechatpay_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/wechatpay"
	"github.com/hazardloop/hazardloop/reward/wechatpay/membills"
	"github.com/hazardloop/hazardloop/reward/wechatpay/wechatpaytest"
)

var ctx = context.Background()

// RealName is every test payee's real name.
const RealName = "张三"

// fixture is a payer against a fake WeChat Pay.
type fixture struct {
	srv   *wechatpaytest.Server
	bills *membills.Store
	payer *wechatpay.Payer
	// reports counts the rewards the callback handler reported.
	mu      sync.Mutex
	reports map[uuid.UUID]int
}

// payees knows every reporter but "stranger"; their openid is "o-" and
// their ID.
var payees = wechatpay.PayeeFunc(func(_ context.Context, id string) (wechatpay.Payee, error) {
	if id == "stranger" {
		return wechatpay.Payee{}, &hazard.Error{Code: hazard.CodeNotFound, Message: "no WeChat identity"}
	}
	return wechatpay.Payee{OpenID: "o-" + id, RealName: RealName}, nil
})

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{srv: wechatpaytest.NewServer(t), bills: membills.New(), reports: map[uuid.UUID]int{}}
	p, err := wechatpay.New(f.srv.Config(), f.bills, payees)
	require.NoError(t, err)
	f.payer = p
	return f
}

func request(amount reward.Fen) reward.PayRequest {
	id := uuid.Must(uuid.NewV7())
	return reward.PayRequest{IdempotencyKey: id.String(), RewardID: id, ReporterID: "alice", Amount: amount,
		Remark: "隐患举报奖励 LC-20260302-000001"}
}

// latest returns the number of the reward's latest bill.
func (f *fixture) latest(t *testing.T, key string) wechatpay.Bill {
	t.Helper()
	b, err := f.bills.Latest(ctx, key)
	require.NoError(t, err, "Latest(%s)", key)
	return b
}

// report is the function the server gives the callback handler.
func (f *fixture) report(_ context.Context, id uuid.UUID) error {
	f.mu.Lock()
	f.reports[id]++
	f.mu.Unlock()
	return nil
}

func (f *fixture) reported(id uuid.UUID) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reports[id]
}

// deliver serves a callback request to the handler and returns the
// response.
func deliver(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// eventLog is a small reward.EventLog.
type eventLog struct {
	mu     sync.Mutex
	events []hazard.Event
}

func (l *eventLog) Append(_ context.Context, events ...hazard.Event) ([]hazard.Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range events {
		events[i].Seq = int64(len(l.events) + 1)
		l.events = append(l.events, events[i].Clone())
	}
	return events, nil
}

func (l *eventLog) HazardEvents(_ context.Context, id uuid.UUID) ([]hazard.Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []hazard.Event
	for _, e := range l.events {
		if e.HazardID == id {
			out = append(out, e.Clone())
		}
	}
	return out, nil
}

func (l *eventLog) ofType(t hazard.EventType) []hazard.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []hazard.Event
	for _, e := range l.events {
		if e.Type == t {
			out = append(out, e)
		}
	}
	return out
}
