package follow_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/follow"
	"github.com/hazardloop/hazardloop/follow/memfollow"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memlimit"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/relay"
)

var (
	ctx      = context.Background()
	t0       = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	here     = hazard.Point{Lat: 39.9087, Lng: 116.3975, System: hazard.WGS84}
	reporter = hazard.User{ID: "rep", Role: "reporter"}
	fan      = hazard.User{ID: "fan", Role: "reporter"}
	fan2     = hazard.User{ID: "fan2", Role: "reporter"}
	disp     = hazard.User{ID: "disp", Role: "dispatcher"}
	secret   = []byte("0123456789abcdef0123456789abcdef")
)

// directory knows every user, with no address: the log channel needs none.
type directory struct{}

func (directory) User(_ context.Context, id string) (notify.Recipient, error) {
	return notify.Recipient{UserID: id}, nil
}
func (directory) Users(context.Context, notify.UserQuery) ([]notify.Recipient, error) {
	return nil, nil
}

type fixture struct {
	hs     *memstore.Store
	svc    *hazard.Service
	follow *follow.Service
	clock  *hazardtest.Clock
	rec    *notify.Recorder
	alerts relay.Consumer
	after  int64 // the last event delivered
}

func newFixture(t *testing.T, edit ...func(*follow.Config)) *fixture {
	t.Helper()
	f := &fixture{hs: memstore.New(), clock: hazardtest.NewClock(t0), rec: notify.NewRecorder(notify.ChannelLog, nil)}
	lim := memlimit.New(memlimit.Config{Clock: f.clock.Now})
	var err error
	f.svc, err = hazard.NewService(hazard.ServiceConfig{Store: f.hs, Clock: f.clock.Now, Limiter: lim,
		Moderation: hazard.ModerationConfig{Publish: hazard.PublishOnSubmit}})
	require.NoError(t, err)
	cfg := follow.Config{Store: memfollow.New(f.hs), Hazards: f.svc, HazardStore: f.hs, Secret: secret, Limiter: lim, Clock: f.clock.Now}
	for _, e := range edit {
		e(&cfg)
	}
	f.follow, err = follow.New(cfg)
	require.NoError(t, err)
	router, err := notify.NewRouter(notify.RouterConfig{Hazards: f.hs, Directory: directory{}, Channels: map[notify.Channel]notify.Notifier{notify.ChannelLog: f.rec}})
	require.NoError(t, err)
	f.alerts, err = f.follow.Consumer("follow", follow.AlertsConfig{Messenger: router, Directory: directory{}, UnsubscribeURL: "https://city.example/unsubscribe?token="})
	require.NoError(t, err)
	return f
}

func (f *fixture) report(t *testing.T) hazard.Hazard {
	t.Helper()
	p := here
	h, err := f.svc.Submit(ctx, reporter, hazard.SubmitInput{Category: "fire", Description: "exit blocked",
		Location: hazard.Location{Address: "1 Road", Point: &p, District: "110101"},
		Photos:   []hazard.Photo{hazardtest.NewPhoto("x")}}, "")
	require.NoError(t, err)
	return h
}

// deliver hands the events of the log not delivered yet to the alerts
// consumer, twice (a redelivery sends nothing more).
func (f *fixture) deliver(t *testing.T) {
	t.Helper()
	evs, err := f.hs.Events(ctx, f.after, 0)
	require.NoError(t, err)
	for range 2 {
		for _, e := range evs {
			require.NoError(t, f.alerts.Handle(ctx, e))
		}
	}
	if len(evs) > 0 {
		f.after = evs[len(evs)-1].Seq
	}
}

func (f *fixture) sent(user, template string) []notify.Sent {
	var out []notify.Sent
	for _, s := range f.rec.Sent() {
		if s.To.UserID == user && s.Message.Template == template {
			out = append(out, s)
		}
	}
	return out
}

func TestNew(t *testing.T) {
	_, err := follow.New(follow.Config{})
	require.ErrorIs(t, err, hazard.ErrInvalid)
	_, err = follow.New(follow.Config{Store: memfollow.New(memstore.New()), Hazards: &hazard.Service{}, HazardStore: memstore.New(), Secret: []byte("short")})
	assert.ErrorIs(t, err, hazard.ErrInvalid, "a short secret")
	_, err = follow.New(follow.Config{Store: memfollow.New(memstore.New()), Hazards: &hazard.Service{}, HazardStore: memstore.New(), Secret: secret, MaxFollows: follow.MaxSubscriptions + 1})
	assert.ErrorIs(t, err, hazard.ErrInvalid, "a cap above MaxSubscriptions")
	f := newFixture(t)
	_, err = f.follow.Consumer("x", follow.AlertsConfig{})
	assert.ErrorIs(t, err, hazard.ErrInvalid, "alerts without a messenger")
}

