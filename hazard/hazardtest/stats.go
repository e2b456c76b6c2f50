package hazardtest

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// statsReader returns st as a hazard.StatsReader, or skips the test.
func statsReader(t *testing.T, st hazard.Store) hazard.StatsReader {
	t.Helper()
	r, ok := st.(hazard.StatsReader)
	if !ok {
		t.Skip("the store is not a hazard.StatsReader")
	}
	return r
}

// readRows returns the rows StatsRows yields for f, sorted by ID.
func readRows(t *testing.T, r hazard.StatsReader, f hazard.StatsFilter) []hazard.StatsRow {
	t.Helper()
	var out []hazard.StatsRow
	err := r.StatsRows(t.Context(), f, func(row *hazard.StatsRow) error {
		out = append(out, *row)
		return nil
	})
	require.NoError(t, err, "StatsRows")
	slices.SortFunc(out, func(a, b hazard.StatsRow) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	return out
}

// statsRows checks StatsRows against StatsFilter.Matches and StatsRowOf
// over a mix of hazards: at units or not, of several departments and
// periods, open, closed, rectified on time and late, with and without a
// deadline, and one changed by Update after it was created.
func (s *suite) statsRows(t *testing.T, st hazard.Store) {
	r := statsReader(t, st)
	type stored struct {
		h    hazard.Hazard
		late bool
	}
	var all []stored
	add := func(late bool, opts ...Option) hazard.Hazard {
		h := NewHazard(opts...)
		events := []hazard.Event{NewEvent(h, hazard.EventSubmitted)}
		if len(h.Evidence) > 0 {
			e := FullEvent(h)
			e.Data = map[string]string{hazard.DataLate: "false"}
			if late {
				e.Data[hazard.DataLate] = "true"
			}
			events = append(events, e)
		}
		got := create(t, st, h)
		if len(events) > 1 {
			_, err := st.Append(t.Context(), events[1:]...)
			require.NoError(t, err, "Append")
		}
		all = append(all, stored{got, late && len(h.Evidence) > 0})
		return got
	}
	closed := func(evidence bool) Option {
		return func(h *hazard.Hazard) {
			h.State, h.ClosedAt = "closed_valid", h.CreatedAt.Add(time.Hour)
			if evidence {
				h.Evidence = []hazard.Photo{NewPhoto("evidence-" + h.Ref)}
			}
		}
	}
	deadline := func(d time.Duration) Option { return func(h *hazard.Hazard) { h.Deadline = h.CreatedAt.Add(d) } }
	major := func(h *hazard.Hazard) { h.Severity = hazard.SeverityMajor }
	for i := range 3 {
		at := WithCreatedAt(Epoch.Add(time.Duration(i) * 24 * time.Hour))
		add(false, at, WithUnitID("unit-a"), WithDepartment("fire"), WithSource(hazard.SourceInspection), major, deadline(time.Hour))
		add(false, at, WithUnitID("unit-a"), WithDepartment("gas"), closed(true))
		add(true, at, WithUnitID("unit-b"), WithDepartment("fire"), closed(true), WithState("closed_out"))
		add(false, at, WithUnitID("unit-c"), WithDepartment("fire"), closed(false))
		add(false, at, WithDepartment("fire"))
		add(true, at) // evidence-less: never late
	}
	// A hazard moved to another unit and closed after it was created.
	moved := all[0].h
	next := moved.Clone()
	next.UnitID, next.State, next.ClosedAt, next.UpdatedAt = "unit-d", "closed_invalid", moved.CreatedAt.Add(time.Minute), moved.CreatedAt.Add(time.Minute)
	updated, err := st.Update(t.Context(), next, moved.Version, nil)
	require.NoError(t, err, "Update")
	all[0].h = updated

	for _, c := range []struct {
		name string
		f    hazard.StatsFilter
	}{
		{"every hazard", hazard.StatsFilter{}},
		{"units", hazard.StatsFilter{UnitIDs: []string{"unit-a", "unit-b", "unit-d", "unit-a", "nowhere"}}},
		{"no units", hazard.StatsFilter{UnitIDs: []string{}}},
		{"at units", hazard.StatsFilter{AtUnits: true}},
		{"department at units", hazard.StatsFilter{Department: "fire", AtUnits: true}},
		{"period", hazard.StatsFilter{Since: Epoch.Add(24 * time.Hour), Until: Epoch.Add(48 * time.Hour)}},
		{"since", hazard.StatsFilter{Since: Epoch.Add(24 * time.Hour), UnitIDs: []string{"unit-b"}}},
		{"open", hazard.StatsFilter{Open: true}},
		{"open at units of a department", hazard.StatsFilter{Open: true, Department: "fire", UnitIDs: []string{"unit-a", "unit-c"}}},
	} {
		var want []hazard.StatsRow
		for _, s := range all {
			if c.f.Matches(&s.h) {
				want = append(want, hazard.StatsRowOf(&s.h, s.late))
			}
		}
		slices.SortFunc(want, func(a, b hazard.StatsRow) int { return bytes.Compare(a.ID[:], b.ID[:]) })
		got := readRows(t, r, c.f)
		if !assert.Equal(t, len(want), len(got), "StatsRows(%s): number of rows", c.name) {
			continue
		}
		for i := range want {
			assert.Equal(t, want[i], got[i], "StatsRows(%s): row %d", c.name, i)
		}
	}

	stop := errors.New("stop")
	calls := 0
	err = r.StatsRows(t.Context(), hazard.StatsFilter{}, func(*hazard.StatsRow) error { calls++; return stop })
	assert.ErrorIs(t, err, stop, "StatsRows returns yield's error")
	assert.Equal(t, 1, calls, "StatsRows stops at yield's first error")

	err = r.StatsRows(t.Context(), hazard.StatsFilter{UnitIDs: make([]string, hazard.MaxStatsUnitIDs+1)}, func(*hazard.StatsRow) error { return nil })
	assertCode(t, err, hazard.ErrInvalid, "StatsRows with too many units")
}
