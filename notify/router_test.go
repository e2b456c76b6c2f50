package notify_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type person struct {
	rec              notify.Recipient
	role, dept, unit string
}

// directory is a Directory over a fixed list of people.
type directory struct {
	mu     sync.Mutex
	people []person
}

func (d *directory) User(_ context.Context, id string) (notify.Recipient, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range d.people {
		if p.rec.UserID == id {
			return p.rec, nil
		}
	}
	return notify.Recipient{}, hazard.ErrNotFound
}

func (d *directory) Users(_ context.Context, q notify.UserQuery) ([]notify.Recipient, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []notify.Recipient
	for _, p := range d.people {
		if p.role == q.Role && (q.Department == "" || p.dept == q.Department) && (q.Unit == "" || p.unit == q.Unit) {
			out = append(out, p.rec)
		}
	}
	return out, nil
}

const (
	reporterPhone = "13900001111"
	reporterName  = "王小明"
)

func addr(kv ...string) map[notify.Channel]string {
	m := map[notify.Channel]string{}
	for i := 0; i < len(kv); i += 2 {
		m[notify.Channel(kv[i])] = kv[i+1]
	}
	return m
}

func newDirectory() *directory {
	return &directory{people: []person{
		{rec: notify.Recipient{UserID: "u-rep", Addresses: addr("wechat", "oRep")}, role: "reporter"},
		{rec: notify.Recipient{UserID: "u-h1", Addresses: addr("sms", "13800000001")}, role: "handler", dept: "gas"},
		{rec: notify.Recipient{UserID: "u-h2", Locale: "en", Addresses: addr("wechat", "oH2", "sms", "13800000002"),
			Preferences: notify.Preferences{Channels: []notify.Channel{"sms", "wechat"}}}, role: "handler", dept: "gas"},
		{rec: notify.Recipient{UserID: "u-h3", Addresses: addr("sms", "13800000003")}, role: "handler", dept: "fire"},
		{rec: notify.Recipient{UserID: "u-rv", Addresses: addr("sms", "13800000004")}, role: "reviewer"},
		{rec: notify.Recipient{UserID: "u-d", Addresses: addr("sms", "13800000005")}, role: "dispatcher"},
		{rec: notify.Recipient{UserID: "u-a", Addresses: addr("sms", "13800000006")}, role: "admin"},
		{rec: notify.Recipient{UserID: "u-off", Addresses: addr("sms", "13800000007"), Preferences: notify.Preferences{None: true}}, role: "admin"},
	}}
}

type fixture struct {
	store  *memstore.Store
	h      hazard.Hazard
	wechat *notify.Recorder
	sms    *notify.Recorder
	log    *notify.MemoryLog
	router *notify.Router
	reg    *prometheus.Registry
}

func newFixture(t *testing.T, wechat notify.Notifier) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{store: memstore.New(), log: notify.NewMemoryLog(0), reg: prometheus.NewRegistry()}
	tm := notify.MustTemplates(notify.DefaultTexts())
	f.wechat = notify.NewRecorder(notify.ChannelWeChat, tm)
	f.sms = notify.NewRecorder(notify.ChannelSMS, tm)
	if wechat == nil {
		wechat = f.wechat
	}
	h := hazardtest.NewHazard(hazardtest.WithReporter("u-rep"), hazardtest.WithDepartment("gas"), hazardtest.WithCategory("gas"))
	h.Reporter.Contact = hazard.Contact{Name: reporterName, Phone: reporterPhone}
	h.Deadline = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	var err error
	f.h, _, err = f.store.Create(ctx, h, []hazard.Event{{HazardID: h.ID, Type: hazard.EventSubmitted, Actor: hazard.Actor{ID: "u-rep", Role: "reporter"}, Time: h.CreatedAt}}, "")
	require.NoError(t, err)
	m, err := notify.NewMetrics(f.reg)
	require.NoError(t, err)
	f.router, err = notify.NewRouter(notify.RouterConfig{Hazards: f.store, Directory: newDirectory(), Log: f.log, Metrics: m,
		Channels: map[notify.Channel]notify.Notifier{notify.ChannelWeChat: wechat, notify.ChannelSMS: f.sms}})
	require.NoError(t, err)
	return f
}

func (f *fixture) event(typ hazard.EventType, seq int64, action, from, to string, data map[string]string) hazard.Event {
	return hazard.Event{Seq: seq, HazardID: f.h.ID, Type: typ, Action: action, From: from, To: to, Data: data,
		Actor: hazard.Actor{ID: "staff-1", Role: "handler", Department: "gas"}, PublicNote: "照片不清晰", Time: hazardtest.Epoch}
}

type sent struct{ user, key string }

