package hazard_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

func TestSubmit(t *testing.T) {
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())

	assert.Equal(t, 7, int(h.ID.Version()), "ID is a UUIDv7")
	assert.Equal(t, "LC-20261128-000001", h.Ref)
	assert.Equal(t, "安全出口被杂物堵塞\nFire exit blocked", h.Description, "text is normalised")
	assert.Equal(t, hazard.SeverityGeneral, h.Severity, "severity defaults to general")
	assert.Equal(t, hazard.SourceCitizen, h.Source, "source defaults to citizen")
	assert.Equal(t, hazard.CitizenReportName, h.Workflow)
	assert.Equal(t, 1, h.WorkflowVersion)
	assert.Equal(t, hazard.StateSubmitted, h.State)
	assert.Equal(t, t0.Add(hazard.DefaultCitizenDeadlines().Dispatch), h.Deadline)
	assert.Equal(t, int64(1), h.Version)
	assert.Equal(t, citizen.ID, h.Reporter.UserID)
	assert.True(t, h.Reporter.Verified)
	assert.Equal(t, citizenPhone, h.Reporter.Contact.Phone)
	assert.Empty(t, h.Department, "a citizen report is unassigned until dispatched")
	assert.Equal(t, time.UTC, h.CreatedAt.Location())
	assert.Equal(t, uuid.Nil, h.DuplicateOf)

	ev := f.events(t, h.ID)
	require.Len(t, ev, 1)
	assert.Equal(t, hazard.EventSubmitted, ev[0].Type)
	assert.Equal(t, citizen.ID, ev[0].Actor.ID)

	h2 := f.submit(t, otherCit, fireReport())
	assert.Equal(t, "LC-20261128-000002", h2.Ref, "refs count up")
}

func TestSubmitUTC(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	f := newFixture(t, func(c *hazard.ServiceConfig) {
		c.Clock = func() time.Time { return time.Date(2026, 11, 29, 1, 0, 0, 0, shanghai) }
	})
	h := f.submit(t, citizen, fireReport())
	assert.Equal(t, time.UTC, h.CreatedAt.Location())
	assert.Equal(t, "LC-20261128-000001", h.Ref, "the ref's date is the UTC date")
}

func TestSubmitMajorDeadline(t *testing.T) {
	f := newFixture(t)
	in := fireReport()
	in.Severity = hazard.SeverityMajor
	in.Source = hazard.SourceInspection
	h := f.submit(t, inspector, in)
	assert.Equal(t, hazard.RectificationName, h.Workflow)
	assert.Equal(t, hazard.StateFound, h.State)
	assert.Equal(t, t0.Add(hazard.DefaultRectificationDeadlines().List), h.Deadline, "a major hazard takes the major deadline (the workflow sees Major())")
	assert.Equal(t, "emergency", h.Department, "an inspection is assigned to the inspector's department")
}

func TestSubmitWorkflowBySource(t *testing.T) {
	tests := []struct {
		name     string
		user     hazard.User
		source   hazard.Source
		workflow string
		dept     string
	}{
		{"citizen", citizen, hazard.SourceCitizen, hazard.CitizenReportName, ""},
		{"inspection", inspector, hazard.SourceInspection, hazard.RectificationName, "emergency"},
		{"self check takes the category's department", enterprise, hazard.SourceSelfCheck, hazard.RectificationName, "fire"},
		{"supervision", reviewer, hazard.SourceSupervision, hazard.RectificationName, "fire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			in := fireReport()
			in.Source = tt.source
			h := f.submit(t, tt.user, in)
			assert.Equal(t, tt.workflow, h.Workflow)
			assert.Equal(t, tt.dept, h.Department)
		})
	}
}

