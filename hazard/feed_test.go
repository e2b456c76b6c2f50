package hazard_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

func refs(l hazard.PublicList) []string {
	var out []string
	for _, p := range l.Items {
		out = append(out, p.Ref)
	}
	return out
}

func TestPublicListTimeAndOpenFilters(t *testing.T) {
	f := newFixture(t, publishOnSubmit)
	a := f.submit(t, citizen, fireReport())
	f.clock.Advance(time.Hour)
	gas := fireReport()
	gas.Category = "gas"
	b := f.submit(t, citizen, gas)
	f.act(t, citizen, b, "withdraw", hazard.ActInput{})
	yes, no := true, false
	for _, tt := range []struct {
		name   string
		filter hazard.PublicFilter
		want   []string
	}{
		{"created since", hazard.PublicFilter{CreatedSince: t0.Add(30 * time.Minute)}, []string{b.Ref}},
		{"since is inclusive", hazard.PublicFilter{CreatedSince: t0}, []string{b.Ref, a.Ref}},
		{"created until", hazard.PublicFilter{CreatedUntil: t0.Add(30 * time.Minute)}, []string{a.Ref}},
		{"until is exclusive", hazard.PublicFilter{CreatedUntil: t0}, nil},
		{"open", hazard.PublicFilter{Open: &yes}, []string{a.Ref}},
		{"closed", hazard.PublicFilter{Open: &no}, []string{b.Ref}},
		{"closed and until", hazard.PublicFilter{Open: &no, CreatedUntil: t0.Add(30 * time.Minute)}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l, err := f.svc.PublicList(t.Context(), tt.filter, hazard.Page{})
			require.NoError(t, err, "PublicList")
			assert.Equal(t, tt.want, refs(l), "PublicList(%+v)", tt.filter)
		})
	}
}

// note is a note event on h at time at, with a public text.
func note(h hazard.Hazard, at time.Time, text string) hazard.Event {
	return hazard.Event{HazardID: h.ID, Type: hazard.EventNote, Actor: hazard.Actor{ID: "disp-1", Role: "dispatcher"},
		PublicNote: text, PrivateNote: "private: " + text, Time: at}
}

func stepSeqs(steps []hazard.PublicStep) []int64 {
	var out []int64
	for _, s := range steps {
		out = append(out, s.Seq)
	}
	return out
}

func TestPublicUpdates(t *testing.T) {
	ctx := t.Context()
	f := newFixture(t, publishOnSubmit)
	a := f.submit(t, citizen, fireReport()) // seq 1, t0
	f.clock.Advance(time.Hour)
	a = f.act(t, dispatcher, a, "dispatch", hazard.ActInput{Department: "fire", Note: "to the fire brigade"}) // seq 2, t0+1h
	f.clock.Advance(time.Hour)
	gas := fireReport()
	gas.Category = "gas"
	b := f.submit(t, otherCit, gas) // seq 3, t0+2h
	_, err := f.store.Append(ctx, hazard.Event{HazardID: a.ID, Type: hazard.EventRewardIssued, Actor: hazard.System,
		Data: map[string]string{hazard.DataRewardID: "r1"}, Time: t0.Add(2 * time.Hour)}) // seq 4: not public
	require.NoError(t, err, "Append")
	f.clock.Advance(time.Hour)
	f.act(t, fireDept, a, "accept", hazard.ActInput{}) // seq 5, t0+3h
	// Committed last, timed within MaxClockSkew before the accept.
	_, err = f.store.Append(ctx, note(b, t0.Add(3*time.Hour-30*time.Second), "late")) // seq 6
	require.NoError(t, err, "Append")

	all, err := f.svc.PublicUpdates(ctx, hazard.UpdatesQuery{Since: t0, Until: t0.Add(10 * time.Hour)})
	require.NoError(t, err, "PublicUpdates")
	assert.Equal(t, []int64{1, 2, 3, 5, 6}, stepSeqs(all), "every public step in log order, no reward event")
	wantRefs := []string{a.Ref, a.Ref, b.Ref, a.Ref, b.Ref}
	for i, s := range all {
		assert.Equal(t, wantRefs[i], s.Ref, "step %d: Ref", i)
	}
	assert.Equal(t, "to the fire brigade", all[1].Note, "the public note")
	assert.Empty(t, all[0].Role, "the reporter's submission names no role")

	for _, tt := range []struct {
		name         string
		since, until time.Time
		want         []int64
	}{
		{"bounds are inclusive", t0.Add(time.Hour), t0.Add(2 * time.Hour), []int64{2, 3}},
		{"a late event within the skew", t0.Add(3*time.Hour - time.Minute), t0.Add(3*time.Hour - 10*time.Second), []int64{6}},
		{"an empty window", t0.Add(4 * time.Hour), t0.Add(5 * time.Hour), nil},
		{"before the log", t0.Add(-5 * time.Hour), t0.Add(-time.Hour), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.svc.PublicUpdates(ctx, hazard.UpdatesQuery{Since: tt.since, Until: tt.until})
			require.NoError(t, err, "PublicUpdates")
			assert.Equal(t, tt.want, stepSeqs(got), "PublicUpdates [%v, %v]", tt.since, tt.until)
		})
	}

	t.Run("pages", func(t *testing.T) {
		q := hazard.UpdatesQuery{Since: t0, Until: t0.Add(10 * time.Hour), Limit: 2}
		var walked []int64
		for pages := 0; ; pages++ {
			require.Less(t, pages, 10, "PublicUpdates: too many pages")
			page, err := f.svc.PublicUpdates(ctx, q)
			require.NoError(t, err, "PublicUpdates")
			assert.LessOrEqual(t, len(page), 2, "PublicUpdates: page longer than its limit")
			walked = append(walked, stepSeqs(page)...)
			if len(page) < q.Limit {
				break
			}
			q.After = page[len(page)-1].Seq
		}
		assert.Equal(t, stepSeqs(all), walked, "a walk by After gives every step once")
	})
}

