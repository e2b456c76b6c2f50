package cluster_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Sizes of TestTwoProcesses.
const (
	// reportsPerCitizen is how many reports each demo citizen submits:
	// within the daily submission limit with the demo's own reports, and
	// more than the reward cap.
	reportsPerCitizen = 8
	// maxDrivers bounds the reports driven through the loop at once.
	maxDrivers = 12
)

// citizens are the demo citizens; the test verifies citizen-2 (on one
// process: users are shared), so all three earn rewards.
var citizens = []string{"citizen-1", "citizen-2", "citizen-3"}

// residentID returns a well-formed resident ID number (ISO 7064 MOD 11-2
// check character) for the first 17 digits.
func residentID(first17 string) string {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(first17[i]-'0') * weights[i]
	}
	return first17 + string("10X98765432"[sum%11])
}

// pair sends two requests at once and returns their answers.
func pair(a, b func() reply) (reply, reply) {
	var ra, rb reply
	start := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); <-start; ra = a() }()
	go func() { defer wg.Done(); <-start; rb = b() }()
	close(start)
	wg.Wait()
	return ra, rb
}

// race settles two conflicting actions sent at once to two processes with
// the same expected version: exactly one must win and the other must be
// told 409 conflict with the winner's version. It returns which won (0 or
// 1) and the winner's view, or -1 after reporting an error.
func race(t *testing.T, ref string, expected int64, a, b func() reply) (int, view) {
	ra, rb := pair(a, b)
	rs := [2]reply{ra, rb}
	won := -1
	for i, r := range rs {
		if r.status == http.StatusOK {
			if won >= 0 {
				t.Errorf("%s: both concurrent actions at version %d succeeded: a lost update", ref, expected)
				return -1, view{}
			}
			won = i
		}
	}
	if won < 0 {
		t.Errorf("%s: neither concurrent action succeeded: %d %s / %d %s", ref, ra.status, ra.body, rb.status, rb.body)
		return -1, view{}
	}
	var v view
	if !rs[won].decode(t, &v) {
		return -1, view{}
	}
	lost := rs[1-won]
	var e apiError
	if lost.status != http.StatusConflict || !lost.decode(t, &e) {
		t.Errorf("%s: the losing action: want 409, got %d %s", ref, lost.status, lost.body)
		return -1, view{}
	}
	if e.Error.Code != "conflict" || e.Error.Version != v.Version {
		t.Errorf("%s: the losing action: want conflict at the current version %d, got %+v", ref, v.Version, e.Error)
		return -1, view{}
	}
	return won, v
}

