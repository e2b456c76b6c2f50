package cluster_test

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// codePattern finds a login code a demo server logs, by masked phone.
var codePattern = regexp.MustCompile(`msg="demo mode: login code[^"]*" phone=(\S+) code=([0-9]{6})`)

// codeWait bounds the wait for a login code in a process's log.
const codeWait = 5 * time.Second

// phoneLogin logs in with a phone on the process, reading the one-time
// code from its log (a demo server logs it), and returns the token and the
// account ID.
func phoneLogin(t *testing.T, c *client, p *proc, phone string) (string, string) {
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
	r = c.do("POST", p.base+"/api/v1/auth/login", "", map[string]string{"phone": phone, "code": code})
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

// TestPhoneLoginAcrossProcesses checks that citizens who log in by phone on
// different processes sharing the token secret never share an identity: a
// token names the same person on every process, or is refused where that
// person is unknown.
func TestPhoneLoginAcrossProcesses(t *testing.T) {
	url, _ := testDatabase(t)
	serverBinary(t)
	a := prepareProc(t, "A", url, nil)
	b := prepareProc(t, "B", url, nil)
	a.waitReady(t)
	b.waitReady(t)
	c := newClient(t)

	const x, y = "13900000011", "13900000012"
	xTok, xID := phoneLogin(t, c, a, x)
	_, yID := phoneLogin(t, c, b, y)
	require.NotEqual(t, xID, yID, "two phones, one on each process")

	// x is unknown on B: x's token must not act there as anyone.
	r := c.do("GET", b.base+"/api/v1/me", xTok, nil)
	assert.Equal(t, http.StatusUnauthorized, r.status, "x's token on B, where only y logged in: %s", r.body)

	// Once x logged in on B too, B knows x by the same ID.
	_, xOnB := phoneLogin(t, c, b, x)
	assert.Equal(t, xID, xOnB, "one phone, one ID on every process")
	r = c.do("GET", b.base+"/api/v1/me", xTok, nil)
	require.Equal(t, http.StatusOK, r.status, "x's token from A on B: %s", r.body)
	var me struct {
		ID    string `json:"id"`
		Phone string `json:"phone"`
	}
	require.True(t, r.decode(t, &me))
	assert.Equal(t, xID, me.ID)
	assert.Equal(t, "139****0011", me.Phone)

	a.stop(t)
	b.stop(t)
	requireCleanLogs(t, a, b)
}
