package inspectiontest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
)

// SpotCheck returns a valid spot check of the department drawn at at, of
// one hazard at each unit, each with the verdict (VerdictPending when
// verdicts is shorter).
func SpotCheck(dept string, at time.Time, units []uuid.UUID, verdicts ...inspection.Verdict) inspection.SpotCheck {
	sc := inspection.SpotCheck{ID: uuid.Must(uuid.NewV7()), CreatedBy: "sup-1", CreatedAt: at, Version: 1,
		Query: inspection.SpotQuery{Department: dept, Since: at.AddDate(0, -1, 0), Until: at, Size: len(units), Seed: 7}}
	for i, u := range units {
		v := inspection.VerdictPending
		if i < len(verdicts) {
			v = verdicts[i]
		}
		sc.Items = append(sc.Items, inspection.SpotItem{HazardID: uuid.Must(uuid.NewV7()), UnitID: u.String(), Verdict: v})
	}
	return sc
}

func drawn(sc *inspection.SpotCheck) []hazard.Event {
	return []hazard.Event{{Subject: inspection.SpotSubject(sc.ID), Type: inspection.EventSpotDrawn, Actor: hazard.Actor{ID: "sup-1", Role: "supervisor"}, Time: sc.CreatedAt}}
}

// walkSpotChecks walks every page of ListSpotChecks(f) with the limit.
func walkSpotChecks(t *testing.T, st inspection.Store, f inspection.SpotFilter, limit int) []uuid.UUID {
	t.Helper()
	got := []uuid.UUID{}
	p := hazard.Page{Limit: limit}
	want, err := inspection.SpotPageLimit(p)
	require.NoError(t, err)
	for pages := 0; ; pages++ {
		require.Less(t, pages, 100, "the walk of %+v ends", f)
		l, err := st.ListSpotChecks(ctx, f, p)
		require.NoError(t, err, "ListSpotChecks(%+v, %+v)", f, p)
		assert.LessOrEqual(t, len(l.Items), want, "ListSpotChecks(%+v, %+v): a page holds at most the limit", f, p)
		for _, sc := range l.Items {
			got = append(got, sc.ID)
		}
		if l.Next == "" {
			return got
		}
		p.Cursor = l.Next
	}
}

