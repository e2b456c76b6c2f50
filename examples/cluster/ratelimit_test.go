package cluster_test

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRateLimitAcrossProcesses: one citizen fires twelve reports at two
// processes at once; with a limit of three a day, exactly three are
// accepted, whichever process takes them (the store counts and inserts in
// one step under a lock on the reporter).
func TestRateLimitAcrossProcesses(t *testing.T) {
	url, _ := testDatabase(t)
	serverBinary(t)
	const limit, tries = 3, 12
	a := prepareProc(t, "A", url, nil, "-submits-per-day", fmt.Sprint(limit))
	b := prepareProc(t, "B", url, nil, "-submits-per-day", fmt.Sprint(limit))
	a.waitReady(t)
	b.waitReady(t)
	c := newClient(t)
	const phone = "13900000031"
	tok, _ := login(t, c, a, phone, sendCode(t, c, a, phone))

	procs := []*proc{a, b}
	keys := make([]string, tries)
	for i := range keys {
		keys[i] = c.upload(procs[i%2].base, tok, pngPhoto(1000+i))
		require.NotEmpty(t, keys[i], "upload %d", i)
	}
	statuses := make([]int, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := map[string]any{
				"category": "fire", "severity": "general",
				"description": fmt.Sprintf("限流测试：%d号楼道堆放杂物", i),
				"address":     fmt.Sprintf("限流测试路%d号", i), "latitude": 36.40 + float64(i)/100, "longitude": 115.90, "coord_system": "GCJ02",
				"photos": []string{keys[i]},
			}
			statuses[i] = c.do("POST", procs[i%2].base+"/api/v1/reports", tok, body).status
		}()
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	assert.Equal(t, map[int]int{http.StatusCreated: limit, http.StatusTooManyRequests: tries - limit}, count,
		"statuses of %d racing submissions over two processes", tries)
}

// TestLoginCodeLimitAcrossProcesses: twenty requests for a login code for
// one phone race over two processes; the resend limit (one a minute) is
// the rate limiter's on the shared database, so exactly one is sent,
// whichever process takes it, and every other answer is 429 with the wait.
func TestLoginCodeLimitAcrossProcesses(t *testing.T) {
	url, _ := testDatabase(t)
	serverBinary(t)
	const tries = 20
	a := prepareProc(t, "A", url, nil)
	b := prepareProc(t, "B", url, nil)
	a.waitReady(t)
	b.waitReady(t)
	c := newClient(t)
	procs := []*proc{a, b}
	replies := make([]reply, tries)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			replies[i] = c.do("POST", procs[i%2].base+"/api/v1/auth/code", "", map[string]string{"phone": "13900000032"})
		}()
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for i, r := range replies {
		count[r.status]++
		if r.status != http.StatusTooManyRequests {
			continue
		}
		var e apiError
		if r.decode(t, &e) {
			assert.Equal(t, "rate_limited", e.Error.Code, "reply %d from %s", i, procs[i%2].name)
		}
		wait, err := strconv.Atoi(r.header.Get("Retry-After"))
		if assert.NoError(t, err, "reply %d: Retry-After %q", i, r.header.Get("Retry-After")) {
			assert.True(t, wait >= 1 && wait <= 60, "reply %d: Retry-After %ds is within the resend interval", i, wait)
		}
	}
	assert.Equal(t, map[int]int{http.StatusAccepted: 1, http.StatusTooManyRequests: tries - 1}, count,
		"statuses of %d racing code requests for one phone over two processes", tries)
	a.stop(t)
	b.stop(t)
	requireCleanLogs(t, a, b)
}
