package cluster_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/pgstore"
	"github.com/hazardloop/hazardloop/reward"
)

// consumers are the relay consumers of the example server over
// PostgreSQL (its consumer names, which it keeps unexported). The
// programme figures are counted in the shared ledger, not by a consumer.
var consumers = []string{"reward", "notify"}

// pollInterval is how often the tests look at the database while waiting.
const pollInterval = 50 * time.Millisecond

// stateClosedValid is the state of a report approved by a reviewer.
const stateClosedValid = "closed_valid"

// trail is what the test saw happen to one report: the actions that
// succeeded, in order, and the version each answered with.
type trail struct {
	id       uuid.UUID
	reporter string
	actions  []string
	versions []int64
}

// ok records a successful action.
func (tr *trail) ok(action string, version int64) {
	tr.actions = append(tr.actions, action)
	tr.versions = append(tr.versions, version)
}

// allEvents reads the whole event log in order.
func allEvents(t *testing.T, hs *pgstore.HazardStore) []hazard.Event {
	t.Helper()
	var out []hazard.Event
	for after := int64(0); ; {
		batch, err := hs.Events(context.Background(), after, hazard.MaxEventBatch)
		require.NoError(t, err)
		if len(batch) == 0 {
			return out
		}
		out = append(out, batch...)
		after = batch[len(batch)-1].Seq
	}
}

// lastSeq returns the sequence of the last event.
func lastSeq(t *testing.T, db *pgstore.DB) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.Pool().QueryRow(context.Background(), `SELECT coalesce(max(seq), 0) FROM events`).Scan(&n))
	return n
}

// settle waits until every consumer's cursor is at the last event and the
// log stopped growing (a reward event appended by the reward consumer is
// delivered too), and returns that last sequence.
func settle(t *testing.T, db *pgstore.DB) int64 {
	t.Helper()
	ctx := context.Background()
	hs := db.Hazards()
	deadline := time.Now().Add(settleTimeout)
	prev := int64(-1)
	for {
		last := lastSeq(t, db)
		behind := ""
		for _, c := range consumers {
			cur, err := hs.Cursor(ctx, c)
			require.NoError(t, err)
			if cur != last {
				behind += fmt.Sprintf(" %s at %d;", c, cur)
			}
		}
		if behind == "" && last == prev {
			return last
		}
		if time.Now().After(deadline) {
			t.Fatalf("the relays did not deliver every event within %s: last event %d,%s", settleTimeout, last, behind)
		}
		if behind == "" {
			prev = last
		} else {
			prev = -1
		}
		time.Sleep(pollInterval)
	}
}

// checkDelivered checks that every consumer's cursor is at the last event
// and that nothing is parked: every event reached every consumer.
func checkDelivered(t *testing.T, hs *pgstore.HazardStore, last int64) {
	t.Helper()
	ctx := context.Background()
	for _, c := range consumers {
		cur, err := hs.Cursor(ctx, c)
		require.NoError(t, err)
		assert.Equal(t, last, cur, "cursor of %s", c)
		parked, err := hs.Parked(ctx, c)
		require.NoError(t, err)
		assert.Empty(t, parked, "parked events of %s", c)
	}
}

// checkLog checks the whole event log: sequences 1 to last without a gap,
// and for every report the test drove, a chain of transitions that matches
// what the test saw succeed, one version per transition, no transition lost
// or added.
func checkLog(t *testing.T, hs *pgstore.HazardStore, trails []*trail) []hazard.Event {
	t.Helper()
	ctx := context.Background()
	events := allEvents(t, hs)
	require.NotEmpty(t, events)
	for i, e := range events {
		require.Equal(t, int64(i+1), e.Seq, "the event log has a gap or a repeat")
	}
	for _, tr := range trails {
		h, err := hs.Get(ctx, tr.id)
		require.NoError(t, err)
		evs, err := hs.HazardEvents(ctx, tr.id)
		require.NoError(t, err)
		require.NotEmpty(t, evs)
		require.Equal(t, hazard.EventSubmitted, evs[0].Type, "%s: first event", h.Ref)
		var actions []string
		state := "submitted"
		for _, e := range evs {
			if e.Type != hazard.EventTransition {
				continue
			}
			assert.Equal(t, state, e.From, "%s: transition %s starts where the last one ended", h.Ref, e.Action)
			state = e.To
			actions = append(actions, e.Action)
		}
		assert.Equal(t, state, h.State, "%s: the last transition ends in its state", h.Ref)
		assert.Equal(t, int64(len(actions))+1, h.Version, "%s: one version per transition", h.Ref)
		assert.Equal(t, tr.actions, actions, "%s: the transitions are the actions that succeeded", h.Ref)
		for i, v := range tr.versions {
			assert.Equal(t, int64(i)+2, v, "%s: version after %s", h.Ref, tr.actions[i])
		}
		assert.Equal(t, stateClosedValid, h.State, "%s", h.Ref)
	}
	return events
}

