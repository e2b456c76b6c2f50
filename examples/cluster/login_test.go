package cluster_test

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// codePattern finds a login code a demo server logs, by masked phone.
var codePattern = regexp.MustCompile(`msg="demo mode: login code[^"]*" phone=(\S+) code=([0-9]{6})`)

// codeWait bounds the wait for a login code in a process's log.
const codeWait = 5 * time.Second

// sendCode asks the process p for a login code for the phone and returns
// it, read from p's log (a demo server logs it).
func sendCode(t *testing.T, c *client, p *proc, phone string) string {
	t.Helper()
	r := c.do("POST", p.base+"/api/v1/auth/code", "", map[string]string{"phone": phone})
	require.Equal(t, http.StatusAccepted, r.status, "code for %s on %s: %s", phone, p.name, r.body)
	masked := phone[:3] + "****" + phone[7:]
	var code string
	require.Eventually(t, func() bool {
		for _, l := range p.log() {
			if m := codePattern.FindStringSubmatch(l); m != nil && m[1] == masked {
				code = m[2]
			}
		}
		return code != ""
	}, codeWait, pollInterval, "the login code for %s in %s's log", masked, p.name)
	return code
}

// login logs in on p with the phone and code and returns the token and
// the account ID.
func login(t *testing.T, c *client, p *proc, phone, code string) (string, string) {
	t.Helper()
	r := c.do("POST", p.base+"/api/v1/auth/login", "", map[string]string{"phone": phone, "code": code})
	require.Equal(t, http.StatusOK, r.status, "login %s on %s: %s", phone, p.name, r.body)
	var tr struct {
		Token string `json:"token"`
		User  struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	require.True(t, r.decode(t, &tr))
	return tr.Token, tr.User.ID
}

// TestCitizenAcrossProcesses follows one citizen whose every request goes
// to another process, as behind a load balancer: the login code sent by A
// is checked by B (and the other way round), the account verified on B is
// verified on A, an upload made through A is used in a report submitted
// through B and served by both, the reward the relays issue is claimed
// through B and seen through A, and an article published on A is read on
// B. Nothing is per process: a code is good once whichever process checks
// it.
func TestCitizenAcrossProcesses(t *testing.T) {
	url, db := testDatabase(t)
	serverBinary(t)
	a := prepareProc(t, "A", url, nil)
	b := prepareProc(t, "B", url, nil)
	a.waitReady(t)
	b.waitReady(t)
	c := newClient(t)

	// A code sent by A is checked by B, once; and the other way round.
	const x, y = "13900000011", "13900000012"
	code := sendCode(t, c, a, x)
	xTok, xID := login(t, c, b, x, code)
	r := c.do("POST", a.base+"/api/v1/auth/login", "", map[string]string{"phone": x, "code": code})
	assert.Equal(t, http.StatusUnauthorized, r.status, "the code again on A after B took it: %s", r.body)
	r = c.do("POST", a.base+"/api/v1/auth/code", "", map[string]string{"phone": x})
	assert.Equal(t, http.StatusTooManyRequests, r.status, "a second code on A a second after B's: the rate limit is shared: %s", r.body)
	_, yID := login(t, c, a, y, sendCode(t, c, b, y))
	require.NotEqual(t, xID, yID, "two phones, two accounts")

	// B's token works on A at once: one account, one ID.
	r = c.do("GET", a.base+"/api/v1/me", xTok, nil)
	require.Equal(t, http.StatusOK, r.status, "x's token from B on A: %s", r.body)
	var me struct {
		ID       string `json:"id"`
		Phone    string `json:"phone"`
		Verified bool   `json:"verified"`
	}
	require.True(t, r.decode(t, &me))
	assert.Equal(t, xID, me.ID)
	assert.Equal(t, "139****0011", me.Phone)
	assert.False(t, me.Verified)

	// Verified on B, verified on A; the ID number is then bound for both.
	r = c.do("POST", b.base+"/api/v1/me/verify", xTok, map[string]string{"name": "赵六", "resident_id": residentID("11010119900101234")})
	require.Equal(t, http.StatusOK, r.status, "verify on B: %s", r.body)
	r = c.do("GET", a.base+"/api/v1/me", xTok, nil)
	require.True(t, r.decode(t, &me))
	assert.True(t, me.Verified, "verified on B, seen on A")

	// An upload through A, a report through B.
	key := c.upload(a.base, xTok, pngPhoto(424242))
	require.NotEmpty(t, key)
	v, ok := c.submitWith(b.base, xTok, 4242, 35, 113, []string{key})
	require.True(t, ok)
	for _, p := range []*proc{a, b} {
		r := c.do("GET", p.base+"/photos/"+key, xTok, nil)
		assert.Equal(t, http.StatusOK, r.status, "the reporter's photo on %s: %s", p.name, r.body)
		assert.Equal(t, pngPhoto(424242), r.body, "the photo's bytes on %s", p.name)
	}

	// Staff take it through the loop on both; the reward is the verified
	// reporter's, claimed through B, seen claimed through A.
	tokens := map[string]string{}
	for i, u := range []string{"dispatcher-1", "fire-1", "gas-1", "reviewer-1"} {
		tokens[u] = c.login([]*proc{a, b}[i%2].base, u)
	}
	tr := &trail{id: uuid.MustParse(v.ID), reporter: xID}
	drive(t, c, [2]*proc{a, b}, tokens, 0, tr)
	require.False(t, t.Failed(), "driving the loop")
	settle(t, db)
	r = c.do("GET", b.base+"/api/v1/me/rewards?status=pending", xTok, nil)
	require.Equal(t, http.StatusOK, r.status, "x's rewards on B: %s", r.body)
	var rewards struct {
		Items []struct {
			ID       string `json:"id"`
			HazardID string `json:"hazard_id"`
			Status   string `json:"status"`
		} `json:"items"`
	}
	require.True(t, r.decode(t, &rewards))
	require.Len(t, rewards.Items, 1, "x's pending rewards: the relay knew the reporter and saw them verified")
	assert.Equal(t, v.ID, rewards.Items[0].HazardID)
	r = c.do("POST", b.base+"/api/v1/me/rewards/"+rewards.Items[0].ID+"/claim", xTok, nil)
	require.Equal(t, http.StatusOK, r.status, "claim on B: %s", r.body)
	r = c.do("GET", a.base+"/api/v1/me/rewards?status=claimed", xTok, nil)
	require.True(t, r.decode(t, &rewards))
	require.Len(t, rewards.Items, 1, "x's claimed rewards on A")
	settle(t, db)

	// An article published on A is read on B.
	admin := c.login(a.base, "admin-1")
	r = c.do("POST", a.base+"/api/v1/articles", admin, map[string]string{"kind": "knowledge", "title": "集群测试：冬季用火安全", "body": "离家前关闭火源。"})
	require.Equal(t, http.StatusCreated, r.status, "create on A: %s", r.body)
	var art struct {
		ID      string `json:"id"`
		Version int64  `json:"version"`
	}
	require.True(t, r.decode(t, &art))
	r = c.do("GET", b.base+"/api/v1/articles/"+art.ID, "", nil)
	assert.Equal(t, http.StatusNotFound, r.status, "a draft on B, for the public: %s", r.body)
	r = c.do("POST", a.base+"/api/v1/articles/"+art.ID+"/publish", admin, nil)
	require.Equal(t, http.StatusOK, r.status, "publish on A: %s", r.body)
	require.True(t, r.decode(t, &art))
	r = c.do("GET", b.base+"/api/v1/articles/"+art.ID, "", nil)
	assert.Equal(t, http.StatusOK, r.status, "published on A, read on B: %s", r.body)
	// A stale update through B is refused with the version A made.
	r = c.do("PUT", b.base+"/api/v1/articles/"+art.ID, c.login(b.base, "admin-1"),
		map[string]any{"kind": "knowledge", "title": "旧版本", "body": "x", "expected_version": art.Version - 1})
	var e apiError
	require.True(t, r.decode(t, &e))
	assert.Equal(t, http.StatusConflict, r.status, "a stale update on B: %s", r.body)
	assert.Equal(t, art.Version, e.Error.Version, "the conflict names the version A wrote")

	a.stop(t)
	b.stop(t)
	requireCleanLogs(t, a, b)
}
