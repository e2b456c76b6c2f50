package server_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
)

// person is everything that identifies the citizen the erasure test
// erases, in every form a store might hold it.
type person struct {
	userID, phone, name, residentID, openID, unionID string
}

// forms returns each identifier with the forms the server stores of it:
// the resident ID's SHA-256 (the account's resident_hash), the masked
// phone and ID number shown to the citizen, and the keyed hashes the
// limiter's keys carry (abuse.go's keyer, with the test servers' secret).
func (p person) forms() map[string]string {
	sum := sha256.Sum256([]byte(p.residentID))
	key := func(s string) string {
		m := hmac.New(sha256.New, []byte(testSecret))
		m.Write([]byte("limit\x00" + s))
		return hex.EncodeToString(m.Sum(nil)[:16])
	}
	return map[string]string{
		"user ID": p.userID, "phone": p.phone, "name": p.name, "resident ID": p.residentID,
		"openid": p.openID, "unionid": p.unionID,
		"resident ID hash":    hex.EncodeToString(sum[:]),
		"masked phone":        p.phone[:3] + "****" + p.phone[7:],
		"masked resident ID":  p.residentID[:6] + strings.Repeat("*", 8) + p.residentID[14:],
		"user ID limiter key": key(p.userID),
		"phone limiter key":   key(p.phone),
		"user ID key part":    notify.KeyPart(p.userID),
	}
}

// testSecret is the token secret of the test servers (startServer and
// startWeChat).
const testSecret = "0123456789abcdef0123456789abcdef"

// assertForgotten fails for each form of the person's identifiers that
// text holds.
func (p person) assertForgotten(t *testing.T, what, text string) {
	t.Helper()
	for name, v := range p.forms() {
		if v != "" && strings.Contains(text, v) {
			t.Errorf("%s shows the person's %s (%q)", what, name, v)
		}
	}
}

// TestEraseCitizen is the erasure end to end, on memory and PostgreSQL: a
// citizen logs in through WeChat, binds a phone, verifies, reports with a
// contact, gets a reward paid by WeChat Pay and another one pending,
// follows, me-toos and watches an area, receives notices, has their
// contact revealed to staff and downloads their data; then they delete
// their account. Their token stops working; no public view (plaza,
// Open311, stats), no staff view (reports, queue, exports, access log) and
// no download shows them; their reports and the paid reward's ledger row
// stay under a pseudonym; and on PostgreSQL a pg_dump of the server's
// schema holds none of their identifiers.
func TestEraseCitizen(t *testing.T) { forEachBackend(t, testEraseCitizen) }

