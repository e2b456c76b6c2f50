package reply_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/reply"
	"github.com/hazardloop/hazardloop/reply/memreply"
)

var (
	admin      = hazard.User{ID: "admin-1", Role: "admin"}
	dispatcher = hazard.User{ID: "dispatcher-1", Role: "dispatcher"}
	fireDept   = hazard.User{ID: "fire-1", Role: "handler", Department: "fire"}
	gasDept    = hazard.User{ID: "gas-1", Role: "handler", Department: "gas"}
	citizen    = hazard.User{ID: "citizen-1", Role: "reporter"}
	t0         = time.Date(2026, 11, 28, 8, 30, 0, 0, time.UTC)
)

type fixture struct {
	store   *memstore.Store
	hazards *hazard.Service
	replies *reply.Service
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{store: memstore.New()}
	clock := func() time.Time { return t0 }
	var err error
	f.hazards, err = hazard.NewService(hazard.ServiceConfig{Store: f.store, Clock: clock, Refs: hazard.RefFormat{Prefix: "RT"}})
	require.NoError(t, err)
	f.replies, err = reply.New(reply.Config{Store: memreply.New(f.store), Hazards: f.hazards, Clock: clock})
	require.NoError(t, err)
	return f
}

func (f *fixture) report(t *testing.T, category string) hazard.Hazard {
	t.Helper()
	h, err := f.hazards.Submit(context.Background(), citizen, hazard.SubmitInput{Category: category, Description: "堵了",
		Location: hazard.Location{Address: "建国路88号"},
		Photos:   []hazard.Photo{{SHA256: strings.Repeat("cd", 32), ContentType: hazard.TypeJPEG, Size: 10}}}, "")
	require.NoError(t, err)
	return h
}

var forward = reply.Input{Action: "dispatch", State: "submitted", Title: "转办", TextZH: "报告 {ref}（{category}）已转办。", TextEN: "Report {ref} ({category}) was forwarded."}

// TestNew: the required fields.
func TestNew(t *testing.T) {
	_, err := reply.New(reply.Config{})
	require.ErrorIs(t, err, hazard.ErrInvalid)
}

// TestManage: only admins create, update and delete; each change is a
// version with an event; stale versions conflict; deleted templates keep
// their history.
func TestManage(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for _, u := range []hazard.User{dispatcher, fireDept, citizen} {
		_, err := f.replies.Create(ctx, u, "fwd", forward)
		assert.ErrorIs(t, err, hazard.ErrForbidden, "Create by %s", u.Role)
	}
	_, err := f.replies.Create(ctx, hazard.User{}, "fwd", forward)
	assert.ErrorIs(t, err, hazard.ErrUnauthenticated)
	v1, err := f.replies.Create(ctx, admin, "fwd", forward)
	require.NoError(t, err, "Create")
	assert.Equal(t, int64(1), v1.Version)
	assert.Equal(t, admin.ID, v1.UpdatedBy)
	_, err = f.replies.Create(ctx, admin, "fwd", forward)
	assert.ErrorIs(t, err, hazard.ErrConflict, "Create of a taken ID")

	in := forward
	in.TextZH = "第二版 {ref}"
	_, err = f.replies.Update(ctx, admin, "fwd", in)
	assert.ErrorIs(t, err, hazard.ErrInvalid, "Update without expected_version")
	in.ExpectedVersion = 1
	v2, err := f.replies.Update(ctx, admin, "fwd", in)
	require.NoError(t, err, "Update")
	assert.Equal(t, int64(2), v2.Version)
	_, err = f.replies.Update(ctx, admin, "fwd", in)
	var e *hazard.Error
	require.True(t, errors.As(err, &e), "Update of a stale version")
	assert.Equal(t, hazard.CodeConflict, e.Code)
	assert.Equal(t, int64(2), e.Version)

	_, err = f.replies.Delete(ctx, dispatcher, "fwd", 2)
	assert.ErrorIs(t, err, hazard.ErrForbidden)
	_, err = f.replies.Delete(ctx, admin, "fwd", 2)
	require.NoError(t, err, "Delete")
	_, err = f.replies.Delete(ctx, admin, "fwd", 3)
	assert.ErrorIs(t, err, hazard.ErrNotFound, "Delete of a deleted template")
	list, err := f.replies.List(ctx, dispatcher)
	require.NoError(t, err)
	assert.Empty(t, list, "List after Delete")
	vs, err := f.replies.Versions(ctx, admin, "fwd")
	require.NoError(t, err)
	require.Len(t, vs, 3, "every version kept")
	assert.Equal(t, forward.TextZH, vs[0].TextZH)
	assert.True(t, vs[2].Deleted)
	_, err = f.replies.Versions(ctx, dispatcher, "fwd")
	assert.ErrorIs(t, err, hazard.ErrForbidden, "Versions by a dispatcher")
	_, err = f.replies.List(ctx, citizen)
	assert.ErrorIs(t, err, hazard.ErrForbidden, "List by a citizen")

	// Every change is an event of the template's subject.
	evs, err := f.store.SubjectEvents(ctx, reply.Subject("fwd"), 0, 0)
	require.NoError(t, err)
	require.Len(t, evs, 3)
	assert.Equal(t, []hazard.EventType{reply.EventSaved, reply.EventSaved, reply.EventDeleted}, []hazard.EventType{evs[0].Type, evs[1].Type, evs[2].Type})
	assert.Equal(t, admin.ID, evs[0].Actor.ID)
	assert.Equal(t, "3", evs[2].Data[reply.DataVersion])
}