func TestRouterRoutesEveryEventType(t *testing.T) {
	f := newFixture(t, nil)
	reward := map[string]string{"reward_id": "r1", "amount_fen": "5000", "claim_by": "2026-12-08T16:00:00Z", "reporter_id": "u-rep"}
	tests := []struct {
		name string
		e    hazard.Event
		want []sent
	}{
		{"submitted", f.event(hazard.EventSubmitted, 1, "", "", "", nil), []sent{{"u-rep", notify.KeyReceived}}},
		{"dispatch", f.event(hazard.EventTransition, 2, "dispatch", "submitted", "dispatched", map[string]string{"department": "gas"}),
			[]sent{{"u-rep", notify.KeyDispatched}, {"u-h1", notify.KeyAssigned}, {"u-h2", notify.KeyAssigned}}},
		{"accept sends nothing", f.event(hazard.EventTransition, 3, "accept", "dispatched", "accepted", nil), nil},
		{"send back", f.event(hazard.EventTransition, 4, "send_back", "dispatched", "submitted", nil), []sent{{"u-d", notify.KeySentBack}}},
		{"resolve", f.event(hazard.EventTransition, 5, "resolve", "accepted", "resolved", nil),
			[]sent{{"u-rep", notify.KeyResolved}, {"u-rv", notify.KeyReviewNeeded}}},
		{"approve", f.event(hazard.EventTransition, 6, "approve", "resolved", "closed_valid", nil), []sent{{"u-rep", notify.KeyClosedValid}}},
		{"reject", f.event(hazard.EventTransition, 7, "reject", "submitted", "closed_invalid", nil), []sent{{"u-rep", notify.KeyClosedInvalid}}},
		{"return", f.event(hazard.EventTransition, 8, "return", "resolved", "accepted", nil),
			[]sent{{"u-h1", notify.KeyReturned}, {"u-h2", notify.KeyReturned}}},
		{"withdraw", f.event(hazard.EventTransition, 9, "withdraw", "submitted", "withdrawn", nil),
			[]sent{{"u-rep", notify.KeyWithdrawn}, {"u-h1", notify.KeyWithdrawn}, {"u-h2", notify.KeyWithdrawn}}},
		{"escalated", f.event(hazard.EventEscalated, 10, "", "", "", map[string]string{"state": "accepted", "deadline": "2026-12-01T08:00:00Z", "department": "gas"}),
			[]sent{{"u-h1", notify.KeyOverdueDepartment}, {"u-h2", notify.KeyOverdueDepartment}, {"u-a", notify.KeyOverdueSupervisor}}},
		{"reward issued", f.event(hazard.EventRewardIssued, 11, "", "", "", reward), []sent{{"u-rep", notify.KeyRewardPending}}},
		{"reward claimed", f.event(hazard.EventRewardClaimed, 12, "", "", "", reward), []sent{{"u-rep", notify.KeyRewardClaimed}}},
		{"reward expired", f.event(hazard.EventRewardExpired, 13, "", "", "", reward), []sent{{"u-rep", notify.KeyRewardExpired}}},
		{"note sends nothing", f.event(hazard.EventNote, 14, "", "", "", nil), nil},
		{"duplicate sends nothing", f.event(hazard.EventDuplicate, 15, "", "", "", nil), nil},
		{"is it fixed", f.event(hazard.EventFixedCheck, 16, "", "", "", map[string]string{"state": "closed_valid"}), []sent{{"u-rep", notify.KeyFixedCheck}}},
		{"fixed answer sends nothing", f.event(hazard.EventFixedAnswer, 17, "", "", "", map[string]string{"fixed": "yes"}), nil},
		{"claim bound sends nothing", f.event(hazard.EventClaimBound, 18, "", "", "", map[string]string{"reporter_id": "u-rep"}), nil},
	}
	tm := notify.MustTemplates(notify.DefaultTexts())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := f.router.Plan(context.Background(), tt.e)
			require.NoError(t, err)
			var got []sent
			for _, p := range plan {
				got = append(got, sent{p.To.UserID, p.Message.Template})
				text, err := tm.RenderMessage(p.To, p.Message)
				require.NoError(t, err, "every planned message renders")
				assert.Contains(t, text, f.h.Ref)
				if p.To.UserID != "u-rep" {
					for _, secret := range []string{"u-rep", reporterPhone, reporterName} {
						assert.NotContains(t, text, secret, "staff text leaks the reporter")
						for _, v := range p.Message.Data {
							assert.NotContains(t, v, secret, "staff data leaks the reporter")
						}
					}
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRouterDeliversOnceWithPreferencesAndFallback(t *testing.T) {
	refusing := notify.NotifierFunc(func(ctx context.Context, to notify.Recipient, m notify.Message) error {
		return notify.Permanent(notify.ChannelWeChat, "wechat.send", "errcode 43101", nil)
	})
	f := newFixture(t, refusing)
	ctx := context.Background()
	e := f.event(hazard.EventTransition, 2, "dispatch", "submitted", "dispatched", map[string]string{"department": "gas"})
	require.NoError(t, f.router.Handle(ctx, e))
	// the reporter's WeChat refused: SMS to the hazard's contact phone; u-h1 by
	// SMS; u-h2 prefers SMS.
	var got []string
	for _, s := range f.sms.Sent() {
		got = append(got, s.To.UserID+"/"+s.Message.IdempotencyKey)
	}
	slices.Sort(got)
	assert.Equal(t, []string{"u-h1/evt-2/u-h1/sms", "u-h2/evt-2/u-h2/sms", "u-rep/evt-2/u-rep/sms"}, got)
	assert.Equal(t, reporterPhone, f.sms.Sent()[slices.IndexFunc(f.sms.Sent(), func(s notify.Sent) bool { return s.To.UserID == "u-rep" })].To.Address(notify.ChannelSMS))
	for _, s := range f.sms.Sent() {
		if s.To.UserID == "u-h2" {
			assert.True(t, strings.HasPrefix(s.Text, "New major hazard") || strings.HasPrefix(s.Text, "New hazard"), "u-h2 reads English: %q", s.Text)
		}
	}

	require.NoError(t, f.router.Handle(ctx, e), "a redelivered event")
	assert.Len(t, f.sms.Sent(), 3, "nothing is sent twice")

	require.NoError(t, testutil.GatherAndCompare(f.reg, strings.NewReader(`
# HELP hazardloop_notifications_duplicates_dropped_total Notifications dropped because their idempotency key was already delivered.
# TYPE hazardloop_notifications_duplicates_dropped_total counter
hazardloop_notifications_duplicates_dropped_total{channel="sms"} 3
# HELP hazardloop_notifications_failed_total Notification attempts that failed, by error kind.
# TYPE hazardloop_notifications_failed_total counter
hazardloop_notifications_failed_total{channel="wechat",kind="permanent"} 1
# HELP hazardloop_notifications_sent_total Notifications handed over to a channel.
# TYPE hazardloop_notifications_sent_total counter
hazardloop_notifications_sent_total{channel="sms"} 3
`), "hazardloop_notifications_sent_total", "hazardloop_notifications_failed_total", "hazardloop_notifications_duplicates_dropped_total"))
	problems, err := testutil.GatherAndLint(f.reg)
	require.NoError(t, err)
	assert.Empty(t, problems)
}

func TestRouterReturnsRetryableErrors(t *testing.T) {
	calls := 0
	busy := notify.NotifierFunc(func(ctx context.Context, to notify.Recipient, m notify.Message) error {
		calls++
		if calls == 1 {
			return notify.Temporary(notify.ChannelWeChat, "wechat.send", "errcode -1", nil)
		}
		return nil
	})
	f := newFixture(t, busy)
	e := f.event(hazard.EventSubmitted, 1, "", "", "", nil)
	err := f.router.Handle(context.Background(), e)
	require.ErrorIs(t, err, notify.ErrTemporary, "the relay must retry")
	assert.Empty(t, f.sms.Sent(), "a temporary WeChat failure does not fall back")
	require.NoError(t, f.router.Handle(context.Background(), e))
	assert.Equal(t, 2, calls)
}

func TestRouterHonoursOptOuts(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	dir := newDirectory()
	dir.people[0].rec.Preferences = notify.Preferences{OptOut: []notify.Channel{notify.ChannelWeChat}, Muted: []string{notify.KeyRewardExpired}}
	r, err := notify.NewRouter(notify.RouterConfig{Hazards: f.store, Directory: dir,
		Channels: map[notify.Channel]notify.Notifier{notify.ChannelWeChat: f.wechat, notify.ChannelSMS: f.sms}})
	require.NoError(t, err)
	plan, err := r.Plan(ctx, f.event(hazard.EventSubmitted, 1, "", "", "", nil))
	require.NoError(t, err)
	require.Len(t, plan, 1)
	assert.Equal(t, []notify.Channel{notify.ChannelSMS}, plan[0].Channels)
	plan, err = r.Plan(ctx, f.event(hazard.EventRewardExpired, 2, "", "", "", map[string]string{"amount_fen": "100"}))
	require.NoError(t, err)
	assert.Empty(t, plan, "muted template")

	_, err = notify.NewRouter(notify.RouterConfig{})
	require.ErrorIs(t, err, hazard.ErrInvalid)
}