func TestSubmitInvalid(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		user   hazard.User
		edit   func(*hazard.SubmitInput)
		key    string
		err    error
		fields []string
	}{
		{"unauthenticated", hazard.User{}, nil, "", hazard.ErrUnauthenticated, nil},
		{"citizen may not file an inspection", citizen, func(in *hazard.SubmitInput) { in.Source = hazard.SourceInspection }, "", hazard.ErrForbidden, nil},
		{"every problem at once", citizen, func(in *hazard.SubmitInput) {
			in.Category = "volcano"
			in.Description = "   "
			in.Photos = nil
			in.Location.Address = ""
			in.Severity = "apocalyptic"
		}, "", hazard.ErrInvalid, []string{"category", "severity", "description", "photos", "address"}},
		{"description too long", citizen, func(in *hazard.SubmitInput) {
			in.Description = strings.Repeat("危", hazard.MaxDescriptionLen+1)
		}, "", hazard.ErrInvalid, []string{"description"}},
		{"too many photos", citizen, func(in *hazard.SubmitInput) {
			in.Photos = nil
			for i := range hazard.MaxPhotos + 1 {
				in.Photos = append(in.Photos, photo(string(rune('a'+i))))
			}
		}, "", hazard.ErrInvalid, []string{"photos"}},
		{"contact too long", citizen, func(in *hazard.SubmitInput) {
			in.Contact.Name = strings.Repeat("王", hazard.MaxContactNameLen+1)
			in.Contact.Phone = strings.Repeat("1", hazard.MaxContactPhoneLen+1)
		}, "", hazard.ErrInvalid, []string{"contact.name", "contact.phone"}},
		{"idempotency key too long", citizen, nil, strings.Repeat("k", hazard.MaxIdempotencyKeyLen+1), hazard.ErrInvalid, []string{"idempotency_key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			in := fireReport()
			if tt.edit != nil {
				tt.edit(&in)
			}
			_, err := f.svc.Submit(ctx, tt.user, in, tt.key)
			require.ErrorIs(t, err, tt.err)
			if tt.fields != nil {
				var e *hazard.Error
				require.ErrorAs(t, err, &e)
				var got []string
				for _, fe := range e.Fields {
					got = append(got, fe.Field)
				}
				for _, want := range tt.fields {
					assert.Contains(t, got, want)
				}
			}
			l, err := f.store.List(ctx, hazard.Filter{}, hazard.Page{})
			require.NoError(t, err)
			assert.Empty(t, l.Items, "nothing is stored on error")
		})
	}
}

func TestSubmitKeyLimitAccepted(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.Submit(context.Background(), citizen, fireReport(), strings.Repeat("k", hazard.MaxIdempotencyKeyLen))
	require.NoError(t, err)
}

func TestSubmitIdempotent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	first, err := f.svc.Submit(ctx, citizen, fireReport(), "key-1")
	require.NoError(t, err)
	again, err := f.svc.Submit(ctx, citizen, fireReport(), "key-1")
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID, "same key, same hazard")
	assert.Equal(t, first.Ref, again.Ref)

	other, err := f.svc.Submit(ctx, otherCit, fireReport(), "key-1")
	require.NoError(t, err)
	assert.NotEqual(t, first.ID, other.ID, "keys are per reporter")

	fresh, err := f.svc.Submit(ctx, citizen, fireReport(), "key-2")
	require.NoError(t, err)
	assert.NotEqual(t, first.ID, fresh.ID)

	l, err := f.store.List(ctx, hazard.Filter{Reporter: citizen.ID}, hazard.Page{})
	require.NoError(t, err)
	assert.Len(t, l.Items, 2)
}

// TestSubmitIdempotencyKeyReused: a key reused with another input is
// CodeConflict naming the key, and stores nothing; the same input after
// normalisation is the same report.
func TestSubmitIdempotencyKeyReused(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	first, err := f.svc.Submit(ctx, citizen, fireReport(), "key-1")
	require.NoError(t, err)
	spaced := fireReport()
	spaced.Description = "  " + spaced.Description + "  "
	again, err := f.svc.Submit(ctx, citizen, spaced, "key-1")
	require.NoError(t, err, "the same report, spaced differently")
	assert.Equal(t, first.ID, again.ID)
	for _, tc := range []struct {
		name string
		edit func(*hazard.SubmitInput)
	}{
		{"description", func(in *hazard.SubmitInput) { in.Description += "，另外一处" }},
		{"category", func(in *hazard.SubmitInput) { in.Category = "gas" }},
		{"address", func(in *hazard.SubmitInput) { in.Location.Address = "另一个地址" }},
		{"contact", func(in *hazard.SubmitInput) { in.Contact.Phone = "13900000000" }},
	} {
		in := fireReport()
		tc.edit(&in)
		_, err := f.svc.Submit(ctx, citizen, in, "key-1")
		require.ErrorIs(t, err, hazard.ErrConflict, "key-1 reused with another %s", tc.name)
		var he *hazard.Error
		require.ErrorAs(t, err, &he)
		assert.Equal(t, "idempotency_key", he.Field, "the field of a reused key")
	}
	l, err := f.store.List(ctx, hazard.Filter{Reporter: citizen.ID}, hazard.Page{})
	require.NoError(t, err)
	assert.Len(t, l.Items, 1, "a reused key stores nothing")
}

func TestSubmitIdempotentConcurrent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const n = 20
	ids := make([]uuid.UUID, n)
	errs := make([]error, n)
	hazardtest.Together(n, func(i int) {
		h, err := f.svc.Submit(ctx, citizen, fireReport(), "double-tap")
		ids[i], errs[i] = h.ID, err
	})
	for i := range n {
		require.NoError(t, errs[i], "Submit %d", i)
		assert.Equal(t, ids[0], ids[i], "Submit %d returned another hazard", i)
	}
	l, err := f.store.List(ctx, hazard.Filter{}, hazard.Page{})
	require.NoError(t, err)
	assert.Len(t, l.Items, 1, "one hazard for one key")
}

