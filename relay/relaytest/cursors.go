package relaytest

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/relay"
)

// TestCursors runs the conformance suite of relay.Cursors against the
// cursors open returns. open is called once per subtest and must return
// fresh, empty cursors; it may register clean-up with t.Cleanup. An
// adapter's test is one line:
//
//	relaytest.TestCursors(t, func(t *testing.T) relay.Cursors { return memstore.New() })
func TestCursors(t *testing.T, open func(t *testing.T) relay.Cursors) {
	t.Helper()
	for _, c := range []struct {
		name string
		fn   func(*testing.T, relay.Cursors)
	}{
		{"Cursors/SaveAndLoad", saveAndLoad},
		{"Cursors/InvalidName", invalidName},
		{"Cursors/NeverBackUnderConcurrency", neverBackConcurrent},
		{"Parked/ParkAndUnpark", parkAndUnpark},
		{"Parked/EverySubject", parkSubjects},
		{"Parked/Invalid", parkInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			cur := open(t)
			if cur == nil {
				t.Fatal("open returned nil cursors")
			}
			c.fn(t, cur)
		})
	}
}

func assertCode(t *testing.T, err error, want error, call string) bool {
	t.Helper()
	return assert.ErrorIs(t, err, want, "%s: got %v", call, err)
}

func saveAndLoad(t *testing.T, cur relay.Cursors) {
	ctx := t.Context()
	n, err := cur.Cursor(ctx, "notify")
	require.NoError(t, err, "Cursor of a new consumer")
	assert.Zero(t, n, "Cursor of a new consumer")
	steps := []struct {
		consumer string
		seq      int64
		want     error
		after    int64
	}{
		{"notify", 5, nil, 5},
		{"notify", 7, nil, 7},
		{"notify", 7, nil, 7},                // saving the same position again is fine
		{"notify", 3, hazard.ErrConflict, 7}, // never back
		{"reward", 2, nil, 2},                // independent of other consumers
		{"notify", 1 << 40, nil, 1 << 40},    // large positions
		{"reward", 1, hazard.ErrConflict, 2}, // never back
		{"reward", 0, hazard.ErrConflict, 2}, // not even to the start
		{"reward-v2_x", 9, nil, 9},           // names with '-' and '_'
		{strings.Repeat("a", relay.MaxConsumerNameLen), 1, nil, 1},
		{"fresh", 0, nil, 0}, // a new consumer may save the start
	}
	for _, c := range steps {
		err := cur.SaveCursor(ctx, c.consumer, c.seq)
		if c.want == nil {
			assert.NoError(t, err, "SaveCursor(%q, %d)", c.consumer, c.seq)
		} else {
			assertCode(t, err, c.want, "SaveCursor("+c.consumer+", "+strconv.FormatInt(c.seq, 10)+")")
		}
		n, err := cur.Cursor(ctx, c.consumer)
		if assert.NoError(t, err, "Cursor(%q)", c.consumer) {
			assert.Equal(t, c.after, n, "Cursor(%q) after SaveCursor(%d)", c.consumer, c.seq)
		}
	}
}

func invalidName(t *testing.T, cur relay.Cursors) {
	ctx := t.Context()
	for _, name := range []string{"", strings.Repeat("a", relay.MaxConsumerNameLen+1), "Has Space", "通知"} {
		what := " with the consumer name " + strconv.Quote(name)
		assertCode(t, cur.SaveCursor(ctx, name, 1), hazard.ErrInvalid, "SaveCursor"+what)
		_, err := cur.Cursor(ctx, name)
		assertCode(t, err, hazard.ErrInvalid, "Cursor"+what)
		p := relay.ParkedEvent{Consumer: name, Event: withSeq(hazardtest.NewEvent(hazardtest.NewHazard(), hazard.EventNote), 1), ParkedAt: hazardtest.Epoch}
		assertCode(t, cur.Park(ctx, p), hazard.ErrInvalid, "Park"+what)
		assertCode(t, cur.Unpark(ctx, name, 1), hazard.ErrInvalid, "Unpark"+what)
		if name != "" { // "" lists every consumer's
			_, err = cur.Parked(ctx, name)
			assertCode(t, err, hazard.ErrInvalid, "Parked"+what)
		}
	}
	assertCode(t, cur.SaveCursor(ctx, "notify", -1), hazard.ErrInvalid, "SaveCursor(-1)")
	n, err := cur.Cursor(ctx, "notify")
	require.NoError(t, err, "Cursor")
	assert.Zero(t, n, "Cursor after an invalid SaveCursor")
}

// neverBackConcurrent saves increasing and decreasing positions from many
// goroutines at once: the cursor ends at the highest, whatever the order.
func neverBackConcurrent(t *testing.T, cur relay.Cursors) {
	ctx := t.Context()
	const writers = 16
	hazardtest.Together(writers, func(i int) {
		if err := cur.SaveCursor(ctx, "race", int64(i+1)); err != nil {
			assert.ErrorIs(t, err, hazard.ErrConflict, "SaveCursor(race, %d) racing others: only a conflict may fail it", i+1)
		}
	})
	n, err := cur.Cursor(ctx, "race")
	require.NoError(t, err, "Cursor")
	assert.Equal(t, int64(writers), n, "Cursor after concurrent saves: the highest position")
}

func withSeq(e hazard.Event, seq int64) hazard.Event {
	e.Seq = seq
	return e
}

