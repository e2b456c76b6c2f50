package server_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/inspection"
)

// TestRegulatorsLoop drives the regulators' loop over HTTP with the demo
// users, on memory and PostgreSQL: the plan, an inspection with a
// non-compliant major item, the hazard it raises, the unit's
// rectification, the re-inspection and close-out, a spot check that
// reopens it, and the grade, ledger, CSV and risk map at each step.
func TestRegulatorsLoop(t *testing.T) { forEachBackend(t, regulatorsLoop) }

func regulatorsLoop(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend)
	insp, fireInsp := s.login("inspector-1"), s.login("fire-inspector-1")
	unit, otherUnit := s.login("unit-1"), s.login("unit-2")
	reviewer, supervisor := s.login("reviewer-1"), s.login("supervisor-1")
	unitID := server.DemoUnitID(1)
	today := time.Now().UTC().Format(time.DateOnly)
	later := time.Now().UTC().AddDate(0, 6, 0).Format(time.DateOnly)

	// The plan is the inspector's department's.
	r := s.do("GET", "/api/v1/plan?from="+today+"&to="+later+"&seed=7", insp, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, "emergency", r.obj(t)["department"])
	r = s.do("GET", "/api/v1/plan?department=fire&from="+today+"&to="+later, insp, nil)
	assert.Equal(t, http.StatusForbidden, r.status, "another department's plan: %s", r.body)

	// Units: an inspector lists their department's; a unit only its own.
	var units struct {
		Items []struct {
			ID          string   `json:"id"`
			Departments []string `json:"departments"`
		} `json:"items"`
	}
	s.do("GET", "/api/v1/units?limit=100", insp, nil).json(t, &units)
	require.NotEmpty(t, units.Items)
	for _, u := range units.Items {
		assert.Contains(t, u.Departments, "emergency")
	}
	s.do("GET", "/api/v1/units", unit, nil).json(t, &units)
	require.Len(t, units.Items, 1)
	assert.Equal(t, unitID, units.Items[0].ID)

	before := s.unitGrade(unit, unitID)
	assert.Equal(t, "yellow", before, "the demo unit's points")
	r = s.do("GET", "/api/v1/units/"+unitID, otherUnit, nil)
	assert.Equal(t, http.StatusForbidden, r.status, "another unit's page: %s", r.body)
	s.checkMap(unitID, "yellow")

	// A checklist with a major item.
	var cl struct {
		ID    string `json:"id"`
		Items []struct {
			Code      string `json:"code"`
			Criterion string `json:"criterion"`
		} `json:"items"`
	}
	s.do("GET", "/api/v1/checklists/hazardous-chemicals-storage", insp, nil).json(t, &cl)
	major := ""
	for _, it := range cl.Items {
		if it.Criterion != "" {
			major = it.Code
			break
		}
	}
	require.NotEmpty(t, major, "the sample has a major item")

	// An inspector of another department may not inspect the unit, and
	// nothing is stored.
	start := map[string]any{"kind": "enforcement", "unit_id": unitID, "inspectors": []string{"fire-inspector-1", "inspector-2"}, "checklist": cl.ID}
	r = s.do("POST", "/api/v1/inspections", fireInsp, start)
	assert.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	r = s.do("GET", "/api/v1/inspections?unit_id="+unitID, insp, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Empty(t, r.obj(t)["items"], "no inspection stored")
	r = s.do("PUT", "/api/v1/units/"+unitID+"/grade", fireInsp, map[string]any{"grade": "blue", "reason": "x", "expected_version": 1})
	assert.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	assert.Equal(t, before, s.unitGrade(unit, unitID), "nothing changed")

	start["inspectors"] = []string{"inspector-1", "inspector-2"}
	r = s.do("POST", "/api/v1/inspections", insp, start)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	v := r.obj(t)
	vid := v["id"].(string)
	var results []map[string]any
	for _, it := range cl.Items {
		res := map[string]any{"item": it.Code, "outcome": "compliant"}
		if it.Code == major {
			res["outcome"], res["note"] = "non_compliant", "储罐区未设置可燃气体报警"
			res["photos"] = []string{s.upload(insp, pngPhoto(t, 300))}
		}
		results = append(results, res)
	}
	finish := map[string]any{"expected_version": version(v), "results": results, "trained": map[string]any{"count": 5, "topic": "储罐安全"}}
	r = s.do("POST", "/api/v1/inspections/"+vid+"/finish", insp, finish)
	assert.Equal(t, http.StatusBadRequest, r.status, "no Idempotency-Key: %s", r.body)
	r = s.do("POST", "/api/v1/inspections/"+vid+"/finish", insp, finish, "Idempotency-Key", "finish-"+vid)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, "finished", r.obj(t)["status"])
	r = s.do("POST", "/api/v1/inspections/"+vid+"/finish", insp, finish, "Idempotency-Key", "finish-"+vid)
	require.Equal(t, http.StatusOK, r.status, "a retry answers the finished inspection: %s", r.body)

	// The hazard is raised from the event log, and the unit turns orange
	// (an open major hazard, DefaultGrader).
	var row ledgerRow
	require.Eventually(t, func() bool {
		rows := s.ledgerRows(insp, unitID)
		if len(rows) != 1 {
			return false
		}
		row = rows[0]
		return true
	}, 10*time.Second, 20*time.Millisecond, "the finding's hazard")
	assert.Equal(t, "major", row.Severity)
	assert.Equal(t, "inspection", row.Source)
	require.Eventually(t, func() bool { return s.unitGrade(unit, unitID) == "orange" }, 10*time.Second, 20*time.Millisecond, "an open major hazard makes the unit orange")
	s.checkMap(unitID, "orange")
	s.checkCSV(insp, unitID, row.Ref, "")

	// Rectification, re-inspection and close-out.
	h := s.do("GET", "/api/v1/reports/"+row.ID, insp, nil).obj(t)
	h = s.act(reviewer, row.ID, "list", map[string]any{"expected_version": version(h), "note": "重大隐患挂牌督办"})
	h = s.act(insp, row.ID, "order", map[string]any{"expected_version": version(h), "note": "限期整改"})
	h = s.act(unit, row.ID, "rectify", map[string]any{"expected_version": version(h), "note": "已安装报警器",
		"photos": []string{s.upload(unit, pngPhoto(t, 301))}})
	h = s.act(insp, row.ID, "pass_major", map[string]any{"expected_version": version(h), "verdict": "复查合格"})
	h = s.act(reviewer, row.ID, "sign_off", map[string]any{"expected_version": version(h), "verdict": "准予销号"})
	require.Equal(t, "closed_out", h["state"])
	require.Eventually(t, func() bool { return s.unitGrade(unit, unitID) == "yellow" }, 10*time.Second, 20*time.Millisecond, "closed out: the points' grade again")
	assert.Equal(t, "closed_out", s.ledgerRows(insp, unitID)[0].State)
	s.checkMap(unitID, "yellow")
	s.checkCSV(insp, unitID, row.Ref, "closed_out")

	// The unit's ledger is staff's; the unit reads its own hazards.
	r = s.do("GET", "/api/v1/ledger?unit_id="+unitID, unit, nil)
	assert.Equal(t, http.StatusForbidden, r.status, "%s", r.body)

	// A spot check draws it, finds a sham and reopens it.
	r = s.do("POST", "/api/v1/spot-checks", insp, map[string]any{"since": time.Now().UTC().Add(-time.Hour), "until": time.Now().UTC().Add(time.Hour), "size": 1})
	assert.Equal(t, http.StatusForbidden, r.status, "an inspector draws no spot check: %s", r.body)
	r = s.do("POST", "/api/v1/spot-checks", supervisor, map[string]any{"department": "emergency", "industry": "hazardous_chemicals",
		"since": time.Now().UTC().Add(-time.Hour), "until": time.Now().UTC().Add(time.Hour), "size": 1, "seed": 3})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var sc struct {
		ID      string `json:"id"`
		Version int64  `json:"version"`
		Items   []struct {
			HazardID string `json:"hazard_id"`
		} `json:"items"`
	}
	r.json(t, &sc)
	require.Len(t, sc.Items, 1)
	require.Equal(t, row.ID, sc.Items[0].HazardID)
	r = s.do("POST", "/api/v1/spot-checks/"+sc.ID+"/verify", supervisor, map[string]any{"expected_version": sc.Version,
		"hazard_id": row.ID, "passed": false, "note": "报警器未通电"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, "rectifying", s.do("GET", "/api/v1/reports/"+row.ID, insp, nil).obj(t)["state"], "reopened")
	require.Eventually(t, func() bool { return s.unitGrade(unit, unitID) == "red" }, 10*time.Second, 20*time.Millisecond, "an open major hazard (orange) and a sham (one step up)")
	assert.Equal(t, "rectifying", s.ledgerRows(insp, unitID)[0].State)
	s.checkMap(unitID, "red")
	s.checkCSV(insp, unitID, row.Ref, "rectifying")
	s.checkSpotChecks(sc.ID, unitID)

	// Another unit never sees it.
	r = s.do("GET", "/api/v1/inspections?unit_id="+unitID, otherUnit, nil)
	assert.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	r = s.do("GET", "/api/v1/inspections/"+vid, otherUnit, nil)
	assert.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
}

