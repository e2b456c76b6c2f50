package pgstore_test

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/pgstore"
)

// legacySchema is the last migration the rows of testdata/legacy_rows.json
// were written under.
const legacySchema = 3

// legacyRows reads testdata/legacy_rows.json (see testdata/README.md).
func legacyRows(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/legacy_rows.json")
	require.NoError(t, err, "read the legacy rows")
	return raw
}

// TestLegacyRowsReadBack loads rows exactly as pgstore wrote them before it
// had its own row types, with SQL alone into a schema of that time, then
// migrates and reads them through today's store, field by field.
func TestLegacyRowsReadBack(t *testing.T) {
	ctx := t.Context()
	db := pgstore.New(newSchema(t))
	_, err := db.MigrateTo(ctx, legacySchema)
	require.NoError(t, err, "MigrateTo(%d)", legacySchema)
	raw := legacyRows(t)
	for _, table := range []string{"hazards", "events", "parked_events"} {
		_, err := db.Pool().Exec(ctx, `INSERT INTO `+table+` SELECT * FROM jsonb_populate_recordset(NULL::`+table+`, $1::jsonb->'`+table+`')`, raw)
		require.NoError(t, err, "insert the legacy %s", table)
	}
	_, err = db.Pool().Exec(ctx, `UPDATE event_seq SET n = ($1::jsonb->>'event_seq')::bigint`, raw)
	require.NoError(t, err, "restore the event counter")
	_, err = db.Migrate(ctx)
	require.NoError(t, err, "Migrate after loading the legacy rows")
	st := db.Hazards()

	hs := legacyHazards()
	for _, want := range hs {
		got, err := st.Get(ctx, want.ID)
		if assert.NoError(t, err, "Get %s", want.Ref) {
			assertSameFields(t, "Get "+want.Ref, want, got)
		}
		got, err = st.GetByRef(ctx, want.Ref)
		if assert.NoError(t, err, "GetByRef %s", want.Ref) {
			assertSameFields(t, "GetByRef "+want.Ref, want, got)
		}
	}
	open := true
	for _, c := range []struct {
		name string
		f    hazard.Filter
		want []hazard.Hazard
	}{
		{"all", hazard.Filter{}, []hazard.Hazard{hs[1], hs[0]}},
		{"category", hazard.Filter{Category: "gas"}, hs[:1]},
		{"reporter", hazard.Filter{Reporter: "citizen-2"}, hs[1:]},
		{"open", hazard.Filter{Open: &open}, hs[1:]},
		{"a unit: legacy rows have none", hazard.Filter{UnitID: "91110101MA00000001"}, nil},
	} {
		l, err := st.List(ctx, c.f, hazard.Page{})
		if assert.NoError(t, err, "List %s", c.name) && assert.Len(t, l.Items, len(c.want), "List %s", c.name) {
			for i := range c.want {
				assertSameFields(t, "List "+c.name, c.want[i], l.Items[i])
			}
		}
	}
	near, err := st.Nearby(ctx, hazard.NearbyQuery{Category: "gas", Center: *hs[0].Location.Point, RadiusMeters: 10})
	require.NoError(t, err, "Nearby")
	assert.Empty(t, near, "Nearby: the legacy gas hazard is closed")

	evs, err := st.Events(ctx, 0, 0)
	require.NoError(t, err, "Events")
	wantEvs := legacyEvents()
	if assert.Len(t, evs, len(wantEvs), "Events") {
		for i := range wantEvs {
			wantEvs[i].Seq = int64(i + 1)
			assertSameFields(t, "Events", wantEvs[i], evs[i])
		}
	}
	byHazard, err := st.HazardEvents(ctx, hs[1].ID)
	require.NoError(t, err, "HazardEvents")
	if assert.Len(t, byHazard, 1, "HazardEvents") {
		assertSameFields(t, "HazardEvents", wantEvs[1], byHazard[0])
	}
	parked, err := st.Parked(ctx, "notify")
	require.NoError(t, err, "Parked")
	if assert.Len(t, parked, 1, "Parked") {
		want := legacyParked()
		assertSameFields(t, "Parked", want.Event, parked[0].Event)
		want.Event, parked[0].Event = hazard.Event{}, hazard.Event{}
		assertSameFields(t, "Parked", want, parked[0])
	}

	// The legacy rows keep working: the idempotency key, updates (whose
	// statement compares the stored reporter object) and the event counter.
	again, created, err := st.Create(ctx, hs[0], nil, "k-1")
	require.NoError(t, err, "Create with the legacy idempotency key")
	assert.False(t, created, "Create with the legacy idempotency key: created")
	assert.Equal(t, hs[0].ID, again.ID, "Create with the legacy idempotency key: the legacy hazard")
	for _, h := range hs {
		next := h
		next.UnitID = "91110101MA00000001"
		next.UpdatedAt = legacyT0.Add(5 * time.Hour)
		_, err := st.Update(ctx, next, h.Version, []hazard.Event{{HazardID: h.ID, Type: hazard.EventNote,
			Actor: hazard.Actor{ID: "admin-1", Role: "admin"}, PublicNote: "unit recorded", Time: next.UpdatedAt}})
		require.NoError(t, err, "Update of legacy %s", h.Ref)
	}
	l, err := st.List(ctx, hazard.Filter{UnitID: "91110101MA00000001"}, hazard.Page{})
	require.NoError(t, err, "List by unit after updating the legacy rows")
	assert.Len(t, l.Items, len(hs), "List by unit after updating the legacy rows")
	last, err := st.LastSeq(ctx)
	require.NoError(t, err, "LastSeq")
	assert.Equal(t, int64(len(wantEvs)+len(hs)), last, "LastSeq: the legacy counter continues")
}