// testListSpotChecks checks ListSpotChecks against SpotFilter.Matches for
// every filter, after updates that change a spot check's status and
// verdicts; its order, cursors, limits, refusals and copies.
func testListSpotChecks(t *testing.T, open func(t *testing.T) Harness) {
	h := open(t)
	units := []uuid.UUID{uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())}
	var all []inspection.SpotCheck
	for i := range 24 {
		dept := []string{"emergency", "fire", ""}[i%3]
		at := Epoch.Add(time.Duration(i) * time.Hour)
		var sc inspection.SpotCheck
		switch i % 4 {
		case 0:
			sc = SpotCheck(dept, at, units[:2])
		case 1:
			sc = SpotCheck(dept, at, units[1:], inspection.VerdictConfirmed, inspection.VerdictConfirmed)
		case 2:
			sc = SpotCheck(dept, at, units[2:], inspection.VerdictFailed)
		default:
			sc = SpotCheck(dept, at, nil)
		}
		_, err := h.Store.CreateSpotCheck(ctx, sc, drawn(&sc))
		require.NoError(t, err)
		all = append(all, sc)
	}
	// Verdicts recorded since the draw move a spot check between statuses.
	for _, i := range []int{0, 4} {
		sc := all[i].Clone()
		sc.Items[0].Verdict, sc.Items[1].Verdict = inspection.VerdictFailed, inspection.VerdictConfirmed
		got, err := h.Store.UpdateSpotCheck(ctx, sc, 1, nil)
		require.NoError(t, err)
		all[i] = got
	}
	newest := slices.Clone(all)
	slices.SortFunc(newest, func(a, b inspection.SpotCheck) int { return -compareUUID(a.ID, b.ID) })
	filters := []inspection.SpotFilter{
		{}, {Department: "emergency"}, {Department: "nowhere"}, {UnitID: units[0]}, {UnitID: units[2]},
		{UnitID: uuid.Must(uuid.NewV7())}, {Status: inspection.SpotOpen}, {Status: inspection.SpotDone},
		{Verdict: inspection.VerdictFailed}, {Verdict: inspection.VerdictConfirmed}, {Verdict: inspection.VerdictPending},
		{Since: Epoch.Add(5 * time.Hour)}, {Until: Epoch.Add(5 * time.Hour)}, {Since: Epoch.Add(3 * time.Hour), Until: Epoch.Add(10 * time.Hour)},
		{Department: "fire", Status: inspection.SpotDone, Verdict: inspection.VerdictConfirmed, UnitID: units[1], Since: Epoch},
	}
	for _, f := range filters {
		want := []uuid.UUID{}
		for i := range newest {
			if f.Matches(&newest[i]) {
				want = append(want, newest[i].ID)
			}
		}
		for _, limit := range []int{0, 5, inspection.MaxSpotCheckPageLimit + 1} {
			assert.Equal(t, want, walkSpotChecks(t, h.Store, f, limit), "ListSpotChecks(%+v, limit %d): every match once, newest first", f, limit)
		}
	}
	// A walk while spot checks are drawn neither skips nor repeats.
	first, err := h.Store.ListSpotChecks(ctx, inspection.SpotFilter{}, hazard.Page{Limit: 10})
	require.NoError(t, err)
	late := SpotCheck("emergency", Epoch, units)
	_, err = h.Store.CreateSpotCheck(ctx, late, drawn(&late))
	require.NoError(t, err)
	rest, err := h.Store.ListSpotChecks(ctx, inspection.SpotFilter{}, hazard.Page{Limit: inspection.MaxSpotCheckPageLimit, Cursor: first.Next})
	require.NoError(t, err)
	assert.Len(t, append(first.Items, rest.Items...), len(all), "a walk while a spot check is drawn")
	// More than the cap is capped.
	for range inspection.MaxSpotCheckPageLimit + 1 {
		sc := SpotCheck("many", Epoch, nil)
		_, err := h.Store.CreateSpotCheck(ctx, sc, drawn(&sc))
		require.NoError(t, err)
	}
	l, err := h.Store.ListSpotChecks(ctx, inspection.SpotFilter{Department: "many"}, hazard.Page{Limit: 1000})
	require.NoError(t, err)
	assert.Len(t, l.Items, inspection.MaxSpotCheckPageLimit, "a limit above the cap")
	assert.NotEmpty(t, l.Next)
	l, err = h.Store.ListSpotChecks(ctx, inspection.SpotFilter{Department: "many"}, hazard.Page{})
	require.NoError(t, err)
	want, _ := inspection.SpotPageLimit(hazard.Page{})
	assert.Len(t, l.Items, want, "the default limit")
	// Refusals.
	for _, c := range []struct {
		f inspection.SpotFilter
		p hazard.Page
	}{
		{inspection.SpotFilter{}, hazard.Page{Cursor: "nope"}},
		{inspection.SpotFilter{}, hazard.Page{Limit: -1}},
		{inspection.SpotFilter{Status: "lost"}, hazard.Page{}},
		{inspection.SpotFilter{Verdict: "maybe"}, hazard.Page{}},
		{inspection.SpotFilter{Since: Epoch, Until: Epoch}, hazard.Page{}},
	} {
		_, err := h.Store.ListSpotChecks(ctx, c.f, c.p)
		code(t, err, hazard.CodeInvalid, fmt.Sprintf("ListSpotChecks(%+v, %+v)", c.f, c.p))
	}
	// A page is the caller's copy.
	l, err = h.Store.ListSpotChecks(ctx, inspection.SpotFilter{UnitID: units[0]}, hazard.Page{})
	require.NoError(t, err)
	require.NotEmpty(t, l.Items)
	l.Items[0].Items[0].Verdict = "changed"
	again, err := h.Store.GetSpotCheck(ctx, l.Items[0].ID)
	require.NoError(t, err)
	assert.NotEqual(t, inspection.Verdict("changed"), again.Items[0].Verdict, "a change to a listed spot check stays the caller's")
}

func compareUUID(a, b uuid.UUID) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}