func TestPublicUpdatesLimits(t *testing.T) {
	ctx := t.Context()
	f := newFixture(t, publishOnSubmit)
	h := f.submit(t, citizen, fireReport())
	notes := make([]hazard.Event, hazard.MaxEventBatch+1)
	for i := range notes {
		notes[i] = note(h, t0, "n")
	}
	_, err := f.store.Append(ctx, notes...)
	require.NoError(t, err, "Append")
	for _, tt := range []struct{ limit, want int }{
		{0, hazard.DefaultPageLimit},
		{3, 3},
		{hazard.MaxEventBatch + 10, hazard.MaxEventBatch},
	} {
		got, err := f.svc.PublicUpdates(ctx, hazard.UpdatesQuery{Since: t0, Until: t0, Limit: tt.limit})
		require.NoError(t, err, "PublicUpdates with limit %d", tt.limit)
		assert.Len(t, got, tt.want, "PublicUpdates with limit %d", tt.limit)
	}
	for _, tt := range []struct {
		name   string
		q      hazard.UpdatesQuery
		fields []string
	}{
		{"no window", hazard.UpdatesQuery{}, []string{"since", "until"}},
		{"until before since", hazard.UpdatesQuery{Since: t0, Until: t0.Add(-time.Second)}, []string{"until"}},
		{"negative after and limit", hazard.UpdatesQuery{Since: t0, Until: t0, After: -1, Limit: -1}, []string{"after", "limit"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.PublicUpdates(ctx, tt.q)
			assert.Equal(t, tt.fields, fields(t, err), "PublicUpdates(%+v)", tt.q)
		})
	}
}

func TestPublicHistory(t *testing.T) {
	ctx := t.Context()
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())
	f.clock.Advance(time.Hour)
	h = f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire", Note: "to the fire brigade", PrivateNote: "call the owner"})
	_, err := f.store.Append(ctx, hazard.Event{HazardID: h.ID, Type: hazard.EventRewardIssued, Actor: hazard.System,
		Data: map[string]string{hazard.DataRewardID: "r1"}, Time: f.clock.Now()})
	require.NoError(t, err, "Append")
	f.act(t, fireDept, h, "accept", hazard.ActInput{})

	view, err := f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err, "PublicView")
	got, steps, err := f.svc.PublicHistory(ctx, h.Ref)
	require.NoError(t, err, "PublicHistory")
	assert.Empty(t, got.Timeline, "PublicHistory: the view's Timeline")
	want := view
	want.Timeline = nil
	assert.Equal(t, want, got, "PublicHistory: the public view")
	require.Len(t, steps, len(view.Timeline), "PublicHistory: a step per step of the timeline")
	for i, s := range steps {
		assert.Equal(t, view.Timeline[i], s.PublicEvent, "step %d", i)
		assert.Equal(t, h.Ref, s.Ref, "step %d: Ref", i)
	}
	assert.Equal(t, []int64{1, 2, 4}, stepSeqs(steps), "the steps' numbers in the log, the reward event left out")

	_, _, err = f.svc.PublicHistory(ctx, "LC-20261128-999999")
	require.ErrorIs(t, err, hazard.ErrNotFound, "PublicHistory of an unknown ref")
}
