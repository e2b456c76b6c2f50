package server_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
)

// TestContactRevealAndExports: the staff view leaves the reporter's
// contact out; revealing it needs a reason and is logged; reports and
// rewards export as CSV files, each export logged; the auditor reads the
// log, on memory and on PostgreSQL.
func TestContactRevealAndExports(t *testing.T) { forEachBackend(t, testContactRevealAndExports) }

func testContactRevealAndExports(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend)
	citizen, dispatcher := s.login("citizen-1"), s.login("dispatcher-1")
	fire, gas, reviewer, auditor := s.login("fire-1"), s.login("gas-1"), s.login("reviewer-1"), s.login("auditor-1")

	v := s.submit(citizen, []string{s.upload(citizen, pngPhoto(t, 41))}, func(b map[string]any) {
		b["contact_name"], b["contact_phone"] = "张三", "13800000001"
		b["description"] = "=HYPERLINK(\"http://evil.example\") 消防通道堵塞"
	})
	id, ref := v["id"].(string), v["ref"].(string)
	s.act(dispatcher, id, "dispatch", map[string]any{"expected_version": version(v), "department": "fire"})

	r := s.do("GET", "/api/v1/reports/"+id, fire, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.NotContains(t, string(r.body), "13800000001", "the staff view never carries the contact")
	assert.Equal(t, true, r.obj(t)["contact_on_file"])

	path := "/api/v1/reports/" + id + "/contact"
	r = s.do("POST", path, fire, map[string]any{"reason": ""})
	assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	r = s.do("POST", path, gas, map[string]any{"reason": "回访"})
	assert.Equal(t, http.StatusNotFound, r.status, "another department's report: %s", r.body)
	r = s.do("POST", path, auditor, map[string]any{"reason": "回访"})
	assert.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	r = s.do("POST", path, fire, map[string]any{"reason": "需要确认具体楼层"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, "13800000001", r.obj(t)["phone"])

	// Exports: a CSV file with a byte order mark, named by its dates.
	day := time.Now().UTC().Format(time.DateOnly)
	next := time.Now().UTC().Add(24 * time.Hour).Format(time.DateOnly)
	q := "?since=" + day + "&until=" + next
	r = s.do("GET", "/api/v1/exports/reports"+q+"&department=fire", fire, nil)
	recs := csvOf(t, r, "reports-fire-"+day+"-"+next+".csv")
	require.GreaterOrEqual(t, len(recs), 2, "the header and the report")
	assert.Equal(t, "ref", recs[0][0])
	var row []string
	for _, rec := range recs[1:] {
		assert.Equal(t, "fire", rec[7], "a department's export holds its reports only")
		if rec[0] == ref {
			row = rec
		}
	}
	require.NotNil(t, row, "the report is in its department's export")
	assert.True(t, strings.HasPrefix(row[12], "'="), "a cell a spreadsheet would run as a formula is neutralised: %q", row[12])
	assert.NotContains(t, string(r.body), "13800000001")
	assert.NotContains(t, string(r.body), "citizen-1", "an export names no reporter")

	r = s.do("GET", "/api/v1/exports/reports"+q+"&department=gas", fire, nil)
	assert.Equal(t, http.StatusForbidden, r.status, "another department's export: %s", r.body)
	r = s.do("GET", "/api/v1/exports/reports?since="+next+"&until="+day, reviewer, nil)
	assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	r = s.do("GET", "/api/v1/exports/reports?since=2020-01-01&until="+next, reviewer, nil)
	assert.Equal(t, http.StatusBadRequest, r.status, "a period over the limit: %s", r.body)
	r = s.do("GET", "/api/v1/exports/rewards"+q, fire, nil)
	assert.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	r = s.do("GET", "/api/v1/exports/rewards"+q, reviewer, nil)
	recs = csvOf(t, r, "rewards-"+day+"-"+next+".csv")
	assert.Equal(t, []string{"id", "hazard_ref", "reporter_id", "policy", "amount_yuan", "status", "issued_at", "claim_by", "claimed_at", "payment_ref"}, recs[0])

	// The auditor reads who read what.
	r = s.do("GET", "/api/v1/access-log", reviewer, nil)
	assert.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	r = s.do("GET", "/api/v1/access-log", auditor, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var log server.AccessLogResponse
	r.json(t, &log)
	var seen []string
	for _, e := range log.Entries {
		seen = append(seen, string(e.Type)+":"+e.Actor.ID+":"+e.Data["hazard_ref"]+e.Data["export"])
	}
	assert.Equal(t, []string{"contact_revealed:fire-1:" + ref, "exported:fire-1:reports", "exported:reviewer-1:rewards"}, seen)
	assert.NotContains(t, string(r.body), "13800000001", "the log says who read a contact, not the contact")
	r = s.do("GET", "/api/v1/access-log?limit=1", auditor, nil)
	r.json(t, &log)
	require.Len(t, log.Entries, 1)
	r = s.do("GET", "/api/v1/access-log?limit=5&after="+strconv.FormatInt(log.Next, 10), auditor, nil)
	r.json(t, &log)
	assert.Len(t, log.Entries, 2, "read on after the last entry")
}

// csvOf checks an export's answer (status, media type, file name, byte
// order mark) and returns its records.
func csvOf(t *testing.T, r response, name string) [][]string {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.True(t, strings.HasPrefix(r.header.Get("Content-Type"), "text/csv"))
	assert.Equal(t, `attachment; filename=`+name, r.header.Get("Content-Disposition"))
	require.True(t, bytes.HasPrefix(r.body, []byte("\xEF\xBB\xBF")), "UTF-8 byte order mark")
	recs, err := csv.NewReader(bytes.NewReader(r.body[3:])).ReadAll()
	require.NoError(t, err)
	return recs
}