// checkSpotChecks lists the spot checks as each role may: the
// supervision group and the inspectors of the department drawn from see
// the spot check id (done, one sham found, at the unit), an inspector of
// another department does not, and a unit lists none.
func (s *testServer) checkSpotChecks(id, unitID string) {
	s.t.Helper()
	t := s.t
	type listed struct {
		Items []struct {
			ID       string         `json:"id"`
			Status   string         `json:"status"`
			Verdicts map[string]int `json:"verdicts"`
			Query    struct {
				Department string `json:"department"`
				Size       int    `json:"size"`
			} `json:"query"`
		} `json:"items"`
		Next string `json:"next"`
	}
	ids := func(token, query string) []string {
		t.Helper()
		r := s.do("GET", "/api/v1/spot-checks"+query, token, nil)
		require.Equal(t, http.StatusOK, r.status, "GET /api/v1/spot-checks%s: %s", query, r.body)
		var l listed
		r.json(t, &l)
		out := []string{}
		for _, it := range l.Items {
			out = append(out, it.ID)
			if it.ID == id {
				assert.Equal(t, "done", it.Status)
				assert.Equal(t, map[string]int{"pending": 0, "confirmed": 0, "failed": 1}, it.Verdicts)
				assert.Equal(t, "emergency", it.Query.Department, "the query's JSON names")
				assert.Equal(t, 1, it.Query.Size)
			}
		}
		return out
	}
	supervisor, insp, fireInsp := s.login("supervisor-1"), s.login("inspector-1"), s.login("fire-inspector-1")
	assert.Contains(t, ids(supervisor, ""), id)
	assert.Contains(t, ids(supervisor, "?verdict=failed&status=done&unit_id="+unitID+"&department=emergency"), id)
	assert.NotContains(t, ids(supervisor, "?status=open"), id)
	assert.NotContains(t, ids(supervisor, "?until=2000-01-01"), id)
	assert.Contains(t, ids(insp, ""), id, "an inspector lists their department's")
	assert.NotContains(t, ids(fireInsp, ""), id, "an inspector of another department")
	r := s.do("GET", "/api/v1/spot-checks?department=emergency", fireInsp, nil)
	assert.Equal(t, http.StatusForbidden, r.status, "another department's spot checks: %s", r.body)
	r = s.do("GET", "/api/v1/spot-checks/"+id, fireInsp, nil)
	assert.Equal(t, http.StatusForbidden, r.status, "another department's spot check: %s", r.body)
	r = s.do("GET", "/api/v1/spot-checks/"+id, insp, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, "done", r.obj(t)["status"])
	r = s.do("GET", "/api/v1/spot-checks", s.login("unit-1"), nil)
	assert.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	for _, q := range []string{"?status=lost", "?verdict=maybe", "?limit=51", "?limit=0", "?cursor=nope", "?unit_id=x", "?since=yesterday"} {
		r = s.do("GET", "/api/v1/spot-checks"+q, supervisor, nil)
		assert.Equal(t, http.StatusBadRequest, r.status, "GET /api/v1/spot-checks%s: %s", q, r.body)
	}
}

