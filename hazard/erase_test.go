package hazard_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// steps records the erasures its forgetters see, in order, and fails a
// step as many times as fail says.
type steps struct {
	mu   sync.Mutex
	seen []string // "name:pseudonym"
	fail map[string]int
	deny error
}

func (s *steps) step(name string) hazard.ErasureStep {
	return hazard.ErasureStep{Name: name, Forgetter: hazard.ForgetterFunc(func(_ context.Context, e hazard.Erasure) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.fail[name] > 0 {
			s.fail[name]--
			return hazard.Errorf(hazard.CodeInternal, "%s is down", name)
		}
		s.seen = append(s.seen, name+":"+e.Pseudonym)
		return nil
	})}
}

func (s *steps) calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seen)
}

// guard is a step that refuses with its steps' deny error.
type guard struct {
	hazard.Forgetter
	s *steps
}

func (g guard) CheckErasure(context.Context, hazard.User) error { return g.s.deny }

func newEraser(t *testing.T, f *fixture, s *steps) *hazard.Eraser {
	t.Helper()
	x, err := hazard.NewEraser(hazard.EraserConfig{
		Journal: f.store, Clock: f.clock.Now,
		Steps: []hazard.ErasureStep{
			s.step("accounts"),
			{Name: "hazards", Forgetter: f.svc},
			{Name: "rewards", Forgetter: guard{Forgetter: s.step("rewards").Forgetter, s: s}},
		},
	})
	require.NoError(t, err, "NewEraser")
	return x
}

func accessLog(t *testing.T, f *fixture) []hazard.Event {
	t.Helper()
	evs, err := f.svc.AccessLog(context.Background(), auditor, 0, 0)
	require.NoError(t, err, "AccessLog")
	return evs
}

func TestEraseRefusesBeforeBeginning(t *testing.T) {
	f := newFixture(t)
	s := &steps{}
	x := newEraser(t, f, s)
	for _, c := range []struct {
		name    string
		user    hazard.User
		confirm string
		want    error
	}{
		{"nobody", hazard.User{}, "删除", hazard.ErrUnauthenticated},
		{"a dispatcher", dispatcher, "删除", hazard.ErrForbidden},
		{"an admin", admin, "删除", hazard.ErrForbidden},
		{"a unit's safety manager", enterprise, "删除", hazard.ErrForbidden},
		{"an auditor", auditor, "删除", hazard.ErrForbidden},
		{"an anonymous reporter", hazard.AnonymousUser(hazard.Origin{Address: "10.0.0.1", Device: "device-0123456789"}), "删除", hazard.ErrForbidden},
		{"a pseudonym", hazard.User{ID: hazard.PseudonymPrefix + strings.Repeat("a", 32), Role: "reporter"}, "删除", hazard.ErrForbidden},
		{"no confirmation", citizen, "", hazard.ErrInvalid},
		{"a wrong confirmation", citizen, "yes", hazard.ErrInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := x.Erase(context.Background(), c.user, c.confirm)
			require.ErrorIs(t, err, c.want)
		})
	}
	_, err := x.Erase(context.Background(), citizen, "no")
	var he *hazard.Error
	require.ErrorAs(t, err, &he)
	assert.Equal(t, "confirm", he.Field, "the field of a wrong confirmation")

	s.deny = &hazard.Error{Code: hazard.CodeConflict, Message: "a reward is being paid"}
	_, err = x.Erase(context.Background(), citizen, "删除")
	require.ErrorIs(t, err, hazard.ErrConflict, "a guard's refusal")
	assert.Empty(t, s.calls(), "no step forgot anything")
	assert.Empty(t, accessLog(t, f), "nothing began")
	left, err := f.store.Erasures(context.Background(), f.clock.Now().Add(time.Hour), 0)
	require.NoError(t, err)
	assert.Empty(t, left, "nothing in the journal")
}

