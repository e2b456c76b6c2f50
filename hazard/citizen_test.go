package hazard_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

func TestNearbyPublic(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, publishOnSubmit) // the plaza shows reports from their submission
	near := f.submit(t, citizen, fireReport())
	f.clock.Advance(1)
	farIn := fireReport()
	p := hazard.Point{Lat: here.Lat + 0.01, Lng: here.Lng, System: hazard.WGS84} // about 1.1 km north
	farIn.Location.Point = &p
	far := f.submit(t, otherCit, farIn)
	gasIn := fireReport()
	gasIn.Category = "gas"
	gas := f.submit(t, otherCit, gasIn)
	closed := f.submit(t, otherCit, fireReport())
	f.act(t, otherCit, closed, hazard.ActionWithdraw, hazard.ActInput{})

	got, err := f.svc.NearbyPublic(ctx, hazard.PublicNearbyQuery{Category: "fire", Center: here})
	require.NoError(t, err)
	refs := []string{}
	for _, g := range got {
		refs = append(refs, g.Ref)
		assert.Empty(t, g.Timeline, "a nearby item's timeline")
	}
	assert.Contains(t, refs, near.Ref, "the open report at the point")
	assert.NotContains(t, refs, far.Ref, "a report beyond the default radius")
	assert.NotContains(t, refs, gas.Ref, "another category")
	assert.NotContains(t, refs, closed.Ref, "a withdrawn (closed) report")

	got, err = f.svc.NearbyPublic(ctx, hazard.PublicNearbyQuery{Category: "fire", Center: here, RadiusMeters: hazard.MaxNearbyRadius})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, near.Ref, got[0].Ref, "nearest first")
	assert.Equal(t, far.Ref, got[1].Ref)

	got, err = f.svc.NearbyPublic(ctx, hazard.PublicNearbyQuery{Category: "fire", Center: here, RadiusMeters: hazard.MaxNearbyRadius, Limit: 1})
	require.NoError(t, err)
	assert.Len(t, got, 1, "the limit")

	for _, tc := range []struct {
		name  string
		q     hazard.PublicNearbyQuery
		field string
	}{
		{"no category", hazard.PublicNearbyQuery{Center: here}, "category"},
		{"unknown category", hazard.PublicNearbyQuery{Category: "nope", Center: here}, "category"},
		{"radius above the max", hazard.PublicNearbyQuery{Category: "fire", Center: here, RadiusMeters: hazard.MaxNearbyRadius + 1}, "radius"},
		{"negative radius", hazard.PublicNearbyQuery{Category: "fire", Center: here, RadiusMeters: -1}, "radius"},
		{"limit above the max", hazard.PublicNearbyQuery{Category: "fire", Center: here, Limit: hazard.MaxNearbyLimit + 1}, "limit"},
		{"bad center", hazard.PublicNearbyQuery{Category: "fire", Center: hazard.Point{Lat: 91, System: hazard.WGS84}}, "center.latitude"},
	} {
		_, err := f.svc.NearbyPublic(ctx, tc.q)
		require.ErrorIs(t, err, hazard.ErrInvalid, tc.name)
		assert.Contains(t, fields(t, err), tc.field, tc.name)
	}
}

func TestMeTooCountedNotNamed(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, publishOnSubmit) // the plaza shows reports from their submission
	h := f.submit(t, citizen, fireReport())
	for _, u := range []string{"fan-1", "fan-2"} {
		_, err := f.store.Append(ctx, hazard.Event{HazardID: h.ID, Type: hazard.EventMeToo, Actor: hazard.Actor{ID: u, Role: "reporter"}, Time: t0})
		require.NoError(t, err)
	}
	p, err := f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err)
	assert.Equal(t, 2, p.MeToo)
	for _, e := range p.Timeline {
		assert.NotEqual(t, hazard.EventMeToo, e.Type, "a me-too on the public timeline")
	}
	l, err := f.svc.PublicList(ctx, hazard.PublicFilter{}, hazard.Page{})
	require.NoError(t, err)
	require.NotEmpty(t, l.Items)
	assert.Equal(t, 2, l.Items[0].MeToo, "the plaza list's count")
	ph, _, err := f.svc.PublicHistory(ctx, h.Ref)
	require.NoError(t, err)
	assert.Equal(t, 2, ph.MeToo, "the public history's count")
}