func TestMeToo(t *testing.T) {
	f := newFixture(t)
	h := f.report(t)
	res, err := f.follow.MeToo(ctx, fan, h.Ref)
	require.NoError(t, err)
	assert.True(t, res.Counted)
	assert.Equal(t, 1, res.MeToo)
	res, err = f.follow.MeToo(ctx, fan, h.Ref)
	require.NoError(t, err)
	assert.False(t, res.Counted, "twice")
	assert.Equal(t, 1, res.MeToo)
	_, err = f.follow.MeToo(ctx, reporter, h.Ref)
	assert.ErrorIs(t, err, hazard.ErrConflict, "one's own report")
	_, err = f.follow.MeToo(ctx, disp, h.Ref)
	assert.ErrorIs(t, err, hazard.ErrForbidden, "staff")
	_, err = f.follow.MeToo(ctx, hazard.User{}, h.Ref)
	assert.ErrorIs(t, err, hazard.ErrUnauthenticated)
	_, err = f.follow.MeToo(ctx, fan, "HZ-19700101-000000")
	assert.ErrorIs(t, err, hazard.ErrNotFound)
	p, err := f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err)
	assert.Equal(t, 1, p.MeToo)

	_, err = f.svc.Act(ctx, reporter, h.ID, hazard.ActionWithdraw, hazard.ActInput{ExpectedVersion: h.Version})
	require.NoError(t, err)
	_, err = f.follow.MeToo(ctx, fan2, h.Ref)
	assert.ErrorIs(t, err, hazard.ErrConflict, "a closed report")
	res, err = f.follow.Follow(ctx, fan2, h.Ref)
	require.NoError(t, err, "a closed report may still be followed")
	assert.True(t, res.Following)
}

func TestFollowCap(t *testing.T) {
	f := newFixture(t, func(c *follow.Config) { c.MaxFollows = 1 })
	a, b := f.report(t), f.report(t)
	_, err := f.follow.Follow(ctx, fan, a.Ref)
	require.NoError(t, err)
	_, err = f.follow.Follow(ctx, fan, b.Ref)
	require.ErrorIs(t, err, hazard.ErrConflict)
	require.NoError(t, f.follow.Unfollow(ctx, fan, a.Ref))
	_, err = f.follow.Follow(ctx, fan, b.Ref)
	require.NoError(t, err)
	subs, err := f.follow.Subscriptions(ctx, fan)
	require.NoError(t, err)
	require.Len(t, subs.Follows, 1)
	assert.Equal(t, b.Ref, subs.Follows[0].Ref)
	assert.Equal(t, 1, subs.MaxFollows)
	assert.ErrorIs(t, f.follow.Unfollow(ctx, fan2, a.Ref), hazard.ErrNotFound, "not following")
}

func TestWatch(t *testing.T) {
	f := newFixture(t, func(c *follow.Config) { c.MaxAreas = 2 })
	c := here
	a, err := f.follow.Watch(ctx, fan, follow.AreaInput{Center: &c, RadiusMeters: 300})
	require.NoError(t, err)
	_, err = f.follow.Watch(ctx, fan, follow.AreaInput{District: "110101", Category: "fire"})
	require.NoError(t, err)
	_, err = f.follow.Watch(ctx, fan, follow.AreaInput{District: "2"})
	assert.ErrorIs(t, err, hazard.ErrConflict, "a third area with a cap of 2")
	for _, tc := range []struct {
		name string
		in   follow.AreaInput
	}{
		{"nothing", follow.AreaInput{}},
		{"both", follow.AreaInput{Center: &c, RadiusMeters: 10, District: "1"}},
		{"no radius", follow.AreaInput{Center: &c}},
		{"radius too large", follow.AreaInput{Center: &c, RadiusMeters: follow.MaxAreaRadius + 1}},
		{"radius without center", follow.AreaInput{District: "1", RadiusMeters: 10}},
		{"unknown category", follow.AreaInput{District: "1", Category: "nope"}},
	} {
		_, err := f.follow.Watch(ctx, fan2, tc.in)
		assert.ErrorIs(t, err, hazard.ErrInvalid, tc.name)
	}
	assert.ErrorIs(t, f.follow.Unwatch(ctx, fan2, a.ID), hazard.ErrNotFound, "another's area")
	require.NoError(t, f.follow.Unwatch(ctx, fan, a.ID))
}

