package hazard_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

func TestPublicViewNotFound(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.PublicView(context.Background(), "LC-20261128-999999")
	require.ErrorIs(t, err, hazard.ErrNotFound)
}

func TestPublicList(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a := f.submit(t, citizen, fireReport())
	gas := fireReport()
	gas.Category = "gas"
	b := f.submit(t, citizen, gas)
	f.act(t, dispatcher, a, "dispatch", hazard.ActInput{Department: "fire"})

	tests := []struct {
		name   string
		filter hazard.PublicFilter
		want   []string
	}{
		{"all, newest first", hazard.PublicFilter{}, []string{b.Ref, a.Ref}},
		{"by category", hazard.PublicFilter{Category: "gas"}, []string{b.Ref}},
		{"by state", hazard.PublicFilter{State: hazard.StateDispatched}, []string{a.Ref}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := f.svc.PublicList(ctx, tt.filter, hazard.Page{})
			require.NoError(t, err)
			var got []string
			for _, p := range l.Items {
				got = append(got, p.Ref)
			}
			assert.Equal(t, tt.want, got)
		})
	}
	l, err := f.svc.PublicList(ctx, hazard.PublicFilter{}, hazard.Page{Limit: 1})
	require.NoError(t, err)
	require.NotEmpty(t, l.Next)
	l2, err := f.svc.PublicList(ctx, hazard.PublicFilter{}, hazard.Page{Limit: 1, Cursor: l.Next})
	require.NoError(t, err)
	require.Len(t, l2.Items, 1)
	assert.Equal(t, a.Ref, l2.Items[0].Ref)
}

// plainStore hides the store's optional capabilities and counts the
// HazardEvents calls.
type plainStore struct {
	hazard.Store
	hazardEvents int
}

func (s *plainStore) HazardEvents(ctx context.Context, id uuid.UUID) ([]hazard.Event, error) {
	s.hazardEvents++
	return s.Store.HazardEvents(ctx, id)
}

// batchingStore keeps memstore's EventsBatcher and counts the HazardEvents
// calls.
type batchingStore struct {
	*memstore.Store
	hazardEvents int
}

func (s *batchingStore) HazardEvents(ctx context.Context, id uuid.UUID) ([]hazard.Event, error) {
	s.hazardEvents++
	return s.Store.HazardEvents(ctx, id)
}

// TestPublicListTimelines checks that each item of the plaza comes with the
// timeline PublicView gives it, read in one call from a store that batches
// and hazard by hazard from one that does not.
func TestPublicListTimelines(t *testing.T) {
	ctx := context.Background()
	for _, batch := range []bool{true, false} {
		t.Run(fmt.Sprintf("batch %v", batch), func(t *testing.T) {
			var plain *plainStore
			var batching *batchingStore
			f := newFixture(t, func(c *hazard.ServiceConfig) {
				if batch {
					batching = &batchingStore{Store: c.Store.(*memstore.Store)}
					c.Store = batching
				} else {
					plain = &plainStore{Store: c.Store}
					c.Store = plain
				}
			})
			a := f.submit(t, citizen, fireReport())
			f.clock.Advance(time.Minute)
			b := f.submit(t, citizen, fireReport())
			a = f.act(t, dispatcher, a, "dispatch", hazard.ActInput{Department: "fire", Note: "to the fire brigade"})
			f.act(t, fireDept, a, "accept", hazard.ActInput{})
			if plain != nil {
				plain.hazardEvents = 0
			} else {
				batching.hazardEvents = 0
			}
			l, err := f.svc.PublicList(ctx, hazard.PublicFilter{}, hazard.Page{})
			require.NoError(t, err)
			require.Len(t, l.Items, 2)
			if plain != nil {
				assert.Equal(t, 2, plain.hazardEvents, "without the capability, one HazardEvents per item")
			} else {
				assert.Zero(t, batching.hazardEvents, "with it, EventsOf alone")
			}
			for i, ref := range []string{b.Ref, a.Ref} {
				want, err := f.svc.PublicView(ctx, ref)
				require.NoError(t, err)
				assert.Equal(t, want, l.Items[i], "item %d is what PublicView gives", i)
			}
			assert.Len(t, l.Items[1].Timeline, 3, "submitted, dispatched, accepted")
		})
	}
}