// demoDirectory is the example server's user directory for notifications
// as a demo server seeds it: every process of a test has the same one.
type demoDirectory struct{}

func recipientOf(d server.DemoUser) notify.Recipient {
	r := notify.Recipient{UserID: d.ID, Addresses: map[notify.Channel]string{}}
	if d.Phone != "" {
		r.Addresses[notify.ChannelSMS] = d.Phone
	}
	return r
}

func (demoDirectory) User(_ context.Context, id string) (notify.Recipient, error) {
	for _, d := range server.DemoUsers() {
		if d.ID == id {
			return recipientOf(d), nil
		}
	}
	return notify.Recipient{}, hazard.Errorf(hazard.CodeNotFound, "no user %s", id)
}

func (demoDirectory) Users(_ context.Context, q notify.UserQuery) ([]notify.Recipient, error) {
	var out []notify.Recipient
	for _, d := range server.DemoUsers() {
		if d.Role == q.Role && (q.Department == "" || d.Department == q.Department) && (q.Unit == "" || d.Unit == q.Unit) {
			out = append(out, recipientOf(d))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UserID < out[j].UserID })
	return out, nil
}

// expectedNotices returns the idempotency keys of the notifications the
// events call for, as the server's router (the log channel only) plans
// them: "evt-<seq>/<user>/log".
func expectedNotices(t *testing.T, hs *pgstore.HazardStore, events []hazard.Event) map[string]bool {
	t.Helper()
	r, err := notify.NewRouter(notify.RouterConfig{
		Hazards: hs, Directory: demoDirectory{},
		Channels: map[notify.Channel]notify.Notifier{notify.ChannelLog: notify.NewRecorder(notify.ChannelLog, nil)},
		Order:    []notify.Channel{notify.ChannelLog},
	})
	require.NoError(t, err)
	want := map[string]bool{}
	for _, e := range events {
		plan, err := r.Plan(context.Background(), e)
		require.NoError(t, err)
		for _, p := range plan {
			want[p.Message.IdempotencyKey+"/"+string(notify.ChannelLog)] = true
		}
	}
	return want
}

// countNotices counts the notifications sent per idempotency key.
func countNotices(procs ...*proc) map[string]int {
	n := map[string]int{}
	for _, p := range procs {
		for _, k := range notices(p.log()) {
			n[k]++
		}
	}
	return n
}

// checkRewards checks the ledger against the event log: no hazard has two
// rewards, every reward has exactly one reward_issued event, and the
// rewarded hazards are exactly those the programme's rules pay for: each
// verified reporter's first approved reports, in log order, up to the
// daily cap. It returns the number of rewards.
func checkRewards(t *testing.T, db *pgstore.DB, events []hazard.Event, verified []string, started time.Time) int {
	t.Helper()
	ctx := context.Background()
	hs, ledger := db.Hazards(), db.Ledger()
	issuedEvents := map[string]int{} // reward ID -> its reward_issued events
	var closedValid []hazard.Event
	seen := map[uuid.UUID]bool{}
	for _, e := range events {
		switch {
		case e.Type == hazard.EventRewardIssued:
			issuedEvents[e.Data[reward.DataRewardID]]++
		case e.Type == hazard.EventTransition && e.To == stateClosedValid:
			closedValid = append(closedValid, e)
		}
		seen[e.HazardID] = true
	}
	caps := reward.CityProgramme().Caps
	rewarded := map[uuid.UUID]bool{}
	total := 0
	for id := range seen {
		rs, err := ledger.ByHazard(ctx, id)
		require.NoError(t, err)
		require.LessOrEqual(t, len(rs), 1, "hazard %s has more than one reward", id)
		for _, r := range rs {
			total++
			rewarded[id] = true
			assert.Equal(t, 1, issuedEvents[r.ID.String()], "reward_issued events of reward %s", r.ID)
		}
	}
	assert.Equal(t, total, len(issuedEvents), "every reward_issued event names a reward")

	// The caps count per day: across a day boundary only the above holds.
	day0, _, _ := caps.Windows(started)
	day1, _, _ := caps.Windows(time.Now())
	if day0 != day1 {
		t.Logf("the programme's day changed during the test: not checking which reports were rewarded")
		return total
	}
	perReporter := map[string]int{}
	for _, e := range closedValid {
		h, err := hs.Get(ctx, e.HazardID)
		require.NoError(t, err)
		rep := h.Reporter.UserID
		due := slices.Contains(verified, rep) && h.DuplicateOf == uuid.Nil && perReporter[rep] < caps.DayCount
		if due {
			perReporter[rep]++
		}
		assert.Equal(t, due, rewarded[h.ID], "%s of %s (approved at seq %d): rewarded", h.Ref, rep, e.Seq)
	}
	for _, rep := range verified {
		assert.Equal(t, caps.DayCount, perReporter[rep], "rewards of %s: the test approves enough reports to reach the cap", rep)
	}
	return total
}