func TestAlerts(t *testing.T) {
	f := newFixture(t)
	c := here
	_, err := f.follow.Watch(ctx, fan, follow.AreaInput{Center: &c, RadiusMeters: 500})
	require.NoError(t, err)
	_, err = f.follow.Watch(ctx, fan, follow.AreaInput{District: "110101"}) // the same report: one alert
	require.NoError(t, err)
	_, err = f.follow.Watch(ctx, fan2, follow.AreaInput{District: "110101", Category: "gas"})
	require.NoError(t, err)
	_, err = f.follow.Watch(ctx, reporter, follow.AreaInput{District: "110101"})
	require.NoError(t, err)
	h := f.report(t)
	_, err = f.follow.Follow(ctx, fan2, h.Ref)
	require.NoError(t, err)
	h, err = f.svc.Act(ctx, disp, h.ID, hazard.ActionDispatch, hazard.ActInput{ExpectedVersion: h.Version, Department: "fire", Note: "to fire"})
	require.NoError(t, err)
	f.deliver(t)

	alerts := f.sent("fan", notify.KeyAreaAlert)
	require.Len(t, alerts, 1, "one alert per report and citizen, however many areas and events")
	assert.Equal(t, h.Ref, alerts[0].Message.Data["ref"])
	assert.Empty(t, f.sent("fan2", notify.KeyAreaAlert), "an area of another category")
	assert.Empty(t, f.sent("rep", notify.KeyAreaAlert), "the reporter")

	upd := f.sent("fan2", notify.KeyFollowUpdate)
	require.Len(t, upd, 1, "the dispatch, once")
	assert.Equal(t, "to fire", upd[0].Message.Data["note"])
	assert.Empty(t, f.sent("disp", notify.KeyFollowUpdate), "the actor")

	// The unsubscribe link works once, with no login; a forged one fails.
	link, err := url.Parse(upd[0].Message.Data["unsubscribe"])
	require.NoError(t, err)
	token := link.Query().Get("token")
	got, err := f.follow.Unsubscribe(ctx, token)
	require.NoError(t, err)
	assert.Equal(t, follow.Unsubscribed{Kind: "follow", Ref: h.Ref}, got)
	subs, err := f.follow.Subscriptions(ctx, fan2)
	require.NoError(t, err)
	assert.Empty(t, subs.Follows)
	_, err = f.follow.Unsubscribe(ctx, token)
	assert.NoError(t, err, "a second time")
	for _, bad := range []string{"", "x", token + "x", strings.Replace(token, ".", "x.", 1), strings.Repeat("a", follow.MaxTokenLen+1)} {
		_, err := f.follow.Unsubscribe(ctx, bad)
		assert.ErrorIs(t, err, hazard.ErrInvalid, "token %q", bad)
	}
	areaLink, err := url.Parse(alerts[0].Message.Data["unsubscribe"])
	require.NoError(t, err)
	got, err = f.follow.Unsubscribe(ctx, areaLink.Query().Get("token"))
	require.NoError(t, err)
	assert.Equal(t, "area", got.Kind)
	subs, err = f.follow.Subscriptions(ctx, fan)
	require.NoError(t, err)
	assert.Len(t, subs.Areas, 1, "the other area stays")
}

func TestDailyCap(t *testing.T) {
	f := newFixture(t, func(c *follow.Config) { c.MessagesPerDay = 2 })
	update := func() {
		h := f.report(t)
		f.deliver(t)
		_, err := f.follow.Follow(ctx, fan, h.Ref)
		require.NoError(t, err)
		_, err = f.svc.Act(ctx, disp, h.ID, hazard.ActionDispatch, hazard.ActInput{ExpectedVersion: h.Version, Department: "fire"})
		require.NoError(t, err)
		f.deliver(t)
	}
	for range 3 {
		update()
	}
	assert.Len(t, f.sent("fan", notify.KeyFollowUpdate), 2, "messages in a day with a cap of 2")
	f.clock.Advance(24 * time.Hour)
	update()
	assert.Len(t, f.sent("fan", notify.KeyFollowUpdate), 3, "the next day")
}

func TestTokenNamesOneSubscription(t *testing.T) {
	f := newFixture(t)
	other, err := follow.New(follow.Config{Store: memfollow.New(f.hs), Hazards: f.svc, HazardStore: f.hs, Secret: []byte("another-secret-another-secret-xx")})
	require.NoError(t, err)
	tok := other.Token("fan", uuid.Must(uuid.NewV7()), true)
	_, err = f.follow.Unsubscribe(ctx, tok)
	assert.ErrorIs(t, err, hazard.ErrInvalid, "a token of another secret")
}

// resets records the keys a LimitResetter was asked to reset.
type resets struct {
	hazard.Limiter
	keys []string
}

func (r *resets) Reset(_ context.Context, keys ...string) error {
	r.keys = append(r.keys, keys...)
	return nil
}

func TestForgetUser(t *testing.T) {
	lim := &resets{}
	f := newFixture(t, func(c *follow.Config) { lim.Limiter = c.Limiter; c.Limiter = lim })
	h := f.report(t)
	f.deliver(t)
	_, err := f.follow.MeToo(ctx, fan, h.Ref)
	require.NoError(t, err)
	p := here
	_, err = f.follow.Watch(ctx, fan, follow.AreaInput{Center: &p, RadiusMeters: 300})
	require.NoError(t, err)

	require.NoError(t, f.follow.ForgetUser(ctx, hazardtest.NewErasure("fan")))
	subs, err := f.follow.Subscriptions(ctx, fan)
	require.NoError(t, err)
	assert.Empty(t, subs.Follows, "follows after ForgetUser")
	assert.Empty(t, subs.Areas, "areas after ForgetUser")
	assert.Equal(t, []string{"follow-msg:fan"}, lim.keys, "the daily cap's key is reset")
	pub, err := f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err)
	assert.Equal(t, 1, pub.MeToo, "the me-too stays counted")
	require.ErrorIs(t, f.follow.ForgetUser(ctx, hazard.Erasure{UserID: "fan"}), hazard.ErrInvalid)
}
