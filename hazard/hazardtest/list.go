package hazardtest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

func (s *suite) listEmpty(t *testing.T, st hazard.Store) {
	l, err := st.List(t.Context(), hazard.Filter{}, hazard.Page{})
	require.NoError(t, err, "List of an empty store")
	assert.Empty(t, l.Items, "List of an empty store: items")
	assert.Empty(t, l.Next, "List of an empty store: Next")
}

func (s *suite) listPages(t *testing.T, st hazard.Store) {
	var want []uuid.UUID
	for range 23 {
		want = append(want, create(t, st, NewHazard()).ID)
	}
	want = newestFirst(want)
	for _, limit := range []int{1, 5, 10, 23, 24} {
		got := listAll(t, st, hazard.Filter{}, limit)
		assert.Equal(t, want, ids(got), "List pages of %d: newest first, each item once", limit)
	}
	l, err := st.List(t.Context(), hazard.Filter{}, hazard.Page{Limit: 23})
	require.NoError(t, err, "List")
	assert.Empty(t, l.Next, "List: Next of a page holding the last item")
}

// BeijingBox is a small WGS-84 box around BeijingWGS84.
var beijingBox = hazard.BBox{MinLat: 39.90, MinLng: 116.39, MaxLat: 39.92, MaxLng: 116.41}

func filterFixture(t *testing.T, st hazard.Store) []hazard.Hazard {
	t.Helper()
	states := []string{"submitted", "dispatched", "handling", "closed"}
	cats := []string{"fire", "gas", "road_traffic"}
	depts := []string{"", "fire", "gas", "transport", "emergency"}
	reporters := []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace"}
	sources := []hazard.Source{hazard.SourceCitizen, hazard.SourceSelfCheck, hazard.SourceInspection, hazard.SourceSupervision}
	units := []string{"", "unit-a", "unit-b", "", "unit-c"}
	gcjInside := hazard.Point{Lat: 39.9100, Lng: 116.4060, System: hazard.WGS84}.GCJ02() // raw lng outside the box, true point inside
	points := []*hazard.Point{
		{Lat: 39.9087, Lng: 116.3975, System: hazard.WGS84}, // inside
		&gcjInside,
		{Lat: 39.9100, Lng: 116.3930, System: hazard.GCJ02}, // raw inside the box, true point west of it
		{Lat: 31.2304, Lng: 121.4737, System: hazard.WGS84}, // Shanghai
		nil,
		{Lat: 39.9150, Lng: 116.4000, System: hazard.WGS84}, // inside
	}
	require.False(t, beijingBox.Contains(*points[2]), "fixture: the GCJ-02 point west of the box must be outside it")
	require.True(t, beijingBox.Contains(*points[1]), "fixture: the GCJ-02 point east must be inside the box")
	var out []hazard.Hazard
	for i := range 42 {
		at := Epoch.Add(time.Duration(i) * time.Hour)
		opts := []Option{
			WithState(states[i%len(states)]),
			WithCategory(cats[i%len(cats)]),
			WithDepartment(depts[i%len(depts)]),
			WithReporter(reporters[i%len(reporters)]),
			WithSource(sources[i%len(sources)]),
			WithUnitID(units[i%len(units)]),
			WithCreatedAt(at),
			WithPoint(points[i%len(points)]),
		}
		if states[i%len(states)] == "closed" {
			opts = append(opts, Closed(at.Add(time.Minute)))
		}
		out = append(out, create(t, st, NewHazard(opts...)))
	}
	return out
}