type ledgerRow struct {
	ID       string `json:"id"`
	Ref      string `json:"ref"`
	Severity string `json:"severity"`
	Source   string `json:"source"`
	State    string `json:"state"`
}

func (s *testServer) ledgerRows(token, unitID string) []ledgerRow {
	s.t.Helper()
	var l struct {
		Rows []ledgerRow `json:"rows"`
	}
	r := s.do("GET", "/api/v1/ledger?unit_id="+unitID, token, nil)
	require.Equal(s.t, http.StatusOK, r.status, "%s", r.body)
	r.json(s.t, &l)
	return l.Rows
}

func (s *testServer) unitGrade(token, unitID string) string {
	s.t.Helper()
	r := s.do("GET", "/api/v1/units/"+unitID, token, nil)
	require.Equal(s.t, http.StatusOK, r.status, "%s", r.body)
	var u struct {
		Grade      string            `json:"grade"`
		GradeSteps []json.RawMessage `json:"grade_steps"`
		Points     []json.RawMessage `json:"points"`
	}
	r.json(s.t, &u)
	assert.NotEmpty(s.t, u.GradeSteps, "the grade is explained")
	assert.Len(s.t, u.Points, 2)
	return u.Grade
}

// checkCSV fetches the unit's ledger as CSV both ways and checks the byte
// order mark, the file name and the row of ref in the state.
func (s *testServer) checkCSV(token, unitID, ref, state string) {
	s.t.Helper()
	for _, r := range []response{
		s.do("GET", "/api/v1/ledger?format=csv&unit_id="+unitID, token, nil),
		s.do("GET", "/api/v1/ledger?unit_id="+unitID, token, nil, "Accept", "text/csv"),
	} {
		require.Equal(s.t, http.StatusOK, r.status, "%s", r.body)
		assert.True(s.t, strings.HasPrefix(r.header.Get("Content-Type"), "text/csv"))
		assert.Contains(s.t, r.header.Get("Content-Disposition"), `attachment; filename=ledger-`)
		require.True(s.t, bytes.HasPrefix(r.body, []byte("\xEF\xBB\xBFref,")), "one UTF-8 byte order mark, then the header")
		recs, err := csv.NewReader(bytes.NewReader(r.body[3:])).ReadAll()
		require.NoError(s.t, err)
		require.Len(s.t, recs, 2, "a header and one row")
		assert.Equal(s.t, "ref", recs[0][0], "one byte order mark, then the header")
		assert.Equal(s.t, ref, recs[1][0])
		if state != "" {
			assert.Contains(s.t, recs[1], state)
		}
	}
}

