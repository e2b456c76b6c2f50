package cluster_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/pgstore"
	"github.com/hazardloop/hazardloop/relay"
)

// Sizes of TestCrashMidDelivery.
const (
	// backlogPerCitizen is how many reports each demo citizen has taken
	// through the whole loop before any server runs: a backlog of several
	// relay batches.
	backlogPerCitizen = 12
	// killAfter is how far into a relay batch (relay.DefaultBatch
	// events, acknowledged at its end) the process is killed: when it has
	// sent the notifications of the event killAfter past its cursor.
	killAfter = 60
	// maxKills bounds the attempts at killing a process in the middle of a
	// batch (an attempt that lands after the batch was acknowledged is
	// repeated, on the backlog left).
	maxKills = 3
	// liveReports is how many reports are driven through the API after the
	// restart.
	liveReports = 2
)

// backlog takes backlogPerCitizen reports of each citizen through the loop
// (submit, dispatch, accept, resolve, approve) with the library over the
// database, as the API of a server would, while no relay runs.
func backlog(t *testing.T, db *pgstore.DB) []*trail {
	t.Helper()
	ctx := context.Background()
	svc, err := hazard.NewService(hazard.ServiceConfig{Store: db.Hazards(), SubmitsPerDay: -1})
	require.NoError(t, err)
	photo := func(n int) hazard.Photo {
		sum := sha256.Sum256([]byte("cluster backlog " + strconv.Itoa(n)))
		return hazard.Photo{SHA256: hex.EncodeToString(sum[:]), ContentType: hazard.TypePNG, Size: 1000}
	}
	dispatcher := hazard.User{ID: "dispatcher-1", Role: "dispatcher"}
	handler := hazard.User{ID: "fire-1", Role: "handler", Department: "fire"}
	reviewer := hazard.User{ID: "reviewer-1", Role: "reviewer"}
	var trails []*trail
	for j := range backlogPerCitizen {
		for ci, cit := range citizens {
			n := len(trails)
			h, err := svc.Submit(ctx, hazard.User{ID: cit, Role: "reporter", Verified: ci != 1}, hazard.SubmitInput{
				Category: "fire", Severity: hazard.SeverityGeneral, Source: hazard.SourceCitizen,
				Description: fmt.Sprintf("积压测试：%d号仓库消防通道堵塞", n),
				Location: hazard.Location{Address: fmt.Sprintf("积压测试路%d号", n),
					Point: &hazard.Point{Lat: 32 + float64(n)*0.01, Lng: 112, System: hazard.GCJ02}},
				Photos: []hazard.Photo{photo(2 * n)},
			}, fmt.Sprintf("backlog-%d-%d", ci, j))
			require.NoError(t, err)
			tr := &trail{id: h.ID, reporter: cit}
			for _, step := range []struct {
				user   hazard.User
				action string
				in     hazard.ActInput
			}{
				{dispatcher, "dispatch", hazard.ActInput{Department: "fire", Note: "转办"}},
				{handler, "accept", hazard.ActInput{}},
				{handler, "resolve", hazard.ActInput{Note: "已整改", Photos: []hazard.Photo{photo(2*n + 1)}}},
				{reviewer, "approve", hazard.ActInput{Verdict: "整改到位"}},
			} {
				step.in.ExpectedVersion = h.Version
				h, err = svc.Act(ctx, step.user, h.ID, step.action, step.in)
				require.NoError(t, err, "%s of backlog report %d", step.action, n)
				tr.ok(step.action, h.Version)
			}
			trails = append(trails, tr)
		}
	}
	return trails
}

// crash is one process killed in the middle of a relay batch: the notify
// cursor it left, the notifications it sent and those of them the shared
// delivery log recorded.
type crash struct {
	p        *proc
	cursor   int64           // the notify consumer's cursor after the kill
	sent     map[string]int  // notifications it sent, by key
	recorded map[string]bool // keys in the delivery log after the kill
	last     int64           // the highest event sequence it sent for
}

// killMidBatch starts a server process and kills it (SIGKILL) as soon as
// it sent a notification for the event killAfter past the notify cursor,
// in the middle of a relay batch. It returns false when the kill landed
// after the batch was acknowledged (nothing is then in flight).
func killMidBatch(t *testing.T, db *pgstore.DB, url, name string) (crash, bool) {
	t.Helper()
	ctx := context.Background()
	hs := db.Hazards()
	from, err := hs.Cursor(ctx, "notify")
	require.NoError(t, err)
	var once sync.Once
	p := prepareProc(t, name, url, func(p *proc, line string) {
		for _, k := range notices([]string{line}) {
			if noticeSeq(k) >= from+killAfter {
				once.Do(func() { _ = p.cmd.Process.Kill() })
			}
		}
	})
	select {
	case <-p.exited:
	case <-time.After(startTimeout + settleTimeout):
		t.Fatalf("%s was not killed: it sent no notification for event %d:\n%s", name, from+killAfter, p.tail(30))
	}
	c := crash{p: p, sent: map[string]int{}, recorded: map[string]bool{}}
	c.cursor, err = hs.Cursor(ctx, "notify")
	require.NoError(t, err)
	ds, err := db.DeliveryLog().Deliveries(ctx, "", 0)
	require.NoError(t, err)
	for _, d := range ds {
		c.recorded[d.Key] = true
	}
	for _, k := range notices(p.log()) {
		c.sent[k]++
		c.last = max(c.last, noticeSeq(k))
	}
	t.Logf("%s killed: notify cursor %d → %d, notifications sent up to event %d", name, from, c.cursor, c.last)
	return c, c.last > c.cursor
}