func TestSubmitDuplicate(t *testing.T) {
	ctx := context.Background()
	near := func(dLat float64) hazard.SubmitInput {
		in := fireReport()
		p := here
		p.Lat += dLat
		in.Location.Point = &p
		return in
	}
	const metre = 1.0 / 111320 // degrees of latitude
	tests := []struct {
		name  string
		edit  func(*hazard.SubmitInput)
		after time.Duration
		dup   bool
	}{
		{"close by and recent", nil, time.Hour, true},
		{"at 40 m", func(in *hazard.SubmitInput) { *in = near(40 * metre) }, time.Hour, true},
		{"at 60 m", func(in *hazard.SubmitInput) { *in = near(60 * metre) }, time.Hour, false},
		{"another category", func(in *hazard.SubmitInput) { in.Category = "gas" }, time.Hour, false},
		{"older than the window", nil, hazard.DefaultDuplicateWindow + time.Hour, false},
		{"no point", func(in *hazard.SubmitInput) { in.Location.Point = nil }, time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, publishOnSubmit)
			first := f.submit(t, citizen, fireReport())
			f.clock.Advance(tt.after)
			in := fireReport()
			if tt.edit != nil {
				tt.edit(&in)
			}
			second := f.submit(t, otherCit, in)
			ev := f.events(t, second.ID)
			require.Equal(t, hazard.EventSubmitted, ev[0].Type, "the first event is submitted")
			if !tt.dup {
				assert.Equal(t, uuid.Nil, second.DuplicateOf)
				assert.Len(t, ev, 1)
				return
			}
			assert.Equal(t, first.ID, second.DuplicateOf)
			require.Len(t, ev, 2)
			assert.Equal(t, hazard.EventDuplicate, ev[1].Type)
			assert.Equal(t, first.ID.String(), ev[1].Data[hazard.DataDuplicateOf])
			assert.Equal(t, first.Ref, ev[1].Data[hazard.DataDuplicateRef])
			p, err := f.svc.PublicView(ctx, second.Ref)
			require.NoError(t, err)
			assert.True(t, p.Duplicate, "the plaza shows the flag")
		})
	}
}

func TestSubmitDuplicateLinksEarliestOpen(t *testing.T) {
	f := newFixture(t)
	first := f.submit(t, citizen, fireReport())
	f.clock.Advance(time.Minute)
	second := f.submit(t, citizen, fireReport())
	f.clock.Advance(time.Minute)
	third := f.submit(t, otherCit, fireReport())
	assert.Equal(t, first.ID, second.DuplicateOf)
	assert.Equal(t, first.ID, third.DuplicateOf, "linked to the earliest")

	// Once the first is closed, the next links to the earliest still open.
	f.act(t, dispatcher, first, "reject", hazard.ActInput{Note: "not a hazard"})
	f.clock.Advance(time.Minute)
	fourth := f.submit(t, otherCit, fireReport())
	assert.Equal(t, second.ID, fourth.DuplicateOf)
}

func TestSubmitDuplicateDisabled(t *testing.T) {
	f := newFixture(t, func(c *hazard.ServiceConfig) { c.DuplicateRadius = -1 })
	f.submit(t, citizen, fireReport())
	second := f.submit(t, otherCit, fireReport())
	assert.Equal(t, uuid.Nil, second.DuplicateOf)
}

func TestSubmitDuplicateRadiusConfigured(t *testing.T) {
	f := newFixture(t, func(c *hazard.ServiceConfig) { c.DuplicateRadius = 200 })
	first := f.submit(t, citizen, fireReport())
	in := fireReport()
	p := here
	p.Lat += 150.0 / 111320
	in.Location.Point = &p
	second := f.submit(t, otherCit, in)
	assert.Equal(t, first.ID, second.DuplicateOf)
}

// A citizen may name a company as the receiving unit: it stays free text
// (Unit) and never becomes the unit the hazard was found at (UnitID), which
// SubmitInput cannot carry.
func TestSubmitNeverSetsUnitID(t *testing.T) {
	f := newFixture(t)
	in := fireReport()
	in.Unit = "91110101MA00000001 某某化工有限公司"
	h := f.submit(t, citizen, in)
	assert.Equal(t, in.Unit, h.Unit, "Unit keeps the citizen's text")
	assert.Empty(t, h.UnitID, "UnitID after a citizen's Submit")
	got, err := f.store.Get(t.Context(), h.ID)
	require.NoError(t, err, "Get")
	assert.Empty(t, got.UnitID, "stored UnitID after a citizen's Submit")
}