// TestDocumentsKeepTheirShape writes the legacy fixture with today's code
// and compares the documents with those the old code wrote: the stored
// shape did not change with the row types.
func TestDocumentsKeepTheirShape(t *testing.T) {
	ctx := t.Context()
	db := newDB(t)
	st := db.Hazards()
	hs, evs := legacyHazards(), legacyEvents()
	_, _, err := st.Create(ctx, hs[0], evs[0:1], "k-1")
	require.NoError(t, err, "Create")
	_, _, err = st.Create(ctx, hs[1], evs[1:2], "")
	require.NoError(t, err, "Create")
	_, err = st.Append(ctx, evs[2:]...)
	require.NoError(t, err, "Append")
	require.NoError(t, st.Park(ctx, legacyParked()), "Park")

	var legacy struct {
		Hazards      []struct{ Doc any } `json:"hazards"`
		Events       []struct{ Doc any } `json:"events"`
		ParkedEvents []struct{ Doc any } `json:"parked_events"`
	}
	require.NoError(t, json.Unmarshal(legacyRows(t), &legacy), "decode the legacy rows")
	for _, c := range []struct {
		table, order string
		rows         []struct{ Doc any }
	}{
		{"hazards", "id", legacy.Hazards}, {"events", "seq", legacy.Events}, {"parked_events", "seq", legacy.ParkedEvents},
	} {
		rows, err := db.Pool().Query(ctx, `SELECT doc FROM `+c.table+` ORDER BY `+c.order)
		require.NoError(t, err, "select the %s", c.table)
		var got []any
		for rows.Next() {
			var doc []byte
			require.NoError(t, rows.Scan(&doc))
			var v any
			require.NoError(t, json.Unmarshal(doc, &v))
			got = append(got, v)
		}
		require.NoError(t, rows.Err())
		want := make([]any, len(c.rows))
		for i, r := range c.rows {
			want[i] = r.Doc
		}
		assert.Equal(t, want, got, "documents of %s written today and by the old code", c.table)
	}
}

// assertSameFields compares two structs field by field, times by instant
// and zone offset.
func assertSameFields[T any](t *testing.T, call string, want, got T) {
	t.Helper()
	wv, gv := reflect.ValueOf(want), reflect.ValueOf(got)
	for i := range wv.NumField() {
		name := wv.Type().Field(i).Name
		w, g := wv.Field(i).Interface(), gv.Field(i).Interface()
		if wt, ok := w.(time.Time); ok {
			gt := g.(time.Time)
			_, wo := wt.Zone()
			_, gotOff := gt.Zone()
			assert.True(t, wt.Equal(gt), "%s: %s is %v, want %v", call, name, gt, wt)
			assert.Equal(t, wo, gotOff, "%s: %s zone offset", call, name)
			continue
		}
		assert.Equal(t, w, g, "%s: %s", call, name)
	}
}