// TestCrashMidDelivery kills a server process in the middle of relay
// delivery and starts it again beside a second process: every event is
// still delivered to every consumer, every reward due is issued once, and
// every notification is sent, twice only for the events the killed process
// had sent but not acknowledged.
func TestCrashMidDelivery(t *testing.T) {
	url, db := testDatabase(t)
	started := time.Now()
	serverBinary(t)
	trails := backlog(t, db)

	// Kill until a kill lands in the middle of a batch, while enough of the
	// backlog is left for a kill killAfter events into a batch.
	var crashes []crash
	midBatch := false
	for i := 1; i <= maxKills && !midBatch; i++ {
		cur, err := db.Hazards().Cursor(context.Background(), "notify")
		require.NoError(t, err)
		if lastSeq(t, db) < cur+killAfter+relay.DefaultBatch/4 {
			break
		}
		var c crash
		c, midBatch = killMidBatch(t, db, url, "A"+strconv.Itoa(i))
		crashes = append(crashes, c)
	}
	require.NotEmpty(t, crashes, "a backlog to kill a process in")

	// Restart it, beside a second process, and send new traffic through both.
	a := prepareProc(t, "A-restarted", url, nil)
	b := prepareProc(t, "B", url, nil)
	a.waitReady(t)
	b.waitReady(t)
	procs := [2]*proc{a, b}
	cl := newClient(t)
	tokens := map[string]string{}
	for i, u := range []string{"citizen-2", "dispatcher-1", "fire-1", "gas-1", "reviewer-1"} {
		tokens[u] = cl.login(procs[i%2].base, u)
	}
	for n := range liveReports {
		v, ok := cl.submit(procs[n%2].base, tokens["citizen-2"], 1000+n, 34+float64(n)*0.01, 114)
		require.True(t, ok)
		tr := &trail{id: uuid.MustParse(v.ID), reporter: "citizen-2"}
		drive(t, cl, procs, tokens, n, tr)
		trails = append(trails, tr)
	}
	require.False(t, t.Failed(), "driving the loop after the restart")

	last := settle(t, db)
	a.stop(t)
	b.stop(t)
	all := []*proc{a, b}
	for _, c := range crashes {
		all = append(all, c.p)
	}
	requireCleanLogs(t, all...)
	require.Equal(t, last, lastSeq(t, db), "events written after the relays settled")

	events := checkLog(t, db.Hazards(), trails)
	checkDelivered(t, db.Hazards(), last)

	// Every planned notification was sent at least once. The processes
	// after a crash redelivered the events the killed one had not
	// acknowledged, and the shared delivery log dropped every notification
	// it had recorded: only one sent in the instant between the send and
	// its record is sent again.
	want := expectedNotices(t, db.Hazards(), events)
	got := countNotices(all...)
	for k := range want {
		assert.GreaterOrEqual(t, got[k], 1, "notification %s", k)
	}
	for k, n := range got {
		if !assert.True(t, want[k], "notification %s (sent %d times) was not called for", k, n) {
			continue
		}
		bound := 1
		for _, c := range crashes {
			if c.sent[k] > 0 && !c.recorded[k] {
				bound++
			}
		}
		assert.LessOrEqual(t, n, bound, "notification %s: sent more often than the crashes explain", k)
	}
	for i, c := range crashes {
		after := countNotices(all[:2]...)
		for _, later := range crashes[i+1:] {
			for k, n := range later.sent {
				after[k] += n
			}
		}
		resent, dropped := 0, 0
		for k := range c.sent {
			switch {
			case c.recorded[k]:
				assert.Zero(t, after[k], "notification %s: recorded in the delivery log before %s was killed, yet sent again", k, c.p.name)
				if noticeSeq(k) > c.cursor {
					dropped++
				}
			default:
				assert.Equal(t, 1, after[k], "notification %s: sent by %s but not recorded, so sent once again", k, c.p.name)
				resent++
			}
		}
		if c.last > c.cursor {
			assert.Positive(t, dropped, "%s was killed mid-batch: the redelivery of what it had sent must be dropped by the log", c.p.name)
		}
		t.Logf("%s: %d notifications sent; after the crash %d redeliveries dropped by the shared log, %d sent again (sent, not yet recorded)",
			c.p.name, len(c.sent), dropped, resent)
	}

	assert.True(t, midBatch, "no kill landed in the middle of a relay batch")
	n := checkRewards(t, db, events, []string{"citizen-1", "citizen-3"}, started)
	t.Logf("%d events, %d notifications planned, %d rewards", last, len(want), n)
}