// checkMap fetches the public risk map and checks it against RFC 7946
// (a FeatureCollection of Point features, [longitude, latitude] in range)
// and the unit's feature: its grade, and nothing private.
func (s *testServer) checkMap(unitID, grade string) {
	s.t.Helper()
	r := s.do("GET", "/api/v1/risk/map.geojson", "", nil)
	require.Equal(s.t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(s.t, "application/geo+json", r.header.Get("Content-Type"))
	checkGeoJSON(s.t, r.body)
	for _, private := range []string{"contacts", "phone", "credit_code", "1390635"} {
		assert.NotContains(s.t, string(r.body), private)
	}
	var fc struct {
		Features []struct {
			ID         string `json:"id"`
			Geometry   struct{ Coordinates []float64 }
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	require.NoError(s.t, json.Unmarshal(r.body, &fc))
	found := false
	for _, f := range fc.Features {
		if f.ID != unitID {
			continue
		}
		found = true
		assert.Equal(s.t, grade, f.Properties["grade"])
		assert.NotEmpty(s.t, f.Properties["colour"])
		assert.Equal(s.t, "hazardous_chemicals", f.Properties["industry"])
		assert.NotEmpty(s.t, f.Properties["name"])
		// The demo city is about 116° E, 36.4° N: longitude first.
		assert.InDelta(s.t, 116.0, f.Geometry.Coordinates[0], 0.2)
		assert.InDelta(s.t, 36.45, f.Geometry.Coordinates[1], 0.2)
	}
	assert.True(s.t, found, "the unit is on the map")
	r = s.do("GET", "/api/v1/risk/map.geojson?grade="+grade+"&industry=hazardous_chemicals&bbox=115,36,117,37", "", nil)
	require.Equal(s.t, http.StatusOK, r.status, "%s", r.body)
	checkGeoJSON(s.t, r.body)
	assert.Contains(s.t, string(r.body), unitID)
	r = s.do("GET", "/api/v1/risk/map.geojson?bbox=0,0,1,1", "", nil)
	require.Equal(s.t, http.StatusOK, r.status, "%s", r.body)
	assert.NotContains(s.t, string(r.body), unitID)
}

// checkGeoJSON checks the RFC 7946 rules the map answers must keep: a
// FeatureCollection of Features with Point geometries whose positions are
// [longitude, latitude] within range, and an id and properties object.
func checkGeoJSON(t *testing.T, body []byte) {
	t.Helper()
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string `json:"type"`
			ID       any    `json:"id"`
			Geometry *struct {
				Type        string    `json:"type"`
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	require.NoError(t, json.Unmarshal(body, &fc))
	require.Equal(t, "FeatureCollection", fc.Type)
	require.NotNil(t, fc.Features, "features is an array, even empty")
	for _, f := range fc.Features {
		require.Equal(t, "Feature", f.Type)
		require.NotNil(t, f.ID)
		require.NotNil(t, f.Properties)
		require.NotNil(t, f.Geometry)
		require.Equal(t, "Point", f.Geometry.Type)
		require.Len(t, f.Geometry.Coordinates, 2, "a position is [longitude, latitude]")
		lon, lat := f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]
		require.True(t, lon >= -180 && lon <= 180, "longitude %v", lon)
		require.True(t, lat >= -90 && lat <= 90, "latitude %v", lat)
	}
}

// TestRegulatorsRoutes: a unit's self-check, a checklist published from
// CSV with every problem reported at once, a point assessed and a grade
// overridden with a reason; and what other callers are refused, changing
// nothing.
func TestRegulatorsRoutes(t *testing.T) {
	s := startServer(t)
	unit, otherUnit, insp, admin := s.login("unit-1"), s.login("unit-2"), s.login("inspector-1"), s.login("admin-1")
	unitID := server.DemoUnitID(1)

	// Self-checks: a unit's own, never another's.
	self := map[string]any{"kind": "self_check", "unit_id": unitID, "checklist": "hazardous-chemicals-storage"}
	r := s.do("POST", "/api/v1/inspections", otherUnit, self)
	assert.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	r = s.do("POST", "/api/v1/inspections", unit, self)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	assert.Equal(t, "self_check", r.obj(t)["kind"])
	r = s.do("GET", "/api/v1/inspections", unit, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Len(t, r.obj(t)["items"], 1)
	r = s.do("GET", "/api/v1/inspections", otherUnit, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Empty(t, r.obj(t)["items"])
	r = s.do("GET", "/api/v1/units?industry=urban_gas", unit, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Empty(t, r.obj(t)["items"], "the unit's own unit is not of that industry")

	// A checklist from CSV: every problem at once, then a new version.
	q := "/api/v1/checklists?id=urban-gas-users&title=" + "燃气用户检查表" + "&industry=urban_gas&department=gas&category=gas"
	bad := "\uFEFFcode,text,standard,article,criterion,deadline_days\n,没有编号,GB 1,1,,7\nG-02,,GB 1,2,,0\n"
	r = s.doRaw("POST", q, admin, "text/csv", bad)
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	var e struct {
		Error struct {
			Fields []struct{ Field string } `json:"fields"`
		} `json:"error"`
	}
	r.json(t, &e)
	assert.GreaterOrEqual(t, len(e.Error.Fields), 3, "every problem: %s", r.body)
	good := "code,text,standard,article,criterion,deadline_days\nG-01,燃气报警器有效,GB 50028,3.1,,7\nG-02,软管无老化,GB 50028,3.2,,3\n"
	r = s.doRaw("POST", q, insp, "text/csv", good)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	assert.EqualValues(t, 2, r.obj(t)["version"])
	r = s.doRaw("POST", q, admin, "text/plain", good)
	assert.Equal(t, http.StatusUnsupportedMediaType, r.status, "%s", r.body)

	// A point assessed anew, and a grade overridden with a reason.
	var u struct {
		Version int64  `json:"version"`
		Grade   string `json:"grade"`
		Points  []struct {
			ID      string `json:"id"`
			Version int64  `json:"version"`
		} `json:"points"`
	}
	s.do("GET", "/api/v1/units/"+unitID, insp, nil).json(t, &u)
	require.NotEmpty(t, u.Points)
	pt := u.Points[0]
	red := map[string]any{"method": "lec", "values": map[string]int{"l": 60, "e": 60, "c": 150}, "expected_version": pt.Version}
	r = s.do("POST", "/api/v1/units/"+server.DemoUnitID(2)+"/points/"+pt.ID+"/assessments", insp, red)
	assert.Equal(t, http.StatusNotFound, r.status, "a point of another unit: %s", r.body)
	r = s.do("POST", "/api/v1/units/"+unitID+"/points/"+pt.ID+"/assessments", insp, red)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, "red", r.obj(t)["grade"])
	s.do("GET", "/api/v1/units/"+unitID, insp, nil).json(t, &u)
	assert.Equal(t, "red", u.Grade)
	r = s.do("GET", "/api/v1/units/"+unitID+"/points/"+pt.ID+"/assessments", insp, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Len(t, r.obj(t)["items"], 2, "every assessment is kept")

	r = s.do("PUT", "/api/v1/units/"+unitID+"/grade", insp, map[string]any{"grade": "blue", "expected_version": u.Version})
	assert.Equal(t, http.StatusBadRequest, r.status, "no reason: %s", r.body)
	r = s.do("PUT", "/api/v1/units/"+unitID+"/grade", unit, map[string]any{"grade": "blue", "reason": "x", "expected_version": u.Version})
	assert.Equal(t, http.StatusForbidden, r.status, "a unit sets no grade: %s", r.body)
	r = s.do("PUT", "/api/v1/units/"+unitID+"/grade", insp, map[string]any{"grade": "orange", "reason": "专家会商", "expected_version": u.Version})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, "orange", r.obj(t)["grade"])

	// The public map never shows private fields and filters by grade.
	r = s.do("GET", "/api/v1/risk/map.geojson?grade=purple", "", nil)
	assert.Equal(t, http.StatusBadRequest, r.status)
	r = s.do("GET", "/api/v1/risk/map.geojson?bbox=1,2,3", "", nil)
	assert.Equal(t, http.StatusBadRequest, r.status)
	r = s.do("GET", "/api/v1/risk/map.geojson?grade=orange", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	checkGeoJSON(t, r.body)
	assert.Contains(t, string(r.body), unitID)
}

// doRaw sends body with the content type.
func (s *testServer) doRaw(method, path, token, contentType, body string) response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.send(req)
}

// TestLedgerPages walks the demo city's ledger as JSON pages: the rows of
// the pages are the CSV file's, in its order, every page has the counts of
// the whole ledger, and bad limits and cursors are refused.
func TestLedgerPages(t *testing.T) { forEachBackend(t, ledgerPages) }

func ledgerPages(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend)
	admin := s.login("admin-1")
	r := s.do("GET", "/api/v1/ledger?format=csv", admin, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	recs, err := csv.NewReader(bytes.NewReader(r.body[3:])).ReadAll()
	require.NoError(t, err)
	var want []string
	for _, rec := range recs[1:] {
		want = append(want, rec[0])
	}
	require.NotEmpty(t, want, "the demo city's ledger")
	type page struct {
		Rows []struct {
			Ref string `json:"ref"`
		} `json:"rows"`
		Next   string         `json:"next"`
		Counts map[string]int `json:"counts"`
	}
	var got []string
	var counts map[string]int
	for cursor, pages := "", 0; ; pages++ {
		require.Less(t, pages, 100)
		var pg page
		r := s.do("GET", "/api/v1/ledger?limit=7&cursor="+url.QueryEscape(cursor), admin, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r.json(t, &pg)
		assert.LessOrEqual(t, len(pg.Rows), 7)
		if counts == nil {
			counts = pg.Counts
		}
		assert.Equal(t, counts, pg.Counts, "every page counts the whole ledger")
		for _, row := range pg.Rows {
			got = append(got, row.Ref)
		}
		if pg.Next == "" {
			break
		}
		cursor = pg.Next
	}
	assert.Equal(t, want, got, "the pages' rows are the CSV file's")
	assert.Equal(t, len(want), counts["found"])
	var pg page
	s.do("GET", "/api/v1/ledger", admin, nil).json(t, &pg)
	assert.Len(t, pg.Rows, min(len(want), inspection.DefaultLedgerPageLimit), "the default page")
	for _, q := range []string{"?limit=501", "?limit=0", "?limit=x", "?cursor=nope", "?cursor=" + strings.Repeat("x", 300)} {
		r := s.do("GET", "/api/v1/ledger"+q, admin, nil)
		assert.Equal(t, http.StatusBadRequest, r.status, "GET /api/v1/ledger%s: %s", q, r.body)
	}
}