func (s *suite) listFilters(t *testing.T, st hazard.Store) {
	all := filterFixture(t, st)
	yes, no := true, false
	box := beijingBox
	for _, c := range []struct {
		name  string
		f     hazard.Filter
		empty bool
	}{
		{name: "none", f: hazard.Filter{}},
		{name: "one state", f: hazard.Filter{States: []string{"dispatched"}}},
		{name: "two states", f: hazard.Filter{States: []string{"submitted", "handling"}}},
		{name: "unknown state", f: hazard.Filter{States: []string{"nowhere"}}, empty: true},
		{name: "category", f: hazard.Filter{Category: "gas"}},
		{name: "unknown category", f: hazard.Filter{Category: "volcano"}, empty: true},
		{name: "department", f: hazard.Filter{Department: "gas"}},
		{name: "reporter", f: hazard.Filter{Reporter: "carol"}},
		{name: "source", f: hazard.Filter{Source: hazard.SourceInspection}},
		{name: "unit", f: hazard.Filter{UnitID: "unit-b"}},
		{name: "unknown unit", f: hazard.Filter{UnitID: "unit-z"}, empty: true},
		{name: "unit and open", f: hazard.Filter{UnitID: "unit-a", Open: &yes}},
		{name: "unit and states", f: hazard.Filter{UnitID: "unit-c", States: []string{"submitted", "closed"}}},
		{name: "open", f: hazard.Filter{Open: &yes}},
		{name: "closed", f: hazard.Filter{Open: &no}},
		{name: "created since", f: hazard.Filter{CreatedSince: Epoch.Add(30 * time.Hour)}},
		{name: "created until", f: hazard.Filter{CreatedUntil: Epoch.Add(5 * time.Hour)}},
		{name: "created window", f: hazard.Filter{CreatedSince: Epoch.Add(10 * time.Hour), CreatedUntil: Epoch.Add(20 * time.Hour)}},
		{name: "box", f: hazard.Filter{Box: &box}},
		{name: "category and open", f: hazard.Filter{Category: "fire", Open: &yes}},
		{name: "state, department and since", f: hazard.Filter{States: []string{"submitted", "dispatched"}, Department: "fire", CreatedSince: Epoch.Add(3 * time.Hour)}},
		{name: "reporter, source and box", f: hazard.Filter{Reporter: "alice", Source: hazard.SourceCitizen, Box: &box}},
		{name: "everything", f: hazard.Filter{States: []string{"submitted", "dispatched", "handling"}, Category: "gas", Open: &yes, CreatedSince: Epoch, CreatedUntil: Epoch.Add(41 * time.Hour), Box: &box}},
		{name: "contradiction", f: hazard.Filter{States: []string{"closed"}, Open: &yes}, empty: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var want []uuid.UUID
			for _, h := range all {
				if c.f.Matches(&h) {
					want = append(want, h.ID)
				}
			}
			require.Equal(t, c.empty, len(want) == 0, "fixture: %d hazards match", len(want))
			want = newestFirst(want)
			for _, limit := range []int{3, hazard.MaxPageLimit} {
				got := listAll(t, st, c.f, limit)
				assert.Equal(t, want, ids(got), "List(%+v) in pages of %d", c.f, limit)
			}
		})
	}
}

// listByUnit lists the hazards found at a unit across pages, while
// updates set, move and clear hazards' UnitID: a List by unit reads the
// unit the latest version names.
func (s *suite) listByUnit(t *testing.T, st hazard.Store) {
	var atA, atB []hazard.Hazard
	for i := range 25 {
		switch i % 3 {
		case 0:
			atA = append(atA, create(t, st, NewHazard(WithUnitID("unit-a"))))
		case 1:
			atB = append(atB, create(t, st, NewHazard(WithUnitID("unit-b"))))
		default:
			create(t, st, NewHazard()) // a citizen's report: no unit
		}
	}
	walk := func(unit string, want []hazard.Hazard, when string) {
		t.Helper()
		wantIDs := newestFirst(ids(want))
		for _, limit := range []int{1, 4, hazard.MaxPageLimit} {
			got := listAll(t, st, hazard.Filter{UnitID: unit}, limit)
			assert.Equal(t, wantIDs, ids(got), "List(UnitID %q) in pages of %d %s", unit, limit, when)
			for _, h := range got {
				assert.Equal(t, unit, h.UnitID, "List(UnitID %q): item's UnitID %s", unit, when)
			}
		}
	}
	walk("unit-a", atA, "after Create")
	walk("unit-b", atB, "after Create")

	// Move one hazard from unit-a to unit-b, clear one of unit-b's, and
	// give a unit to a hazard that had none.
	moved := atA[0]
	moved.UnitID = "unit-b"
	moved, err := st.Update(t.Context(), moved, moved.Version, nil)
	require.NoError(t, err, "Update (setup): move to unit-b")
	cleared := atB[0]
	cleared.UnitID = ""
	_, err = st.Update(t.Context(), cleared, cleared.Version, nil)
	require.NoError(t, err, "Update (setup): clear the unit")
	late := create(t, st, NewHazard())
	late.UnitID = "unit-a"
	late, err = st.Update(t.Context(), late, late.Version, nil)
	require.NoError(t, err, "Update (setup): set a unit")
	walk("unit-a", append(atA[1:], late), "after Update")
	walk("unit-b", append(atB[1:], moved), "after Update")

}