func TestEraseForgetsTheCitizen(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())
	other := f.submit(t, otherCit, fireReport())
	s := &steps{}
	x := newEraser(t, f, s)

	r, err := x.Erase(ctx, citizen, " delete ")
	require.NoError(t, err, "Erase")
	assert.True(t, r.Done, "the receipt says done")
	assert.True(t, hazard.IsPseudonym(r.Pseudonym), "the receipt's pseudonym %q", r.Pseudonym)
	assert.Equal(t, f.clock.Now(), r.RequestedAt)
	assert.Equal(t, []string{"accounts:" + r.Pseudonym, "rewards:" + r.Pseudonym}, s.calls(), "the steps in order, with one pseudonym")

	got, err := f.store.Get(ctx, h.ID)
	require.NoError(t, err)
	assert.Equal(t, r.Pseudonym, got.Reporter.UserID, "the report stays, with the pseudonym")
	assert.Empty(t, got.Reporter.Contact, "the contact is gone")
	got, err = f.store.Get(ctx, other.ID)
	require.NoError(t, err)
	assert.Equal(t, otherCit.ID, got.Reporter.UserID, "another citizen's report")
	mine, err := f.svc.Mine(ctx, citizen, hazard.Page{})
	require.NoError(t, err)
	assert.Empty(t, mine.Items, "the citizen's ID has no reports left")

	log := accessLog(t, f)
	require.Len(t, log, 2, "the access log: begun and erased")
	assert.Equal(t, hazard.EventErasureBegun, log[0].Type)
	assert.Equal(t, hazard.Actor{ID: r.Pseudonym, Role: "reporter"}, log[0].Actor, "who asked: the pseudonym")
	assert.Equal(t, hazard.EventErased, log[1].Type)
	for _, e := range log {
		assert.Equal(t, r.Pseudonym, e.Data[hazard.DataPseudonym], "%s names the pseudonym", e.Type)
	}
	all, err := f.store.Events(ctx, 0, 0)
	require.NoError(t, err)
	for _, e := range all {
		assert.NotEqual(t, citizen.ID, e.Actor.ID, "event %d (%s): actor", e.Seq, e.Type)
		for k, v := range e.Data {
			assert.NotEqual(t, citizen.ID, v, "event %d: data %s", e.Seq, k)
		}
	}
	left, err := f.store.Erasures(ctx, f.clock.Now().Add(time.Hour), 0)
	require.NoError(t, err)
	assert.Empty(t, left, "the journal forgot the erasure")
}

func TestEraseIsFinishedAfterAFailure(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())
	s := &steps{fail: map[string]int{"rewards": 2}}
	x := newEraser(t, f, s)

	r, err := x.Erase(ctx, citizen, "删除")
	require.NoError(t, err, "Erase: begun, so no error")
	assert.False(t, r.Done, "the receipt: not done")
	assert.Equal(t, "rewards", r.Pending, "the receipt names the failed step")
	got, err := f.store.Get(ctx, h.ID)
	require.NoError(t, err)
	assert.Equal(t, r.Pseudonym, got.Reporter.UserID, "the steps before the failure forgot")

	// Too early for Resume: the erasure may still be under way.
	n, err := x.Resume(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "Resume within ResumeAfter")
	// A retry by the person takes up the same erasure, and fails again.
	again, err := x.Erase(ctx, citizen, "删除")
	require.NoError(t, err)
	assert.Equal(t, r.Pseudonym, again.Pseudonym, "a retry goes on with the pseudonym")
	assert.Equal(t, r.RequestedAt, again.RequestedAt, "a retry keeps the time of the request")
	assert.False(t, again.Done)

	f.clock.Advance(hazard.DefaultErasureResumeAfter)
	n, err = x.Resume(ctx)
	require.NoError(t, err, "Resume")
	assert.Equal(t, 1, n, "Resume finished the erasure")
	assert.Equal(t, []string{"accounts:" + r.Pseudonym, "accounts:" + r.Pseudonym, "accounts:" + r.Pseudonym, "rewards:" + r.Pseudonym},
		s.calls(), "every try with the one pseudonym")
	n, err = x.Resume(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to resume")
	var types []hazard.EventType
	for _, e := range accessLog(t, f) {
		types = append(types, e.Type)
	}
	assert.Equal(t, []hazard.EventType{hazard.EventErasureBegun, hazard.EventErased}, types, "one beginning and one end")
}

