package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/risk"
)

// demoUnit is what the tests read of a unit.
type demoUnit struct {
	ID         string `json:"id"`
	CreditCode string `json:"credit_code"`
	Name       string `json:"name"`
	Industry   string `json:"industry"`
	Grade      string `json:"grade"`
	Location   struct {
		District string `json:"district"`
		Point    *struct {
			Lat float64 `json:"lat"`
			Lng float64 `json:"lng"`
		} `json:"point"`
	} `json:"location"`
	Departments []string `json:"departments"`
	Facts       struct {
		Points int `json:"points"`
	} `json:"facts"`
}

// pages reads every page of a list answer at path as token.
func pages[T any](s *testServer, token, path string) []T {
	s.t.Helper()
	var out []T
	cursor := ""
	for {
		p := path + "?limit=100"
		if strings.Contains(path, "?") {
			p = path + "&limit=100"
		}
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		r := s.do("GET", p, token, nil)
		require.Equal(s.t, http.StatusOK, r.status, "%s: %s", p, r.body)
		var l struct {
			Items []T    `json:"items"`
			Next  string `json:"next"`
		}
		r.json(s.t, &l)
		out = append(out, l.Items...)
		if l.Next == "" {
			return out
		}
		cursor = l.Next
	}
}

// demoFigures are the counts the demo city's checks read, to compare two
// servers.
type demoFigures struct {
	Units, Points, Inspections, Ledger int
	Codes                              []string
}