// norm returns e with empty slices and maps as nil, so that adapters that
// return an empty one where nil went in compare equal.
func norm(p relay.ParkedEvent) relay.ParkedEvent {
	p.Event = p.Event.Clone()
	if len(p.Event.Attachments) == 0 {
		p.Event.Attachments = nil
	}
	if len(p.Event.Data) == 0 {
		p.Event.Data = nil
	}
	return p
}

func parkedKeys(ps []relay.ParkedEvent) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Consumer + "/" + strconv.Itoa(int(p.Event.Seq))
	}
	return out
}

func parkAndUnpark(t *testing.T, cur relay.Cursors) {
	ctx := t.Context()
	h := hazardtest.NewHazard()
	ev := func(seq int64) hazard.Event { return withSeq(hazardtest.FullEvent(h), seq) }
	p5 := relay.ParkedEvent{Consumer: "notify", Event: ev(5), Attempts: 3, Error: "smtp: timeout", ParkedAt: hazardtest.Epoch}
	for _, p := range []relay.ParkedEvent{
		p5,
		{Consumer: "notify", Event: ev(3), Attempts: 5, Error: "boom", ParkedAt: hazardtest.Epoch.Add(time.Second)},
		{Consumer: "reward", Event: ev(4), Attempts: 1, Error: "budget", ParkedAt: hazardtest.Epoch.Add(2 * time.Second)},
	} {
		require.NoError(t, cur.Park(ctx, p), "Park (setup)")
	}
	got, err := cur.Parked(ctx, "notify")
	require.NoError(t, err, "Parked")
	assert.Equal(t, []string{"notify/3", "notify/5"}, parkedKeys(got), "Parked(notify): in Seq order")
	if len(got) == 2 {
		assert.Equal(t, norm(p5), norm(got[1]), "Parked: round trip")
		got[1].Event.Data["department"] = "x" // copies out
	}
	all, err := cur.Parked(ctx, "")
	require.NoError(t, err, "Parked")
	assert.Equal(t, []string{"notify/3", "reward/4", "notify/5"}, parkedKeys(all), "Parked(\"\"): every consumer, in Seq order")
	none, err := cur.Parked(ctx, "relay")
	require.NoError(t, err, "Parked")
	assert.Empty(t, none, "Parked of a consumer that parked nothing")

	again := p5
	again.Attempts, again.Error = 9, "still failing"
	require.NoError(t, cur.Park(ctx, again), "Park again")
	got, err = cur.Parked(ctx, "notify")
	require.NoError(t, err, "Parked")
	if assert.Len(t, got, 2, "Parked after parking the same seq again: replaced, not added") {
		assert.Equal(t, 9, got[1].Attempts, "Parked after parking again: Attempts")
		assert.Equal(t, "still failing", got[1].Error, "Parked after parking again: Error")
		assert.Equal(t, "gas", got[1].Event.Data["department"], "Parked after mutating an earlier result")
	}

	assert.NoError(t, cur.Unpark(ctx, "notify", 3), "Unpark")
	assertCode(t, cur.Unpark(ctx, "notify", 3), hazard.ErrNotFound, "Unpark twice")
	assertCode(t, cur.Unpark(ctx, "reward", 5), hazard.ErrNotFound, "Unpark of another consumer's seq")
	assertCode(t, cur.Unpark(ctx, "relay", 1), hazard.ErrNotFound, "Unpark of an unknown consumer")
	all, err = cur.Parked(ctx, "")
	require.NoError(t, err, "Parked")
	assert.Equal(t, []string{"reward/4", "notify/5"}, parkedKeys(all), "Parked after Unpark")
}

// parkSubjects pins that a parked event of a subject other than a hazard
// keeps its subject, so that the relay holds that subject's later events.
func parkSubjects(t *testing.T, cur relay.Cursors) {
	ctx := t.Context()
	unit := hazard.Subject{Kind: "unit", ID: "unit-42"}
	in := relay.ParkedEvent{Consumer: "maps", Event: withSeq(hazardtest.FullSubjectEvent(unit), 8),
		Attempts: 2, Error: "tile server down", ParkedAt: hazardtest.Epoch}
	want := in
	want.Event = in.Event.Clone()
	require.NoError(t, cur.Park(ctx, in), "Park")
	in.Event.Data["grade"] = "x" // copies in
	got, err := cur.Parked(ctx, "maps")
	require.NoError(t, err, "Parked")
	if assert.Len(t, got, 1, "Parked") {
		assert.Equal(t, unit, got[0].Event.SubjectOf(), "Parked: the event's subject")
		assert.Equal(t, norm(want), norm(got[0]), "Parked: round trip of an event of another subject")
	}
}

func parkInvalid(t *testing.T, cur relay.Cursors) {
	ctx := t.Context()
	e := hazardtest.NewEvent(hazardtest.NewHazard(), hazard.EventNote)
	for _, seq := range []int64{0, -1} {
		p := relay.ParkedEvent{Consumer: "notify", Event: withSeq(e, seq), ParkedAt: hazardtest.Epoch}
		assertCode(t, cur.Park(ctx, p), hazard.ErrInvalid, "Park of event Seq "+strconv.FormatInt(seq, 10))
	}
	all, err := cur.Parked(ctx, "")
	require.NoError(t, err, "Parked")
	assert.Empty(t, all, "Parked after invalid Parks")
}