func TestEraseResumeReportsAFailure(t *testing.T) {
	f := newFixture(t)
	s := &steps{fail: map[string]int{"accounts": 5}}
	x := newEraser(t, f, s)
	_, err := x.Erase(context.Background(), citizen, "删除")
	require.NoError(t, err)
	f.clock.Advance(time.Hour)
	n, err := x.Resume(context.Background())
	require.ErrorIs(t, err, hazard.ErrInternal, "Resume returns the step's failure")
	assert.Zero(t, n)
}

// resetLimiter records the keys reset.
type resetLimiter struct {
	hazard.Limiter
	mu   sync.Mutex
	keys []string
}

func (l *resetLimiter) Reset(_ context.Context, keys ...string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.keys = append(l.keys, keys...)
	return nil
}

func TestServiceForgetUserResetsTheSubmitLimit(t *testing.T) {
	lim := &resetLimiter{}
	f := newFixture(t, func(c *hazard.ServiceConfig) { lim.Limiter = c.Limiter; c.Limiter = lim })
	e := hazard.Erasure{UserID: citizen.ID, Pseudonym: hazard.PseudonymPrefix + strings.Repeat("0", 32), RequestedAt: f.clock.Now()}
	require.NoError(t, f.svc.ForgetUser(context.Background(), e))
	assert.Equal(t, []string{"submit:" + citizen.ID}, lim.keys, "the keys reset")
	require.ErrorIs(t, f.svc.ForgetUser(context.Background(), hazard.Erasure{UserID: citizen.ID}), hazard.ErrInvalid)
}

func TestNewEraserChecksItsConfig(t *testing.T) {
	_, err := hazard.NewEraser(hazard.EraserConfig{})
	require.ErrorIs(t, err, hazard.ErrInvalid)
	_, err = hazard.NewEraser(hazard.EraserConfig{Journal: newFixture(t).store, Steps: []hazard.ErasureStep{{Name: "x"}}})
	require.ErrorIs(t, err, hazard.ErrInvalid, "a step without a forgetter")
}

func TestConfirmsErasure(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"删除", true}, {" 删除 ", true}, {"DELETE", true}, {"delete", true}, {"Delete", true},
		{"", false}, {"yes", false}, {"删", false}, {"delete me", false},
	} {
		assert.Equal(t, c.want, hazard.ConfirmsErasure(c.in), "ConfirmsErasure(%q)", c.in)
	}
}

func TestPseudonyms(t *testing.T) {
	a, err := hazard.NewPseudonym()
	require.NoError(t, err)
	b, err := hazard.NewPseudonym()
	require.NoError(t, err)
	assert.NotEqual(t, a, b, "two pseudonyms")
	assert.True(t, hazard.IsPseudonym(a))
	assert.False(t, hazard.IsPseudonym(citizen.ID))
	assert.Len(t, a, len(hazard.PseudonymPrefix)+32)
	require.NoError(t, hazard.Erasure{UserID: citizen.ID, Pseudonym: a, RequestedAt: time.Now()}.Validate())
	err = hazard.Erasure{UserID: citizen.ID, Pseudonym: strings.ToUpper(a), RequestedAt: time.Now()}.Validate()
	var he *hazard.Error
	require.True(t, errors.As(err, &he), "an upper-case pseudonym is invalid: %v", err)
}

func TestForgetEventCopiesData(t *testing.T) {
	e := hazard.Erasure{UserID: "u1", Pseudonym: hazard.PseudonymPrefix + strings.Repeat("1", 32)}
	data := map[string]string{hazard.DataReporterID: "u1", "other": "u10"}
	ev := hazard.Event{Actor: hazard.Actor{ID: "u1"}, Data: data}
	require.True(t, e.ForgetEvent(&ev))
	assert.Equal(t, e.Pseudonym, ev.Actor.ID)
	assert.Equal(t, map[string]string{hazard.DataReporterID: e.Pseudonym, "other": "u10"}, ev.Data, "only whole values change")
	assert.Equal(t, "u1", data[hazard.DataReporterID], "the caller's map is not written to")
	assert.False(t, e.ForgetEvent(&ev), "a rewritten event does not change again")
}