// checkDemoCity checks the demo city a server seeded and returns its
// counts.
func checkDemoCity(t *testing.T, s *testServer) demoFigures {
	admin := s.login("admin-1")
	units := pages[demoUnit](s, admin, "/api/v1/units")
	require.Len(t, units, server.DemoUnits)
	var f demoFigures
	industries, grades, districts := map[string]int{}, map[string]int{}, map[string]int{}
	for _, u := range units {
		industries[u.Industry]++
		grades[u.Grade]++
		districts[u.Location.District]++
		assert.NoError(t, risk.CheckCreditCode(u.CreditCode), "unit %s: a valid unified social credit code", u.Name)
		f.Codes = append(f.Codes, u.CreditCode)
		require.NotNil(t, u.Location.Point, "unit %s has a location", u.Name)
		a := server.DemoArea
		assert.True(t, u.Location.Point.Lat >= a.MinLat && u.Location.Point.Lat <= a.MaxLat &&
			u.Location.Point.Lng >= a.MinLng && u.Location.Point.Lng <= a.MaxLng, "unit %s within the city: %+v", u.Name, u.Location.Point)
		assert.NotEmpty(t, u.Grade, "unit %s is graded", u.Name)
		require.Len(t, u.Departments, 1)
		want := server.DemoPointsPerUnit
		if u.ID == server.DemoUnitID(1) || u.ID == server.DemoUnitID(2) {
			want = 2
		}
		assert.Equal(t, want, u.Facts.Points, "unit %s: its risk points", u.Name)
		f.Points += u.Facts.Points
	}
	f.Units = len(units)
	slices.Sort(f.Codes)
	assert.Len(t, slices.Compact(slices.Clone(f.Codes)), server.DemoUnits, "credit codes are unique")
	assert.Len(t, industries, 8, "eight industries: %v", industries)
	for _, g := range []string{"red", "orange", "yellow", "blue"} {
		assert.Positive(t, grades[g], "units graded %s: %v", g, grades)
	}
	assert.GreaterOrEqual(t, len(districts), 4, "districts: %v", districts)
	assert.InDelta(t, 600, f.Points, 10, "about 600 risk points")

	// The checklists: the samples and the city's own.
	r := s.do("GET", "/api/v1/checklists", admin, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Len(t, r.obj(t)["items"], 8)

	// A history of visits, enforcement and self-checks, finished.
	visits := pages[struct {
		Kind    string `json:"kind"`
		Status  string `json:"status"`
		Trained struct {
			Count int `json:"count"`
		} `json:"trained"`
	}](s, admin, "/api/v1/inspections")
	kinds, trained := map[string]int{}, 0
	for _, v := range visits {
		kinds[v.Kind]++
		assert.Equal(t, "finished", v.Status)
		trained += v.Trained.Count
	}
	assert.Greater(t, kinds["enforcement"], 50, "enforcement visits")
	assert.Positive(t, kinds["self_check"], "self-checks")
	assert.Positive(t, trained, "people trained on site")
	f.Inspections = len(visits)

	// The ledger has hazards in every state of the rectification process
	// (its pages walked, each with the counts of the whole).
	var l struct {
		Rows []struct {
			State   string `json:"state"`
			Overdue bool   `json:"overdue"`
		} `json:"rows"`
	}
	states, overdue, found := map[string]int{}, 0, 0
	for cursor, pages := "", 0; ; pages++ {
		require.Less(t, pages, 50, "the walk of the ledger ends")
		var pg struct {
			Rows []struct {
				State   string `json:"state"`
				Overdue bool   `json:"overdue"`
			} `json:"rows"`
			Next   string `json:"next"`
			Counts struct {
				Found int `json:"found"`
			} `json:"counts"`
		}
		r = s.do("GET", "/api/v1/ledger?limit=20&cursor="+cursor, admin, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r.json(t, &pg)
		assert.LessOrEqual(t, len(pg.Rows), 20)
		found = pg.Counts.Found
		l.Rows = append(l.Rows, pg.Rows...)
		if pg.Next == "" {
			break
		}
		cursor = pg.Next
	}
	assert.Equal(t, found, len(l.Rows), "the pages hold every row the counts count")
	for _, row := range l.Rows {
		states[row.State]++
		if row.Overdue {
			overdue++
		}
	}
	for _, st := range []string{"found", "listed", "rectifying", "rectified", "awaiting_signoff", "closed_out", "dismissed"} {
		assert.Positive(t, states[st], "hazards %s: %v", st, states)
	}
	assert.Positive(t, overdue, "some rectifications are overdue")
	f.Ledger = len(l.Rows)

	// The inspector's plan has units due.
	today := time.Now().UTC()
	r = s.do("GET", "/api/v1/plan?from="+today.Format(time.DateOnly)+"&to="+today.AddDate(0, 6, 0).Format(time.DateOnly), s.login("inspector-1"), nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var plan struct{ Due, Overdue, Drawn []json.RawMessage }
	r.json(t, &plan)
	assert.NotEmpty(t, plan.Due, "units due in the period")
	assert.NotEmpty(t, plan.Overdue, "units overdue")
	return f
}

// TestDemoCity checks the demo city on memory and PostgreSQL: 200 units
// over 8 industries within the city's area with valid credit codes, about
// 600 assessed risk points of every grade, the eight checklists, a history
// of finished visits and hazards in every state of the rectification
// process (the citizen reports' are TestDemoData's), and a plan with
// units due. On PostgreSQL a restart over the same database adds nothing:
// the second start finds the same city as a server on memory makes.
func TestDemoCity(t *testing.T) {
	var want demoFigures
	whole := func(c *server.Config) { c.DemoUnits = server.DemoUnits }
	t.Run("memory", func(t *testing.T) { want = checkDemoCity(t, startServer(t, whole)) })
	t.Run("postgres restarted", func(t *testing.T) {
		dbURL := testSchema(t)
		backend := func(c *server.Config) { c.DatabaseURL, c.PhotoDir = dbURL, "" }
		first, err := server.New(context.Background(), server.Config{Addr: "127.0.0.1:0", Demo: true, DatabaseURL: dbURL,
			TokenSecret: []byte("0123456789abcdef0123456789abcdef"), Logger: quietLogger(), Notifier: notify.NewRecorder(notify.ChannelLog, nil)})
		require.NoError(t, err)
		require.NoError(t, first.Close())
		got := checkDemoCity(t, startServer(t, backend, whole))
		assert.Equal(t, want, got, "a restart adds nothing: the same city as on memory")
	})
}

// TestDemoCityIsTheSameEveryStart: the generator is seeded, so that two
// servers make the same units.
func TestDemoCityIsTheSameEveryStart(t *testing.T) {
	a, b := startServer(t), startServer(t)
	want := testDemoUnits // the first units of the city
	ua := pages[demoUnit](a, a.login("admin-1"), "/api/v1/units")
	ub := pages[demoUnit](b, b.login("admin-1"), "/api/v1/units")
	require.Len(t, ua, want)
	require.Len(t, ub, want)
	for i := range ua {
		// Grades follow the hazards as the relay delivers them: not
		// compared.
		ua[i].Grade, ub[i].Grade = "", ""
	}
	assert.Equal(t, ua, ub)
}

// BenchmarkDemoStart measures a demo server's start on memory: the city
// configuration read, the demo users, the 200 units with their points and
// their history seeded, nothing served.
func BenchmarkDemoStart(b *testing.B) {
	for b.Loop() {
		s, err := server.New(context.Background(), server.Config{Addr: "127.0.0.1:0", Demo: true, PhotoDir: b.TempDir(),
			TokenSecret: []byte("0123456789abcdef0123456789abcdef"), Logger: quietLogger(), Notifier: notify.NewRecorder(notify.ChannelLog, nil)})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