func (s *suite) listLimits(t *testing.T, st hazard.Store) {
	for range hazard.MaxPageLimit + 1 {
		create(t, st, NewHazard())
	}
	for _, c := range []struct {
		limit, want int
	}{
		{0, hazard.DefaultPageLimit},
		{1, 1},
		{hazard.MaxPageLimit, hazard.MaxPageLimit},
		{hazard.MaxPageLimit + 1, hazard.MaxPageLimit},
		{1 << 30, hazard.MaxPageLimit},
	} {
		l, err := st.List(t.Context(), hazard.Filter{}, hazard.Page{Limit: c.limit})
		if assert.NoError(t, err, "List with limit %d", c.limit) {
			assert.Len(t, l.Items, c.want, "List with limit %d", c.limit)
			assert.NotEmpty(t, l.Next, "List with limit %d: Next", c.limit)
		}
	}
	_, err := st.List(t.Context(), hazard.Filter{}, hazard.Page{Limit: -1})
	assertCode(t, err, hazard.ErrInvalid, "List with limit -1")
}

func (s *suite) listInvalidCursor(t *testing.T, st hazard.Store) {
	for range 3 {
		create(t, st, NewHazard())
	}
	for _, cur := range []string{"not a cursor", "%%%", "aGVsbG8", "!", "\x00\x01", NewID().String()} {
		_, err := st.List(t.Context(), hazard.Filter{}, hazard.Page{Cursor: cur})
		assertCode(t, err, hazard.ErrInvalid, fmt.Sprintf("List with cursor %q", cur))
	}
}

func (s *suite) listCopies(t *testing.T, st hazard.Store) {
	h := create(t, st, FullHazard())
	l, err := st.List(t.Context(), hazard.Filter{}, hazard.Page{})
	require.NoError(t, err, "List")
	require.Len(t, l.Items, 1, "List")
	l.Items[0].Photos[0].Size = 1
	l.Items[0].Evidence[0].Size = 1
	l.Items[0].Location.Point.Lat = 1
	assert.Equal(t, norm(h), norm(get(t, st, h.ID)), "Get after mutating List's items")
}

func (s *suite) listStable(t *testing.T, st hazard.Store) {
	const before, writers, perWriter, limit = 60, 4, 40, 7
	var existing []uuid.UUID
	for range before {
		existing = append(existing, create(t, st, NewHazard()).ID)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var inserted, failures atomic.Int64
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWriter {
				select {
				case <-stop:
					return
				default:
				}
				h := NewHazard()
				if _, _, err := st.Create(t.Context(), h, []hazard.Event{NewEvent(h, hazard.EventSubmitted)}, ""); err != nil {
					failures.Add(1)
					return
				}
				inserted.Add(1)
			}
		}()
	}
	seen := make(map[uuid.UUID]int)
	p := hazard.Page{Limit: limit}
	for {
		l, err := st.List(t.Context(), hazard.Filter{}, p)
		if !assert.NoError(t, err, "List during inserts") {
			break
		}
		for _, h := range l.Items {
			seen[h.ID]++
		}
		if l.Next == "" {
			break
		}
		p.Cursor = l.Next
		time.Sleep(100 * time.Microsecond) // let writers in between pages
	}
	close(stop)
	wg.Wait()
	require.Zero(t, failures.Load(), "concurrent Create failed")
	for id, n := range seen {
		assert.Equal(t, 1, n, "List walk during inserts: %v seen %d times", id, n)
	}
	for _, id := range existing {
		assert.Contains(t, seen, id, "List walk during inserts skipped a hazard that existed before the walk")
	}
	t.Logf("%d hazards inserted during the walk", inserted.Load())
}