// TestTwoProcesses runs two example-server processes on one database and
// drives concurrent traffic through both: citizens submit through both,
// staff take every report through the loop alternating processes, and
// conflicting actions on the same report go to both processes at once.
func TestTwoProcesses(t *testing.T) {
	url, db := testDatabase(t)
	started := time.Now()
	serverBinary(t)

	// Both processes start at once: migrations and demo seeding race.
	a := prepareProc(t, "A", url, nil)
	b := prepareProc(t, "B", url, nil)
	a.waitReady(t)
	b.waitReady(t)
	procs := [2]*proc{a, b}
	c := newClient(t)

	// Tokens come from either process and work on both: one secret.
	tokens := map[string]string{}
	for i, u := range append(append([]string(nil), citizens...), "dispatcher-1", "fire-1", "gas-1", "reviewer-1") {
		tokens[u] = c.login(procs[i%2].base, u)
	}
	for u, tok := range tokens {
		for _, p := range procs {
			r := c.do("GET", p.base+"/api/v1/me", tok, nil)
			require.Equal(t, http.StatusOK, r.status, "%s's token on %s: %s", u, p.name, r.body)
		}
	}
	// Users are shared: citizen-2 verifies on B, and A knows it at once.
	r := c.do("POST", b.base+"/api/v1/me/verify", tokens["citizen-2"],
		map[string]string{"name": "王五", "resident_id": residentID("11010119850101123")})
	require.Equal(t, http.StatusOK, r.status, "verify on B: %s", r.body)
	r = c.do("GET", a.base+"/api/v1/me", tokens["citizen-2"], nil)
	require.Equal(t, http.StatusOK, r.status, "citizen-2 on A: %s", r.body)
	var me struct {
		Verified bool `json:"verified"`
	}
	require.True(t, r.decode(t, &me))
	require.True(t, me.Verified, "citizen-2 verified on B is verified on A")

	// Citizens submit at once, each alternating processes. Reports are
	// 1.1 km apart: none is a duplicate of another.
	trails := make([]*trail, len(citizens)*reportsPerCitizen)
	var wg sync.WaitGroup
	for ci, cit := range citizens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range reportsPerCitizen {
				n := ci*reportsPerCitizen + j
				v, ok := c.submit(procs[n%2].base, tokens[cit], n, 30+float64(n)*0.01, 110)
				if !ok {
					return
				}
				if v.Version != 1 || v.State != "submitted" {
					t.Errorf("report %d: submitted as %+v", n, v)
					return
				}
				trails[n] = &trail{id: uuid.MustParse(v.ID), reporter: cit}
			}
		}()
	}
	wg.Wait()
	require.False(t, t.Failed(), "submitting")

	// Staff drive every report through the loop, maxDrivers at a time.
	sem := make(chan struct{}, maxDrivers)
	for n, tr := range trails {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			drive(t, c, procs, tokens, n, tr)
		}()
	}
	wg.Wait()
	require.False(t, t.Failed(), "driving the loop")

	settle(t, db)

	// The ledger is one: both processes list the same rewards.
	for _, cit := range citizens {
		var ids [2][]string
		for i, p := range procs {
			r := c.do("GET", p.base+"/api/v1/me/rewards?limit=100", tokens[cit], nil)
			require.Equal(t, http.StatusOK, r.status, "%s's rewards on %s: %s", cit, p.name, r.body)
			var l struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
			}
			require.True(t, r.decode(t, &l))
			for _, it := range l.Items {
				ids[i] = append(ids[i], it.ID)
			}
		}
		assert.Equal(t, ids[0], ids[1], "%s's rewards on A and on B", cit)
		// Each citizen claims one reward through B, whichever process's
		// relay issued it.
		require.NotEmpty(t, ids[1], "%s's rewards", cit)
		r := c.do("POST", b.base+"/api/v1/me/rewards/"+ids[1][0]+"/claim", tokens[cit], nil)
		require.Equal(t, http.StatusOK, r.status, "%s claims on B: %s", cit, r.body)
	}
	last := settle(t, db)
	// The programme's figures are the shared state's: the same on both.
	var figs [2]programme
	for i, p := range procs {
		figs[i] = programmeFigures(t, c, p)
	}
	assert.Equal(t, figs[0], figs[1], "programme figures on A and on B")
	assert.Equal(t, len(citizens), figs[0].RewardsPaid, "rewards paid")

	a.stop(t)
	b.stop(t)
	requireCleanLogs(t, a, b)
	require.Equal(t, last, lastSeq(t, db), "events written after the relays settled")

	events := checkLog(t, db.Hazards(), trails)
	checkDelivered(t, db.Hazards(), last)

	// Every notification planned for every event was sent exactly once,
	// by one process or the other, and nothing else was sent.
	want := expectedNotices(t, db.Hazards(), events)
	got := countNotices(a, b)
	require.NotEmpty(t, want)
	for k := range want {
		assert.Equal(t, 1, got[k], "notification %s", k)
	}
	for k, n := range got {
		assert.True(t, want[k], "notification %s (sent %d times) was not called for", k, n)
	}
	fromA, fromB := len(notices(a.log())), len(notices(b.log()))
	t.Logf("%d events; %d notifications (%d by A, %d by B)", last, len(want), fromA, fromB)

	n := checkRewards(t, db, events, citizens, started)
	t.Logf("%d rewards", n)
}

