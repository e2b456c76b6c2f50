package hazard_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memlimit"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

// t0 is the time tests start at.
var t0 = time.Date(2026, 11, 28, 8, 30, 0, 0, time.UTC)

func newClock() *hazardtest.Clock { return hazardtest.NewClock(t0) }

// fixture is a service on a fresh memstore with a test clock (and a
// memlimit limiter, for tests that hide the store's LimitedCreator).
type fixture struct {
	svc   *hazard.Service
	store *memstore.Store
	clock *hazardtest.Clock
}

func newFixture(t testing.TB, configure ...func(*hazard.ServiceConfig)) *fixture {
	t.Helper()
	f := &fixture{store: memstore.New(), clock: newClock()}
	cfg := hazard.ServiceConfig{
		Store: f.store, Clock: f.clock.Now, Refs: hazard.RefFormat{Prefix: "LC"},
		Limiter: memlimit.New(memlimit.Config{Clock: f.clock.Now}),
	}
	for _, c := range configure {
		c(&cfg)
	}
	svc, err := hazard.NewService(cfg)
	require.NoError(t, err, "NewService")
	f.svc = svc
	return f
}

// publishOnSubmit configures the publication policy of tests about what the
// plaza shows of reports (filters, order, coordinates), whichever step
// publishes them: every report is public from its submission.
func publishOnSubmit(c *hazard.ServiceConfig) { c.Moderation.Publish = hazard.PublishOnSubmit }

// Users of the tests.
var (
	citizen    = hazard.User{ID: "citizen-7f3a", Role: "reporter", Verified: true}
	otherCit   = hazard.User{ID: "citizen-other", Role: "reporter"}
	dispatcher = hazard.User{ID: "disp-1", Role: "dispatcher"}
	fireDept   = hazard.User{ID: "handler-fire", Role: "handler", Department: "fire"}
	gasDept    = hazard.User{ID: "handler-gas", Role: "handler", Department: "gas"}
	reviewer   = hazard.User{ID: "rev-1", Role: "reviewer"}
	admin      = hazard.User{ID: "admin-1", Role: "admin"}
	inspector  = hazard.User{ID: "insp-1", Role: "inspector", Department: "emergency"}
	enterprise = hazard.User{ID: "ent-1", Role: "enterprise", UnitID: "acme-chem"}
)

// Private data of the citizen that must never reach the public.
const (
	citizenName  = "王小明"
	citizenPhone = "13800138000"
)

func photo(seed string) hazard.Photo {
	sum := sha256.Sum256([]byte(seed))
	return hazard.Photo{SHA256: hex.EncodeToString(sum[:]), ContentType: hazard.TypeJPEG, Size: 2048}
}

var here = hazard.Point{Lat: 39.9087, Lng: 116.3975, System: hazard.WGS84}

// fireReport is a valid citizen report of a blocked fire exit.
func fireReport() hazard.SubmitInput {
	p := here
	return hazard.SubmitInput{
		Category:    "fire",
		Description: "  安全出口被杂物堵塞\r\nFire exit blocked  ",
		Location:    hazard.Location{Address: "朝阳区建国路88号", Point: &p},
		Photos:      []hazard.Photo{photo("exit")},
		Contact:     hazard.Contact{Name: citizenName, Phone: citizenPhone},
	}
}

// submit submits in for u and fails the test on error.
func (f *fixture) submit(t testing.TB, u hazard.User, in hazard.SubmitInput) hazard.Hazard {
	t.Helper()
	h, err := f.svc.Submit(context.Background(), u, in, "")
	require.NoError(t, err, "Submit")
	return h
}

// act takes action on h and fails the test on error.
func (f *fixture) act(t testing.TB, u hazard.User, h hazard.Hazard, action string, in hazard.ActInput) hazard.Hazard {
	t.Helper()
	in.ExpectedVersion = h.Version
	got, err := f.svc.Act(context.Background(), u, h.ID, action, in)
	require.NoError(t, err, "Act %s", action)
	return got
}

// events returns the types of the hazard's events.
func (f *fixture) events(t testing.TB, id uuid.UUID) []hazard.Event {
	t.Helper()
	ev, err := f.store.HazardEvents(context.Background(), id)
	require.NoError(t, err, "HazardEvents")
	return ev
}

func TestNewService(t *testing.T) {
	onlyCitizen, err := hazard.NewProcesses(hazard.CitizenReport())
	require.NoError(t, err)
	tests := []struct {
		name string
		cfg  hazard.ServiceConfig
		ok   bool
	}{
		{"defaults", hazard.ServiceConfig{Store: memstore.New()}, true},
		{"no store", hazard.ServiceConfig{}, false},
		{"missing rectification process", hazard.ServiceConfig{Store: memstore.New(), Processes: onlyCitizen}, false},
		{"own process for self-checks", hazard.ServiceConfig{Store: memstore.New(), Processes: onlyCitizen,
			Starts: map[hazard.Source]string{hazard.SourceSelfCheck: "citizen_report", hazard.SourceInspection: "citizen_report", hazard.SourceSupervision: "citizen_report"}}, true},
		{"start of an unknown source", hazard.ServiceConfig{Store: memstore.New(), Starts: map[hazard.Source]string{"phone": "citizen_report"}}, false},
		{"start of an unknown process", hazard.ServiceConfig{Store: memstore.New(), Starts: map[hazard.Source]string{hazard.SourceCitizen: "nope"}}, false},
		{"repeated department", hazard.ServiceConfig{Store: memstore.New(), Departments: []hazard.Department{{Code: "fire"}, {Code: "fire"}}}, false},
		{"department without code", hazard.ServiceConfig{Store: memstore.New(), Departments: []hazard.Department{{NameEN: "x"}}}, false},
		{"bad ref prefix", hazard.ServiceConfig{Store: memstore.New(), Refs: hazard.RefFormat{Prefix: "lc"}}, false},
		{"radius too large", hazard.ServiceConfig{Store: memstore.New(), DuplicateRadius: hazard.MaxDuplicateRadius + 1}, false},
		{"negative window", hazard.ServiceConfig{Store: memstore.New(), DuplicateWindow: -time.Hour}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, err := hazard.NewService(tt.cfg)
			if tt.ok {
				require.NoError(t, err)
				require.NotNil(t, svc)
				return
			}
			require.ErrorIs(t, err, hazard.ErrInvalid)
		})
	}
}

func TestServiceDepartments(t *testing.T) {
	f := newFixture(t)
	d, ok := f.svc.Department("fire")
	require.True(t, ok)
	require.Equal(t, "fire", d.Code)
	_, ok = f.svc.Department("nope")
	require.False(t, ok)
	all := f.svc.Departments()
	require.Len(t, all, len(hazard.DefaultDepartments()))
	all[0].Code = "changed"
	require.Equal(t, hazard.DefaultDepartments()[0].Code, f.svc.Departments()[0].Code, "Departments must return a copy")
	require.NotNil(t, f.svc.Categories())
}
