package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
)

// TestInspectionItemByItem records an inspection's results one item at a
// time over HTTP, as the inspector's phone does, on memory and PostgreSQL:
// each result is kept by the server (a reload reads it back), callers who
// are not the visit's inspectors are refused and change nothing, a stale
// version is a conflict, and finishing with an Idempotency-Key and no
// results takes the recorded ones and raises the failed item's hazard.
func TestInspectionItemByItem(t *testing.T) { forEachBackend(t, inspectionItemByItem) }

func inspectionItemByItem(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend)
	insp, insp2, fireInsp := s.login("inspector-1"), s.login("inspector-2"), s.login("fire-inspector-1")
	unit, otherUnit := s.login("unit-1"), s.login("unit-2")
	unitID := server.DemoUnitID(1)
	items := s.checklistItems(insp, "hazardous-chemicals-storage")

	r := s.do("POST", "/api/v1/inspections", insp, map[string]any{"kind": "enforcement", "unit_id": unitID,
		"inspectors": []string{"inspector-1", "inspector-2"}, "checklist": "hazardous-chemicals-storage"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	v := r.obj(t)
	path := "/api/v1/inspections/" + v["id"].(string)

	// Refused: another department's inspector, the unit, another unit; a
	// non-compliant item without a photo; an item not on the list.
	first := map[string]any{"expected_version": version(v), "item": items[0], "outcome": "compliant"}
	for _, tok := range []string{fireInsp, unit, otherUnit} {
		r = s.do("POST", path+"/results", tok, first)
		assert.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, r.status, "%s", r.body)
	}
	r = s.do("POST", path+"/results", insp, map[string]any{"expected_version": version(v), "item": items[0], "outcome": "non_compliant"})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	assert.Equal(t, []string{"result.photos"}, r.errFields(t))
	r = s.do("POST", path+"/results", insp, map[string]any{"expected_version": version(v), "item": "Z-99", "outcome": "compliant", "photos": []string{"nope"}})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	assert.Equal(t, []string{"result.photos[0]"}, r.errFields(t), "an unknown upload key is refused before the item is looked at")
	r = s.do("GET", path, insp, nil)
	assert.Equal(t, version(v), version(r.obj(t)), "nothing changed")

	// Item by item, by either inspector; the second item fails with a photo.
	for i, it := range items {
		body := map[string]any{"expected_version": version(v), "item": it, "outcome": "compliant"}
		tok := insp
		if i%2 == 1 {
			tok = insp2
		}
		if i == 1 {
			body["outcome"], body["note"] = "non_compliant", "消防通道堵塞"
			body["photos"] = []string{s.upload(tok, pngPhoto(t, 120))}
		}
		r = s.do("POST", path+"/results", tok, body)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", it, r.body)
		v = r.obj(t)
		if i == 2 {
			// A reload mid-way reads the progress back.
			r = s.do("GET", path, insp, nil)
			require.Equal(t, http.StatusOK, r.status)
			assert.Len(t, r.obj(t)["results"], 3, "the results recorded so far")
		}
	}
	r = s.do("POST", path+"/results", insp, map[string]any{"expected_version": version(v) - 1, "item": items[0], "outcome": "compliant"})
	assert.Equal(t, http.StatusConflict, r.status, "a stale version: %s", r.body)
	r = s.do("PUT", path+"/trained", insp, map[string]any{"expected_version": version(v), "count": 3})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	assert.Equal(t, []string{"trained.topic"}, r.errFields(t))
	r = s.do("PUT", path+"/trained", insp, map[string]any{"expected_version": version(v), "count": 3, "topic": "危化品储存"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	v = r.obj(t)

	finish := map[string]any{"expected_version": version(v)}
	r = s.do("POST", path+"/finish", insp, finish, "Idempotency-Key", "finish-1")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	done := r.obj(t)
	assert.Equal(t, "finished", done["status"])
	assert.Len(t, done["results"], len(items))
	assert.EqualValues(t, 3, done["trained"].(map[string]any)["count"])
	r = s.do("POST", path+"/finish", insp, finish, "Idempotency-Key", "finish-1")
	assert.Equal(t, http.StatusOK, r.status, "a retried finish: %s", r.body)
	r = s.do("POST", path+"/results", insp, map[string]any{"expected_version": version(done), "item": items[0], "outcome": "compliant"})
	assert.Equal(t, http.StatusConflict, r.status, "a finished inspection takes no results: %s", r.body)

	require.Eventually(t, func() bool { return len(s.ledgerRows(insp, unitID)) == 1 }, 10*time.Second, 20*time.Millisecond, "the failed item's hazard")
}

// TestSelfCheckItemByItem: a unit's safety manager records a self-check
// item by item and finishes it; another unit's manager and an inspector
// are refused.
func TestSelfCheckItemByItem(t *testing.T) {
	s := startServer(t)
	unit, otherUnit, insp := s.login("unit-1"), s.login("unit-2"), s.login("inspector-1")
	items := s.checklistItems(unit, "hazardous-chemicals-storage")
	r := s.do("POST", "/api/v1/inspections", unit, map[string]any{"kind": "self_check", "unit_id": server.DemoUnitID(1), "checklist": "hazardous-chemicals-storage"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	v := r.obj(t)
	path := "/api/v1/inspections/" + v["id"].(string)
	for _, tok := range []string{otherUnit, insp} {
		r = s.do("POST", path+"/results", tok, map[string]any{"expected_version": version(v), "item": items[0], "outcome": "compliant"})
		assert.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, r.status, "%s", r.body)
	}
	for _, it := range items {
		r = s.do("POST", path+"/results", unit, map[string]any{"expected_version": version(v), "item": it, "outcome": "not_applicable"})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		v = r.obj(t)
	}
	r = s.do("POST", path+"/finish", unit, map[string]any{"expected_version": version(v)}, "Idempotency-Key", "self-1")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, "finished", r.obj(t)["status"])
}

// checklistItems returns the item codes of the checklist id.
func (s *testServer) checklistItems(token, id string) []string {
	var cl struct {
		Items []struct {
			Code string `json:"code"`
		} `json:"items"`
	}
	s.do("GET", "/api/v1/checklists/"+id, token, nil).json(s.t, &cl)
	var out []string
	for _, it := range cl.Items {
		out = append(out, it.Code)
	}
	require.NotEmpty(s.t, out)
	return out
}

// errFields returns the fields an error answer names: each problem's, or
// the error's own.
func (r response) errFields(t *testing.T) []string {
	t.Helper()
	var e struct {
		Error struct {
			Field  string `json:"field"`
			Fields []struct {
				Field string `json:"field"`
			} `json:"fields"`
		} `json:"error"`
	}
	r.json(t, &e)
	var out []string
	for _, f := range e.Error.Fields {
		out = append(out, f.Field)
	}
	if len(out) == 0 {
		out = append(out, e.Error.Field)
	}
	return out
}