func testEraseCitizen(t *testing.T, backend func(*server.Config)) {
	var dbURL string
	e := startWeChat(t, func(c *server.Config) { backend(c); dbURL = c.DatabaseURL })
	ctx := context.Background()
	staff := func(id string) string {
		tok, err := e.srv.Token(id)
		require.NoError(t, err)
		return tok
	}
	p := person{phone: "13912345678", name: "欧阳静思", residentID: withCheck("11010519491231002"),
		openID: "o-erase-openid-7f3a", unionID: "u-erase-unionid-9c2b"}

	// A WeChat login, a phone, a real name.
	e.wx.user("erase-login", p.openID, p.unionID)
	citizen, userID := token(t, e.wxLogin("erase-login"))
	p.userID = userID
	e.wx.phoneCode("erase-phone", p.phone)
	r := e.do("POST", "/api/v1/me/phone/wechat", citizen, map[string]string{"code": "erase-phone"})
	require.Equal(t, http.StatusOK, r.status, "bind phone: %s", r.body)
	r = e.do("POST", "/api/v1/me/verify", citizen, map[string]string{"name": p.name, "resident_id": p.residentID})
	require.Equal(t, http.StatusOK, r.status, "verify: %s", r.body)

	// Two reports with the citizen's contact, both closed as valid: one
	// reward is paid, the other stays pending.
	report := func(seed int) map[string]any {
		r := e.do("POST", "/api/v1/reports", citizen, map[string]any{
			"category": "fire", "severity": "general", "description": fmt.Sprintf("楼道堆放杂物 %d", seed),
			"address": fmt.Sprintf("注销测试路%d号", seed), "latitude": 36.40, "longitude": 115.90, "coord_system": "gcj02",
			"photos": []string{e.upload(citizen, pngPhoto(t, seed))}, "contact_name": p.name, "contact_phone": p.phone,
		}, "Idempotency-Key", fmt.Sprintf("erase-key-%d", seed))
		require.Equal(t, http.StatusCreated, r.status, "submit: %s", r.body)
		v := r.obj(t)
		id := v["id"].(string)
		v = e.act(staff("dispatcher-1"), id, "dispatch", map[string]any{"expected_version": version(v), "department": "fire"})
		// Staff need the contact: the reveal is logged.
		r = e.do("POST", "/api/v1/reports/"+id+"/contact", staff("fire-1"), map[string]any{"reason": "回访举报人"})
		require.Equal(t, http.StatusOK, r.status, "reveal: %s", r.body)
		v = e.act(staff("fire-1"), id, "accept", map[string]any{"expected_version": version(v)})
		v = e.act(staff("fire-1"), id, "resolve", map[string]any{"expected_version": version(v), "note": "已清理",
			"photos": []string{e.upload(staff("fire-1"), pngPhoto(t, seed+1000))}})
		v = e.act(staff("reviewer-1"), id, "approve", map[string]any{"expected_version": version(v), "verdict": "整改到位"})
		require.Equal(t, "closed_valid", v["state"])
		return v
	}
	paidReport, pendingReport := report(901), report(902)
	paidRef, pendingRef := paidReport["ref"].(string), pendingReport["ref"].(string)
	paidID := e.pendingReward(citizen, paidRef)
	pendingID := e.pendingReward(citizen, pendingRef)
	c := e.claim(citizen, paidID)
	require.Equal(t, "claiming", c.State)
	bill := e.lastBill()
	require.Equal(t, p.openID, bill.OpenID, "paid to the openid")
	require.NoError(t, e.pay.Confirm(bill.OutBillNo))
	st, err := e.pay.Notify(ctx, e.client, bill.OutBillNo)
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, st)
	require.Equal(t, "claimed", e.status(citizen, paidID))

	// Another citizen's public report: followed and me-tooed; an area
	// watched; a photo uploaded and never used.
	other := e.phoneLogin("13600000042")
	ov := e.submit(other, []string{e.upload(other, pngPhoto(t, 903))})
	e.act(staff("dispatcher-1"), ov["id"].(string), "dispatch", map[string]any{"expected_version": version(ov), "department": "fire"})
	otherRef := ov["ref"].(string)
	require.Equal(t, http.StatusOK, e.do("POST", "/api/v1/plaza/"+otherRef+"/metoo", citizen, nil).status, "me too")
	r = e.do("POST", "/api/v1/me/areas", citizen, map[string]any{"center": map[string]any{"lat": 36.40, "lng": 115.90, "system": "gcj02"}, "radius_meters": 800})
	require.Equal(t, http.StatusCreated, r.status, "watch: %s", r.body)
	e.upload(citizen, pngPhoto(t, 904))
	require.NoError(t, e.srv.Drain(ctx))
	// The citizen's data, downloaded (and logged).
	r = e.do("GET", "/api/v1/me/data", citizen, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, string(r.body), p.phone, "the download before the erasure holds the phone")
	require.Contains(t, string(r.body), `"notices":[{`, "notices were sent to the citizen")

	// Before the erasure, the database names the person: the scan below
	// finds what it looks for.
	if dbURL != "" {
		dump := pgDump(t, dbURL)
		forms := p.forms()
		for _, name := range []string{"user ID", "phone", "name", "openid", "unionid", "resident ID hash"} {
			require.Contains(t, dump, forms[name], "the dump before the erasure holds the %s", name)
		}
	}

	// A claim in flight refuses the erasure; a wrong confirmation too.
	r = e.do("POST", "/api/v1/me/erase", citizen, map[string]string{"confirm": "yes"})
	assert.Equal(t, http.StatusBadRequest, r.status, "a wrong confirmation: %s", r.body)
	c = e.claim(citizen, pendingID)
	require.Equal(t, "claiming", c.State, "a transfer waiting for the citizen")
	r = e.do("POST", "/api/v1/me/erase", citizen, map[string]string{"confirm": "删除"})
	require.Equal(t, http.StatusConflict, r.status, "erasure during a payout: %s", r.body)
	// The citizen does not confirm the transfer: it is cancelled, the
	// reward is pending again.
	require.NoError(t, e.pay.Expire(e.lastBill().OutBillNo))
	st, err = e.pay.Notify(ctx, e.client, e.lastBill().OutBillNo)
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, st)
	require.Equal(t, "pending", e.status(citizen, pendingID))

	// The erasure.
	r = e.do("POST", "/api/v1/me/erase", citizen, map[string]string{"confirm": "删除"})
	require.Equal(t, http.StatusOK, r.status, "erase: %s", r.body)
	var receipt hazard.ErasureReceipt
	r.json(t, &receipt)
	require.True(t, receipt.Done, "the receipt: %s", r.body)
	require.True(t, hazard.IsPseudonym(receipt.Pseudonym), "the pseudonym %q", receipt.Pseudonym)
	require.NoError(t, e.srv.Drain(ctx))

	r = e.do("GET", "/api/v1/me", citizen, nil)
	assert.Equal(t, http.StatusUnauthorized, r.status, "the token no longer works: %s", r.body)
	r = e.do("POST", "/api/v1/me/erase", citizen, map[string]string{"confirm": "删除"})
	assert.Equal(t, http.StatusUnauthorized, r.status, "erasing again with the old token")

	// Every view, read by everyone who may.
	views := map[string]string{}
	read := func(what, path, token string) string {
		t.Helper()
		r := e.do("GET", path, token, nil)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", what, r.body)
		views[what] = string(r.body)
		return string(r.body)
	}
	for _, ref := range []string{paidRef, pendingRef, otherRef} {
		read("plaza "+ref, "/api/v1/plaza/"+ref, "")
		read("Open311 "+ref, "/open311/v2/requests/"+ref+".json", "")
	}
	read("plaza", "/api/v1/plaza?limit=100", "")
	read("Open311 requests", "/open311/v2/requests.json", "")
	read("stats", "/api/v1/stats", "")
	read("stats as staff", "/api/v1/stats", staff("reviewer-1"))
	read("nearby", "/api/v1/nearby?category=fire&lat=36.40&lng=115.90&coord_system=gcj02&radius=2000", "")
	for _, v := range []map[string]any{paidReport, pendingReport} {
		id := v["id"].(string)
		for _, who := range []string{"dispatcher-1", "fire-1", "reviewer-1", "admin-1"} {
			body := read("staff view as "+who, "/api/v1/reports/"+id, staff(who))
			assert.NotContains(t, body, `"contact_on_file":true`, "no contact left on file")
		}
		r := e.do("POST", "/api/v1/reports/"+id+"/contact", staff("fire-1"), map[string]any{"reason": "再次回访"})
		require.Equal(t, http.StatusOK, r.status, "reveal after the erasure: %s", r.body)
		views["contact revealed after the erasure"] = string(r.body)
	}
	read("queue", "/api/v1/queue?limit=100", staff("fire-1"))
	day := e.clock.Now().UTC().Format(time.DateOnly)
	next := e.clock.Now().UTC().Add(24 * time.Hour).Format(time.DateOnly)
	read("reports export", "/api/v1/exports/reports?department=fire&since="+day+"&until="+next, staff("fire-1"))
	rewards := read("rewards export", "/api/v1/exports/rewards?since="+day+"&until="+next, staff("reviewer-1"))
	log := read("access log", "/api/v1/access-log", staff("auditor-1"))
	for what, body := range views {
		p.assertForgotten(t, what, body)
	}

	// What stays: the reports, and finance's rows under the pseudonym.
	assert.Contains(t, views["plaza "+paidRef], paidRef, "the report stays on the plaza")
	assert.Contains(t, rewards, receipt.Pseudonym, "the rewards export names the pseudonym")
	assert.Contains(t, rewards, paidID, "the paid reward's row stays")
	for _, line := range strings.Split(rewards, "\n") {
		switch {
		case strings.HasPrefix(line, paidID):
			assert.Contains(t, line, ",claimed,", "the paid reward: %s", line)
			assert.Regexp(t, `,claimed,.*,[^,]+$`, strings.TrimSpace(line), "its payment reference")
		case strings.HasPrefix(line, pendingID):
			assert.Contains(t, line, ",expired,", "the pending reward is forfeited: %s", line)
		}
	}
	assert.Contains(t, log, `"type":"erasure_begun"`, "the access log: the erasure began")
	assert.Contains(t, log, `"type":"erased"`, "the access log: the erasure ended")
	assert.Contains(t, log, receipt.Pseudonym, "the access log names the pseudonym")

	// On PostgreSQL, nothing in the database names the person.
	if dbURL != "" {
		dump := pgDump(t, dbURL)
		require.Contains(t, dump, receipt.Pseudonym, "the dump holds the pseudonym (so it holds the tables)")
		require.Contains(t, dump, paidRef, "the dump holds the reports")
		p.assertForgotten(t, "pg_dump", dump)
	}

	// Logging in through WeChat again makes a new, empty account; the old
	// token stays refused.
	e.wx.user("erase-login-again", p.openID, p.unionID)
	again, newID := token(t, e.wxLogin("erase-login-again"))
	assert.NotEqual(t, p.userID, newID, "a new account has a new ID")
	r = e.do("GET", "/api/v1/me/reports", again, nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.NotContains(t, string(r.body), paidRef, "the new account has none of the erased one's reports")
	r = e.do("GET", "/api/v1/me/rewards", again, nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.NotContains(t, string(r.body), paidID, "nor its rewards")
	assert.Equal(t, http.StatusUnauthorized, e.do("GET", "/api/v1/me", citizen, nil).status, "the old token")
}

// pgDump dumps the schema of the database URL as text: with pg_dump when
// it is on the PATH, else every table of the schema with COPY ... TO
// STDOUT.
func pgDump(t *testing.T, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	schema := u.Query().Get("search_path")
	require.NotEmpty(t, schema, "the test URL names its schema")
	path, err := exec.LookPath("pg_dump")
	if err != nil {
		t.Logf("no pg_dump (%v): dumping the tables with COPY", err)
		return copyDump(t, dbURL, schema)
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	args := []string{"-h", u.Hostname(), "-p", port, "-n", schema, "--no-owner"}
	if user := u.User.Username(); user != "" {
		args = append(args, "-U", user)
	}
	cmd := exec.Command(path, append(args, strings.TrimPrefix(u.Path, "/"))...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	if pw, ok := u.User.Password(); ok {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+pw)
	}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "pg_dump: %s", out)
	return string(out)
}

// copyDump writes every table of the schema with COPY ... TO STDOUT.
func copyDump(t *testing.T, dbURL, schema string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`, schema)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	var out strings.Builder
	for _, tb := range tables {
		fmt.Fprintf(&out, "-- %s\n", tb)
		_, err := conn.PgConn().CopyTo(ctx, &out, "COPY "+pgx.Identifier{schema, tb}.Sanitize()+" TO STDOUT")
		require.NoError(t, err, "COPY %s", tb)
	}
	return out.String()
}

// TestEraseRefusals: the demo accounts stay in demo mode (403), staff have
// no erasure route (403), a confirmation is required (400 on the field
// confirm), and a citizen who logged in with a phone may erase their
// account, which a new login with the phone does not bring back.
func TestEraseRefusals(t *testing.T) {
	s := startServer(t)
	r := s.do("POST", "/api/v1/me/erase", s.login("citizen-1"), map[string]string{"confirm": "删除"})
	assert.Equal(t, http.StatusForbidden, r.status, "a demo account: %s", r.body)
	r = s.do("POST", "/api/v1/me/erase", s.login("dispatcher-1"), map[string]string{"confirm": "删除"})
	assert.Equal(t, http.StatusForbidden, r.status, "staff: %s", r.body)
	citizen := s.phoneLogin("13700001111")
	r = s.do("POST", "/api/v1/me/erase", citizen, map[string]string{})
	require.Equal(t, http.StatusBadRequest, r.status, "no confirmation: %s", r.body)
	var e struct {
		Error struct{ Field string } `json:"error"`
	}
	r.json(t, &e)
	assert.Equal(t, "confirm", e.Error.Field)
	me := s.do("GET", "/api/v1/me", citizen, nil).obj(t)
	r = s.do("POST", "/api/v1/me/erase", citizen, map[string]string{"confirm": "delete"})
	require.Equal(t, http.StatusOK, r.status, "erase: %s", r.body)
	assert.Equal(t, http.StatusUnauthorized, s.do("GET", "/api/v1/me", citizen, nil).status, "the token after the erasure")
	again := s.phoneLogin("13700001111")
	assert.NotEqual(t, me["id"], s.do("GET", "/api/v1/me", again, nil).obj(t)["id"], "a new login makes a new account")
}