func TestReporterView(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())
	v, err := f.svc.ReporterView(ctx, citizen, h.ID)
	require.NoError(t, err)
	assert.Equal(t, h.ID, v.Hazard.ID)
	require.Len(t, v.Actions, 1)
	assert.Equal(t, "withdraw", v.Actions[0].Name)

	_, err = f.svc.ReporterView(ctx, otherCit, h.ID)
	require.ErrorIs(t, err, hazard.ErrNotFound, "another's report is not disclosed")
	_, err = f.svc.ReporterView(ctx, citizen, uuid.Must(uuid.NewV7()))
	require.ErrorIs(t, err, hazard.ErrNotFound)
	_, err = f.svc.ReporterView(ctx, hazard.User{}, h.ID)
	require.ErrorIs(t, err, hazard.ErrUnauthenticated)

	// Reward events reach the reporter with their facts, never the plaza.
	_, err = f.store.Append(ctx, hazard.Event{HazardID: h.ID, Type: hazard.EventRewardIssued, Actor: hazard.System,
		Data: map[string]string{"amount_fen": "5000"}, Time: f.clock.Now()})
	require.NoError(t, err)
	v, err = f.svc.ReporterView(ctx, citizen, h.ID)
	require.NoError(t, err)
	require.Len(t, v.Timeline, 2)
	assert.Equal(t, "5000", v.Timeline[1].Data["amount_fen"])
	p, err := f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err)
	assert.Len(t, p.Timeline, 1)
}

func TestStaffView(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := f.act(t, dispatcher, f.submit(t, citizen, fireReport()), "dispatch", hazard.ActInput{Department: "fire", PrivateNote: "secret"})
	tests := []struct {
		name string
		user hazard.User
		err  error
	}{
		{"dispatcher", dispatcher, nil},
		{"reviewer", reviewer, nil},
		{"admin", admin, nil},
		{"handler of the department", fireDept, nil},
		{"handler of another department", gasDept, hazard.ErrNotFound},
		{"reporter", citizen, hazard.ErrForbidden},
		{"enterprise not concerned", enterprise, hazard.ErrNotFound},
		{"nobody", hazard.User{}, hazard.ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := f.svc.StaffView(ctx, tt.user, h.ID)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Len(t, v.Events, 2)
			assert.Equal(t, "secret", v.Events[1].PrivateNote)
			assert.Empty(t, v.Hazard.Reporter.Contact, "the contact is read with RevealContact, which logs it")
			assert.True(t, v.ContactOnFile)
			assert.Equal(t, citizen.ID, v.Hazard.Reporter.UserID)
		})
	}
	v, err := f.svc.StaffView(ctx, fireDept, h.ID)
	require.NoError(t, err)
	require.Len(t, v.Actions, 2)
	_, err = f.svc.StaffView(ctx, dispatcher, uuid.Must(uuid.NewV7()))
	require.ErrorIs(t, err, hazard.ErrNotFound)
}

func TestMine(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a := f.submit(t, citizen, fireReport())
	f.submit(t, otherCit, fireReport())
	b := f.submit(t, citizen, fireReport())
	l, err := f.svc.Mine(ctx, citizen, hazard.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 2)
	assert.Equal(t, b.ID, l.Items[0].ID)
	assert.Equal(t, a.ID, l.Items[1].ID)
	_, err = f.svc.Mine(ctx, hazard.User{}, hazard.Page{})
	require.ErrorIs(t, err, hazard.ErrUnauthenticated)
}

func TestSightOf(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())
	h = f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
	for _, tc := range []struct {
		name string
		user hazard.User
		want hazard.Sight
	}{
		{"its reporter", citizen, hazard.SightFull},
		{"another citizen", otherCit, hazard.SightPublic},
		{"nobody signed in", hazard.User{}, hazard.SightPublic},
		{"the dispatcher", dispatcher, hazard.SightFull},
		{"the department it was sent to", fireDept, hazard.SightFull},
		{"another department", gasDept, hazard.SightPublic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.svc.SightOf(ctx, tc.user, h.ID)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			// The same answer as the views give.
			var viewErr error
			if tc.user.Role == "reporter" {
				_, viewErr = f.svc.ReporterView(ctx, tc.user, h.ID)
			} else {
				_, viewErr = f.svc.StaffView(ctx, tc.user, h.ID)
			}
			assert.Equal(t, tc.want == hazard.SightFull, viewErr == nil, "a view agrees: %v", viewErr)
		})
	}
	got, err := f.svc.SightOf(ctx, citizen, uuid.New())
	require.NoError(t, err)
	assert.Equal(t, hazard.SightNone, got, "no such hazard")
}