// drive takes report n through the loop: a dispatch to two departments at
// once through both processes, acceptance and resolution by the winning
// department's handler, then an approval and a return at once through both
// processes (after a return, a second resolution and the approval), and
// finally a stale approval that must be refused.
func drive(t *testing.T, c *client, procs [2]*proc, tokens map[string]string, n int, tr *trail) {
	x, y := procs[n%2], procs[1-n%2]
	id := tr.id.String()
	ref := fmt.Sprintf("report %d", n)
	act := func(p *proc, user, action string, body map[string]any) func() reply {
		return func() reply { return c.act(p.base, tokens[user], id, action, body) }
	}
	must := func(p *proc, user, action string, body map[string]any) (view, bool) {
		r := act(p, user, action, body)()
		var v view
		if r.status != http.StatusOK || !r.decode(t, &v) {
			t.Errorf("%s: %s by %s on %s: %d %s", ref, action, user, p.name, r.status, r.body)
			return view{}, false
		}
		tr.ok(action, v.Version)
		return v, true
	}
	resolve := func(p *proc, handler string, version int64) (view, bool) {
		photo := c.upload(p.base, tokens[handler], pngPhoto(100000+n*10+int(version)))
		if photo == "" {
			return view{}, false
		}
		return must(p, handler, "resolve", map[string]any{"expected_version": version, "note": "已整改", "photos": []string{photo}})
	}

	depts := [2]string{"fire", "gas"}
	won, v := race(t, ref, 1,
		act(x, "dispatcher-1", "dispatch", map[string]any{"expected_version": 1, "department": depts[0], "note": "转办"}),
		act(y, "dispatcher-1", "dispatch", map[string]any{"expected_version": 1, "department": depts[1], "note": "转办"}))
	if won < 0 {
		return
	}
	tr.ok("dispatch", v.Version)
	handler := depts[won] + "-1"
	v, ok := must(y, handler, "accept", map[string]any{"expected_version": v.Version})
	if !ok {
		return
	}
	if v, ok = resolve(x, handler, v.Version); !ok {
		return
	}
	won, v = race(t, ref, v.Version,
		act(y, "reviewer-1", "approve", map[string]any{"expected_version": v.Version, "verdict": "整改到位"}),
		act(x, "reviewer-1", "return", map[string]any{"expected_version": v.Version, "note": "请重新整改"}))
	switch won {
	case -1:
		return
	case 0:
		tr.ok("approve", v.Version)
	case 1:
		tr.ok("return", v.Version)
		if v, ok = resolve(y, handler, v.Version); !ok {
			return
		}
		if v, ok = must(x, "reviewer-1", "approve", map[string]any{"expected_version": v.Version, "verdict": "整改到位"}); !ok {
			return
		}
	}
	if v.State != stateClosedValid {
		t.Errorf("%s: ended in %s", ref, v.State)
		return
	}
	// A client that missed the approval retries with its old version.
	r := act(y, "reviewer-1", "approve", map[string]any{"expected_version": v.Version - 1, "verdict": "整改到位"})()
	var e apiError
	if r.status != http.StatusConflict || !r.decode(t, &e) || e.Error.Version != v.Version {
		t.Errorf("%s: a stale approval: want 409 at version %d, got %d %s", ref, v.Version, r.status, r.body)
	}
}

// programme is the public programme section of /api/v1/stats.
type programme struct {
	Citizens      int   `json:"citizens"`
	Reports       int   `json:"reports"`
	RewardsIssued int   `json:"rewards_issued"`
	RewardsPaid   int   `json:"rewards_paid"`
	PaidFen       int64 `json:"rewards_paid_fen"`
}

// programmeFigures reads the programme figures from the process.
func programmeFigures(t *testing.T, c *client, p *proc) programme {
	t.Helper()
	r := c.do("GET", p.base+"/api/v1/stats", "", nil)
	require.Equal(t, http.StatusOK, r.status, "stats on %s: %s", p.name, r.body)
	var st struct {
		Programme programme `json:"programme"`
	}
	require.True(t, r.decode(t, &st))
	return st.Programme
}