func TestAddInfo(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, publishOnSubmit) // the plaza shows reports from their submission
	h := f.submit(t, citizen, fireReport())
	got, err := f.svc.AddInfo(ctx, citizen, h.ID, hazard.AddInfoInput{Note: "更多杂物了", Photos: []hazard.Photo{photo("more")}})
	require.NoError(t, err)
	assert.Equal(t, h.Version+1, got.Version, "the exchange writes the hazard's version")
	evs := f.events(t, h.ID)
	last := evs[len(evs)-1]
	assert.Equal(t, hazard.EventInfoAdded, last.Type)
	assert.Equal(t, "更多杂物了", last.PrivateNote)
	assert.Len(t, last.Attachments, 1)
	assert.Empty(t, last.PublicNote, "added information is public")

	p, err := f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err)
	for _, e := range p.Timeline {
		assert.NotEqual(t, hazard.EventInfoAdded, e.Type, "added information on the plaza")
	}

	_, err = f.svc.AddInfo(ctx, otherCit, h.ID, hazard.AddInfoInput{Note: "x"})
	assert.ErrorIs(t, err, hazard.ErrNotFound, "another citizen's report")
	_, err = f.svc.AddInfo(ctx, citizen, h.ID, hazard.AddInfoInput{})
	require.ErrorIs(t, err, hazard.ErrInvalid, "nothing to add")
	_, err = f.svc.AddInfo(ctx, citizen, h.ID, hazard.AddInfoInput{Note: strings.Repeat("长", hazard.MaxNoteLen+1)})
	require.ErrorIs(t, err, hazard.ErrInvalid, "a note too long")
	assert.Contains(t, fields(t, err), "note")
	_, err = f.svc.AddInfo(ctx, hazard.User{}, h.ID, hazard.AddInfoInput{Note: "x"})
	assert.ErrorIs(t, err, hazard.ErrUnauthenticated)

	for i := 1; i < hazard.MaxInfoPerReport; i++ {
		_, err := f.svc.AddInfo(ctx, citizen, h.ID, hazard.AddInfoInput{Note: fmt.Sprint(i)})
		require.NoError(t, err)
	}
	_, err = f.svc.AddInfo(ctx, citizen, h.ID, hazard.AddInfoInput{Note: "one more"})
	assert.ErrorIs(t, err, hazard.ErrConflict, "above MaxInfoPerReport")

	w := f.submit(t, citizen, fireReport())
	f.act(t, citizen, w, hazard.ActionWithdraw, hazard.ActInput{})
	_, err = f.svc.AddInfo(ctx, citizen, w.ID, hazard.AddInfoInput{Note: "x"})
	assert.ErrorIs(t, err, hazard.ErrConflict, "a closed report")
}

func TestAskAndAnswer(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, publishOnSubmit) // the plaza shows reports from their submission
	h := f.submit(t, citizen, fireReport())
	h = f.act(t, dispatcher, h, hazard.ActionDispatch, hazard.ActInput{Department: "fire"})

	_, err := f.svc.Ask(ctx, gasDept, h.ID, "几楼？")
	assert.ErrorIs(t, err, hazard.ErrNotFound, "a handler of another department")
	_, err = f.svc.Ask(ctx, citizen, h.ID, "几楼？")
	assert.ErrorIs(t, err, hazard.ErrForbidden, "a citizen asks")
	_, err = f.svc.Ask(ctx, enterprise, h.ID, "几楼？")
	assert.ErrorIs(t, err, hazard.ErrForbidden, "an enterprise asks the reporter")
	_, err = f.svc.Ask(ctx, fireDept, h.ID, "")
	assert.ErrorIs(t, err, hazard.ErrInvalid, "an empty question")

	_, err = f.svc.Ask(ctx, fireDept, h.ID, "几楼？")
	require.NoError(t, err)
	v, err := f.svc.ReporterView(ctx, citizen, h.ID)
	require.NoError(t, err)
	var seq string
	for _, e := range v.Timeline {
		if e.Type == hazard.EventQuestion {
			assert.Equal(t, "几楼？", e.Message, "the reporter reads the question")
			seq = e.Data[hazard.DataQuestion]
		}
	}
	require.NotEmpty(t, seq)
	n, err := strconv.ParseInt(seq, 10, 64)
	require.NoError(t, err)
	assert.Equal(t, []int64{n}, hazard.OpenQuestions(f.events(t, h.ID)))

	_, err = f.svc.Answer(ctx, otherCit, h.ID, n, "三楼")
	assert.ErrorIs(t, err, hazard.ErrNotFound, "another citizen answers")
	_, err = f.svc.Answer(ctx, citizen, h.ID, n+100, "三楼")
	require.ErrorIs(t, err, hazard.ErrInvalid, "an answer to no question")
	assert.Contains(t, fields(t, err), "question")
	_, err = f.svc.Answer(ctx, citizen, h.ID, n, "三楼")
	require.NoError(t, err)
	assert.Empty(t, hazard.OpenQuestions(f.events(t, h.ID)))
	_, err = f.svc.Answer(ctx, citizen, h.ID, n, "again")
	assert.ErrorIs(t, err, hazard.ErrInvalid, "answering twice")

	p, err := f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err)
	for _, e := range p.Timeline {
		assert.NotContains(t, []hazard.EventType{hazard.EventQuestion, hazard.EventAnswer}, e.Type, "an exchange on the plaza")
	}

	// At most MaxOpenQuestions wait at once.
	for range hazard.MaxOpenQuestions {
		_, err := f.svc.Ask(ctx, fireDept, h.ID, "?")
		require.NoError(t, err)
	}
	_, err = f.svc.Ask(ctx, fireDept, h.ID, "?")
	assert.ErrorIs(t, err, hazard.ErrConflict, "more open questions than MaxOpenQuestions")
}

// TestExchangeIsVersioned: an exchange with a stale read loses to a
// concurrent change (the version is checked), so counts cannot be
// overrun.
func TestExchangeIsVersioned(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, publishOnSubmit) // the plaza shows reports from their submission
	h := f.submit(t, citizen, fireReport())
	errs := make(chan error, 10)
	for range 10 {
		go func() {
			_, err := f.svc.AddInfo(ctx, citizen, h.ID, hazard.AddInfoInput{Note: "x"})
			errs <- err
		}()
	}
	ok := 0
	for range 10 {
		err := <-errs
		if err == nil {
			ok++
		} else {
			assert.ErrorIs(t, err, hazard.ErrConflict)
		}
	}
	assert.GreaterOrEqual(t, ok, 1)
	n := 0
	for _, e := range f.events(t, h.ID) {
		if e.Type == hazard.EventInfoAdded {
			n++
		}
	}
	assert.Equal(t, ok, n, "each success wrote one event, each conflict none")
}