// TestValidate: every rule names its field and stores nothing.
func TestValidate(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for name, c := range map[string]struct {
		id    string
		edit  func(*reply.Input)
		field string
	}{
		"id":          {"Bad-ID", nil, "id"},
		"long id":     {"a" + strings.Repeat("b", reply.MaxIDLen), nil, "id"},
		"title":       {"ok", func(in *reply.Input) { in.Title = "" }, "title"},
		"text":        {"ok", func(in *reply.Input) { in.TextZH = "" }, "text_zh"},
		"long text":   {"ok", func(in *reply.Input) { in.TextZH = strings.Repeat("字", reply.MaxTextLen+1) }, "text_zh"},
		"placeholder": {"ok", func(in *reply.Input) { in.TextEN = "call {phone}" }, "text_en"},
		"action":      {"ok", func(in *reply.Input) { in.Action = "explode" }, "action"},
		"state":       {"ok", func(in *reply.Input) { in.State = "nowhere" }, "state"},
		"category":    {"ok", func(in *reply.Input) { in.Category = "unicorns" }, "category"},
	} {
		in := forward
		if c.edit != nil {
			c.edit(&in)
		}
		_, err := f.replies.Create(ctx, admin, c.id, in)
		require.ErrorIs(t, err, hazard.ErrInvalid, name)
		var e *hazard.Error
		require.True(t, errors.As(err, &e))
		fields := []string{e.Field}
		for _, p := range e.Fields {
			fields = append(fields, p.Field)
		}
		assert.Contains(t, fields, c.field, name)
	}
	list, err := f.replies.List(ctx, admin)
	require.NoError(t, err)
	assert.Empty(t, list, "invalid templates stored")
}

// TestSuggest: staff get the templates of the action, state and category
// of a report in their scope, rendered with its facts in both languages.
func TestSuggest(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.replies.Create(ctx, admin, "fwd", forward)
	require.NoError(t, err)
	gasOnly := forward
	gasOnly.Category, gasOnly.Title = "gas", "燃气"
	_, err = f.replies.Create(ctx, admin, "fwd_gas", gasOnly)
	require.NoError(t, err)
	accept := reply.Input{Action: "accept", Title: "受理", TextZH: "{department}已受理，{date}。"}
	_, err = f.replies.Create(ctx, admin, "accepted", accept)
	require.NoError(t, err)

	h := f.report(t, "fire")
	got, err := f.replies.Suggest(ctx, dispatcher, h.ID, "dispatch")
	require.NoError(t, err)
	require.Len(t, got, 1, "the fire report's dispatch notes")
	assert.Equal(t, "fwd", got[0].ID)
	assert.Equal(t, fmt.Sprintf("报告 %s（消防）已转办。", h.Ref), got[0].TextZH)
	assert.Contains(t, got[0].TextEN, h.Ref)
	_, err = f.replies.Suggest(ctx, dispatcher, h.ID, "accept")
	assert.ErrorIs(t, err, hazard.ErrConflict, "an action the dispatcher may not take now")
	_, err = f.replies.Suggest(ctx, citizen, h.ID, "")
	assert.ErrorIs(t, err, hazard.ErrForbidden)

	h, err = f.hazards.Act(ctx, dispatcher, h.ID, "dispatch", hazard.ActInput{ExpectedVersion: h.Version, Department: "fire", Note: got[0].TextZH})
	require.NoError(t, err)
	_, err = f.replies.Suggest(ctx, gasDept, h.ID, "accept")
	assert.ErrorIs(t, err, hazard.ErrNotFound, "a handler of another department")
	got, err = f.replies.Suggest(ctx, fireDept, h.ID, "accept")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "消防救援支队已受理，2026-11-28。", got[0].TextZH)
}
