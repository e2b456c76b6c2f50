// Package risktest is the conformance kit of risk.Store: any adapter runs
// it with one call and proves that it keeps every promise of the port.
//
//	func TestStore(t *testing.T) {
//		risktest.TestStore(t, func(t *testing.T) (risk.Store, hazard.EventLog) {
//			log := memstore.New()
//			return memrisk.New(log), log
//		})
//	}
package risktest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

// Opener returns an empty store and the event log it appends units' events
// to. TestStore calls it once per subtest.
type Opener func(t *testing.T) (risk.Store, hazard.EventLog)

// Epoch is the creation time of the units the kit makes.
var Epoch = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

// CreditCode returns a valid unified social credit code made from n: the
// registration authority 9 (industry and commerce), type 1 (enterprise),
// division 110000, organisation code n in nine digits, and its check
// character.
func CreditCode(n int) string {
	body := fmt.Sprintf("91110000%09d", n)
	c, _ := risk.CreditCheckChar(body)
	return body + string(c)
}

// NewUnit returns a valid unit numbered n, of version 1, in the department
// "dept<n%3>" (and "all"), district "d<n%2>", industry "ind<n%4>", grade
// blue, due 30+n days after Epoch.
func NewUnit(n int) risk.Unit {
	return risk.Unit{
		ID:          uuid.Must(uuid.NewV7()),
		CreditCode:  CreditCode(n),
		Name:        fmt.Sprintf("Unit %d", n),
		Industry:    fmt.Sprintf("ind%d", n%4),
		Size:        risk.SizeSmall,
		Location:    hazard.Location{Address: fmt.Sprintf("%d Road", n), District: fmt.Sprintf("d%d", n%2), Point: &hazard.Point{Lat: 39.9, Lng: 116.4, System: hazard.WGS84}},
		Departments: []string{fmt.Sprintf("dept%d", n%3), "all"},
		Contacts:    []hazard.Contact{{Name: "Safety Manager", Phone: "13800000000"}},
		Grade:       risk.Blue,
		DueAt:       risk.Day(Epoch).AddDate(0, 0, 30+n),
		Version:     1,
		CreatedAt:   Epoch,
		UpdatedAt:   Epoch,
	}
}

// NewPoint returns a valid risk point of the unit with its first
// assessment (by hand, grade g).
func NewPoint(unitID uuid.UUID, g risk.Grade) (risk.Point, risk.Assessment) {
	p := risk.Point{ID: uuid.Must(uuid.NewV7()), UnitID: unitID, Name: "boiler room", Kind: risk.KindDevice, Version: 1, CreatedAt: Epoch, UpdatedAt: Epoch}
	a := Reassess(p, g)
	p.Grade, p.Assessment = a.Grade, a.ID
	return p, a
}

// Reassess returns a new assessment of p (by hand, grade g).
func Reassess(p risk.Point, g risk.Grade) risk.Assessment {
	return risk.Assessment{ID: uuid.Must(uuid.NewV7()), PointID: p.ID, UnitID: p.UnitID, Method: risk.MethodManual, Grade: g,
		Reason: "kit", By: hazard.Actor{ID: "kit", Role: "admin"}, At: Epoch}
}

func unitEvent(u *risk.Unit, typ hazard.EventType) hazard.Event {
	return hazard.Event{Subject: u.Subject(), Type: typ, Actor: hazard.System, Time: Epoch}
}

func code(err error) hazard.Code { return hazard.ErrorCode(err) }

func field(err error) string {
	var e *hazard.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// TestStore runs the conformance suite against the stores open makes.
func TestStore(t *testing.T, open Opener) {
	t.Run("CreateAndGetUnit", func(t *testing.T) { testCreateGet(t, open) })
	t.Run("CreateRefusesBadUnits", func(t *testing.T) { testCreateInvalid(t, open) })
	t.Run("CreateConflicts", func(t *testing.T) { testCreateConflict(t, open) })
	t.Run("UpdateWithVersions", func(t *testing.T) { testUpdate(t, open) })
	t.Run("UpdateRace", func(t *testing.T) { testUpdateRace(t, open) })
	t.Run("ListUnits", func(t *testing.T) { testList(t, open) })
	t.Run("Points", func(t *testing.T) { testPoints(t, open) })
	t.Run("AssessRace", func(t *testing.T) { testAssessRace(t, open) })
	t.Run("PointLimit", func(t *testing.T) { testPointLimit(t, open) })
	t.Run("Due", func(t *testing.T) { testDue(t, open) })
	t.Run("UnitRefs", func(t *testing.T) { testUnitRefs(t, open) })
	t.Run("PublicUnits", func(t *testing.T) { testPublicUnits(t, open) })
}

func mustCreate(t *testing.T, st risk.Store, u risk.Unit) risk.Unit {
	t.Helper()
	got, err := st.CreateUnit(context.Background(), u, []hazard.Event{unitEvent(&u, risk.EventUnitRegistered)})
	if err != nil {
		t.Fatalf("CreateUnit(%d): %v", u.Version, err)
	}
	return got
}

func lastSeq(t *testing.T, log hazard.EventLog) int64 {
	t.Helper()
	n, err := log.LastSeq(context.Background())
	if err != nil {
		t.Fatalf("LastSeq: %v", err)
	}
	return n
}

func sameUnit(a, b risk.Unit) bool {
	return a.ID == b.ID && a.CreditCode == b.CreditCode && a.Name == b.Name && a.Version == b.Version &&
		a.Grade == b.Grade && a.DueAt.Equal(b.DueAt) && slices.Equal(a.Departments, b.Departments) &&
		slices.Equal(a.Contacts, b.Contacts) && a.CreatedAt.Equal(b.CreatedAt) && a.Location.Address == b.Location.Address &&
		(a.Location.Point == nil) == (b.Location.Point == nil) && a.Facts == b.Facts
}

func testCreateGet(t *testing.T, open Opener) {
	ctx := context.Background()
	st, log := open(t)
	before := lastSeq(t, log)
	u := NewUnit(1)
	got := mustCreate(t, st, u)
	if !sameUnit(got, u) {
		t.Errorf("CreateUnit returned %+v, want %+v", got, u)
	}
	evs, err := log.SubjectEvents(ctx, u.Subject(), before, 0)
	if err != nil || len(evs) != 1 || evs[0].Type != risk.EventUnitRegistered {
		t.Errorf("SubjectEvents after CreateUnit = %v, %v; want the one event", evs, err)
	}
	got.Departments[0] = "mutated"
	got.Location.Point.Lat = 0
	again, err := st.GetUnit(ctx, u.ID)
	if err != nil || !sameUnit(again, u) || again.Location.Point.Lat != u.Location.Point.Lat {
		t.Errorf("GetUnit after mutating the returned copy = %+v, %v; want %+v", again, err, u)
	}
	byCode, err := st.GetUnitByCode(ctx, u.CreditCode)
	if err != nil || byCode.ID != u.ID {
		t.Errorf("GetUnitByCode = %v, %v; want %v", byCode.ID, err, u.ID)
	}
	if _, err := st.GetUnit(ctx, uuid.Must(uuid.NewV7())); code(err) != hazard.CodeNotFound {
		t.Errorf("GetUnit(unknown) error = %v, want not_found", err)
	}
	if _, err := st.GetUnitByCode(ctx, CreditCode(2)); code(err) != hazard.CodeNotFound {
		t.Errorf("GetUnitByCode(unknown) error = %v, want not_found", err)
	}
}

func testCreateInvalid(t *testing.T, open Opener) {
	ctx := context.Background()
	st, log := open(t)
	before := lastSeq(t, log)
	good := NewUnit(1)
	wrongCheck := good
	c := []byte(good.CreditCode)
	c[17] = map[bool]byte{true: '1', false: '0'}[c[17] == '0']
	wrongCheck.CreditCode = string(c)
	tests := []struct {
		name, field string
		unit        risk.Unit
		events      []hazard.Event
	}{
		{"wrong check character", "credit_code", wrongCheck, nil},
		{"short code", "credit_code", func() risk.Unit { u := good; u.CreditCode = "91110000"; return u }(), nil},
		{"letter outside the alphabet", "credit_code", func() risk.Unit { u := good; u.CreditCode = "I" + good.CreditCode[1:]; return u }(), nil},
		{"no name", "name", func() risk.Unit { u := good; u.Name = ""; return u }(), nil},
		{"no department", "departments", func() risk.Unit { u := good; u.Departments = nil; return u }(), nil},
		{"bad size", "size", func() risk.Unit { u := good; u.Size = "huge"; return u }(), nil},
		{"version 2", "version", func() risk.Unit { u := good; u.Version = 2; return u }(), nil},
		{"event of another unit", "events[0].subject", good, []hazard.Event{unitEvent(&wrongCheck, "x")}},
	}
	for _, tt := range tests {
		if tt.name == "event of another unit" {
			tt.events[0].Subject.ID = uuid.Must(uuid.NewV7()).String()
		}
		_, err := st.CreateUnit(ctx, tt.unit, tt.events)
		if code(err) != hazard.CodeInvalid || field(err) != tt.field {
			t.Errorf("CreateUnit(%s) error = %v (field %q), want invalid on %q", tt.name, err, field(err), tt.field)
		}
	}
	if _, err := st.GetUnit(ctx, good.ID); code(err) != hazard.CodeNotFound {
		t.Errorf("GetUnit after refused creates: %v, want not_found", err)
	}
	if n := lastSeq(t, log); n != before {
		t.Errorf("LastSeq after refused creates = %d, want %d", n, before)
	}
}

func testCreateConflict(t *testing.T, open Opener) {
	ctx := context.Background()
	st, log := open(t)
	u := mustCreate(t, st, NewUnit(1))
	before := lastSeq(t, log)
	sameID := NewUnit(2)
	sameID.ID = u.ID
	if _, err := st.CreateUnit(ctx, sameID, []hazard.Event{unitEvent(&sameID, "x")}); code(err) != hazard.CodeConflict {
		t.Errorf("CreateUnit(same ID) error = %v, want conflict", err)
	}
	sameCode := NewUnit(1)
	if _, err := st.CreateUnit(ctx, sameCode, []hazard.Event{unitEvent(&sameCode, "x")}); code(err) != hazard.CodeConflict {
		t.Errorf("CreateUnit(same credit code) error = %v, want conflict", err)
	}
	if _, err := st.GetUnit(ctx, sameCode.ID); code(err) != hazard.CodeNotFound {
		t.Errorf("GetUnit(refused) error = %v, want not_found", err)
	}
	if n := lastSeq(t, log); n != before {
		t.Errorf("LastSeq after conflicts = %d, want %d", n, before)
	}
}

func testUpdate(t *testing.T, open Opener) {
	ctx := context.Background()
	st, log := open(t)
	u := mustCreate(t, st, NewUnit(1))
	next := u.Clone()
	next.Name, next.Grade = "Renamed", risk.Red
	got, err := st.UpdateUnit(ctx, next, 1, []hazard.Event{unitEvent(&u, risk.EventGradeChanged)})
	if err != nil || got.Version != 2 || got.Name != "Renamed" {
		t.Fatalf("UpdateUnit = %+v, %v; want version 2", got, err)
	}
	stored, _ := st.GetUnit(ctx, u.ID)
	if stored.Version != 2 || stored.Grade != risk.Red {
		t.Errorf("GetUnit after update = version %d grade %s, want 2 red", stored.Version, stored.Grade)
	}
	before := lastSeq(t, log)
	next.Name = "Stale"
	_, err = st.UpdateUnit(ctx, next, 1, []hazard.Event{unitEvent(&u, "x")})
	var e *hazard.Error
	if !errors.As(err, &e) || e.Code != hazard.CodeConflict || e.Version != 2 {
		t.Errorf("UpdateUnit(stale) error = %v, want conflict with version 2", err)
	}
	missing := NewUnit(9)
	if _, err := st.UpdateUnit(ctx, missing, 1, nil); code(err) != hazard.CodeNotFound {
		t.Errorf("UpdateUnit(missing) error = %v, want not_found", err)
	}
	for _, tt := range []struct {
		field  string
		change func(*risk.Unit)
	}{
		{"credit_code", func(u *risk.Unit) { u.CreditCode = CreditCode(7) }},
		{"created_at", func(u *risk.Unit) { u.CreatedAt = u.CreatedAt.Add(time.Hour) }},
	} {
		bad := stored.Clone()
		tt.change(&bad)
		if _, err := st.UpdateUnit(ctx, bad, 2, []hazard.Event{unitEvent(&u, "x")}); code(err) != hazard.CodeInvalid || field(err) != tt.field {
			t.Errorf("UpdateUnit(change %s) error = %v, want invalid on %s", tt.field, err, tt.field)
		}
	}
	invalid := stored.Clone()
	invalid.Name = ""
	if _, err := st.UpdateUnit(ctx, invalid, 2, nil); code(err) != hazard.CodeInvalid {
		t.Errorf("UpdateUnit(invalid) error = %v, want invalid", err)
	}
	if n := lastSeq(t, log); n != before {
		t.Errorf("LastSeq after refused updates = %d, want %d", n, before)
	}
	if again, _ := st.GetUnit(ctx, u.ID); again.Version != 2 || again.Name != "Renamed" {
		t.Errorf("GetUnit after refused updates = version %d name %q, want 2 Renamed", again.Version, again.Name)
	}
}

func testUpdateRace(t *testing.T, open Opener) {
	ctx := context.Background()
	st, log := open(t)
	u := mustCreate(t, st, NewUnit(1))
	before := lastSeq(t, log)
	const racers = 20
	start := make(chan struct{})
	errs := make(chan error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := u.Clone()
			next.Name = fmt.Sprintf("racer %d", i)
			<-start
			_, err := st.UpdateUnit(ctx, next, 1, []hazard.Event{unitEvent(&u, "raced")})
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	wins, conflicts := 0, 0
	for err := range errs {
		switch code(err) {
		case "":
			wins++
		case hazard.CodeConflict:
			conflicts++
		default:
			t.Errorf("racing UpdateUnit error = %v, want nil or conflict", err)
		}
	}
	if wins != 1 || conflicts != racers-1 {
		t.Errorf("racing UpdateUnit: %d wins and %d conflicts, want 1 and %d", wins, conflicts, racers-1)
	}
	if n := lastSeq(t, log); n != before+1 {
		t.Errorf("LastSeq after the race = %d, want %d (the winner's event alone)", n, before+1)
	}
	if got, _ := st.GetUnit(ctx, u.ID); got.Version != 2 {
		t.Errorf("version after the race = %d, want 2", got.Version)
	}
}

func testList(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := open(t)
	var all []risk.Unit
	for i := range 25 {
		u := NewUnit(i)
		u.Grade = risk.Grades[i%4]
		u.Grid = fmt.Sprintf("g%d", i%5)
		all = append(all, mustCreate(t, st, u))
	}
	slices.SortFunc(all, func(a, b risk.Unit) int { return compareID(a.ID, b.ID) })
	filters := []risk.UnitFilter{{}, {Department: "dept1"}, {Department: "all"}, {District: "d0"}, {Grid: "g3"},
		{Industry: "ind2"}, {Grade: risk.Red}, {Department: "dept2", Grade: risk.Yellow}, {Department: "none"}}
	for _, f := range filters {
		var want []uuid.UUID
		for i := range all {
			if f.Matches(&all[i]) {
				want = append(want, all[i].ID)
			}
		}
		var got []uuid.UUID
		p := hazard.Page{Limit: 4}
		for pages := 0; ; pages++ {
			l, err := st.ListUnits(ctx, f, p)
			if err != nil {
				t.Fatalf("ListUnits(%+v): %v", f, err)
			}
			if len(l.Items) > 4 || pages > 30 {
				t.Fatalf("ListUnits(%+v) returned %d items on page %d", f, len(l.Items), pages)
			}
			for _, u := range l.Items {
				got = append(got, u.ID)
			}
			if l.Next == "" {
				break
			}
			p.Cursor = l.Next
		}
		if !slices.Equal(got, want) {
			t.Errorf("ListUnits(%+v) walked %d units, want %d in ID order", f, len(got), len(want))
		}
	}
	// A walk while units are added neither skips nor repeats.
	first, err := st.ListUnits(ctx, risk.UnitFilter{}, hazard.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, st, NewUnit(100))
	rest, err := st.ListUnits(ctx, risk.UnitFilter{}, hazard.Page{Limit: 100, Cursor: first.Next})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(first.Items) + len(rest.Items); n != 26 {
		t.Errorf("walk while adding: %d units, want 26", n)
	}
	if _, err := st.ListUnits(ctx, risk.UnitFilter{}, hazard.Page{Cursor: "bogus"}); code(err) != hazard.CodeInvalid {
		t.Errorf("ListUnits(foreign cursor) error = %v, want invalid", err)
	}
	if _, err := st.ListUnits(ctx, risk.UnitFilter{}, hazard.Page{Limit: -1}); code(err) != hazard.CodeInvalid {
		t.Errorf("ListUnits(limit -1) error = %v, want invalid", err)
	}
	for i := range hazard.MaxPageLimit {
		mustCreate(t, st, NewUnit(200+i))
	}
	l, err := st.ListUnits(ctx, risk.UnitFilter{}, hazard.Page{Limit: 1000})
	if err != nil || len(l.Items) != hazard.MaxPageLimit || l.Next == "" {
		t.Errorf("ListUnits(limit 1000) = %d items, %v; want the cap %d", len(l.Items), err, hazard.MaxPageLimit)
	}
}

func compareID(a, b uuid.UUID) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func testPoints(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := open(t)
	u := mustCreate(t, st, NewUnit(1))
	orphan, oa := NewPoint(uuid.Must(uuid.NewV7()), risk.Red)
	if _, err := st.CreatePoint(ctx, orphan, oa); code(err) != hazard.CodeNotFound {
		t.Errorf("CreatePoint(unknown unit) error = %v, want not_found", err)
	}
	p, a := NewPoint(u.ID, risk.Yellow)
	mismatch := Reassess(p, risk.Red)
	if _, err := st.CreatePoint(ctx, p, mismatch); code(err) != hazard.CodeInvalid {
		t.Errorf("CreatePoint(assessment not the point's) error = %v, want invalid", err)
	}
	if _, err := st.GetPoint(ctx, p.ID); code(err) != hazard.CodeNotFound {
		t.Errorf("GetPoint after a refused create = %v, want not_found", err)
	}
	got, err := st.CreatePoint(ctx, p, a)
	if err != nil || got.Version != 1 || got.Grade != risk.Yellow {
		t.Fatalf("CreatePoint = %+v, %v", got, err)
	}
	dup := p
	dupA := Reassess(p, risk.Yellow)
	dup.Assessment = dupA.ID
	if _, err := st.CreatePoint(ctx, dup, dupA); code(err) != hazard.CodeConflict {
		t.Errorf("CreatePoint(same ID) error = %v, want conflict", err)
	}
	p2, a2 := NewPoint(u.ID, risk.Blue)
	if _, err := st.CreatePoint(ctx, p2, a2); err != nil {
		t.Fatal(err)
	}
	ps, err := st.Points(ctx, u.ID)
	if err != nil || len(ps) != 2 || ps[0].ID != p.ID || ps[1].ID != p2.ID {
		t.Errorf("Points = %v, %v; want the two points in ID order", ps, err)
	}
	if ps, err := st.Points(ctx, uuid.Must(uuid.NewV7())); err != nil || len(ps) != 0 {
		t.Errorf("Points(unknown unit) = %v, %v; want none", ps, err)
	}
	// Assessments: history kept, newest first, paged.
	want := []uuid.UUID{a.ID}
	cur := got
	for i := range 4 {
		na := Reassess(cur, risk.Grades[i])
		next := cur
		next.Grade, next.Assessment = na.Grade, na.ID
		cur, err = st.AssessPoint(ctx, next, cur.Version, na)
		if err != nil {
			t.Fatalf("AssessPoint #%d: %v", i, err)
		}
		want = append(want, na.ID)
	}
	if cur.Version != 5 || cur.Grade != risk.Red {
		t.Errorf("point after 4 assessments: version %d grade %s, want 5 red", cur.Version, cur.Grade)
	}
	slices.Reverse(want)
	var hist []uuid.UUID
	page := hazard.Page{Limit: 2}
	for {
		l, err := st.Assessments(ctx, p.ID, page)
		if err != nil {
			t.Fatalf("Assessments: %v", err)
		}
		for _, x := range l.Items {
			hist = append(hist, x.ID)
		}
		if l.Next == "" {
			break
		}
		page.Cursor = l.Next
	}
	if !slices.Equal(hist, want) {
		t.Errorf("Assessments walked %v, want %v (newest first)", hist, want)
	}
	if _, err := st.Assessments(ctx, p.ID, hazard.Page{Cursor: "x"}); code(err) != hazard.CodeInvalid {
		t.Errorf("Assessments(foreign cursor) = %v, want invalid", err)
	}
	// Stale and missing.
	stale := Reassess(cur, risk.Blue)
	next := cur
	next.Grade, next.Assessment = stale.Grade, stale.ID
	_, err = st.AssessPoint(ctx, next, 1, stale)
	var e *hazard.Error
	if !errors.As(err, &e) || e.Code != hazard.CodeConflict || e.Version != 5 {
		t.Errorf("AssessPoint(stale) error = %v, want conflict with version 5", err)
	}
	moved := next
	moved.UnitID = uuid.Must(uuid.NewV7())
	movedA := stale
	movedA.UnitID = moved.UnitID
	if _, err := st.AssessPoint(ctx, moved, 5, movedA); code(err) != hazard.CodeInvalid || field(err) != "unit_id" {
		t.Errorf("AssessPoint(moving unit) error = %v, want invalid on unit_id", err)
	}
	if l, _ := st.Assessments(ctx, p.ID, hazard.Page{Limit: 100}); len(l.Items) != 5 {
		t.Errorf("history after refused assessments has %d entries, want 5", len(l.Items))
	}
	ghost, ga := NewPoint(u.ID, risk.Red)
	if _, err := st.AssessPoint(ctx, ghost, 1, ga); code(err) != hazard.CodeNotFound {
		t.Errorf("AssessPoint(missing) error = %v, want not_found", err)
	}
}

func testAssessRace(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := open(t)
	u := mustCreate(t, st, NewUnit(1))
	p, a := NewPoint(u.ID, risk.Blue)
	if _, err := st.CreatePoint(ctx, p, a); err != nil {
		t.Fatal(err)
	}
	const racers = 20
	start := make(chan struct{})
	errs := make(chan error, racers)
	var wg sync.WaitGroup
	for range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			na := Reassess(p, risk.Red)
			next := p
			next.Grade, next.Assessment = na.Grade, na.ID
			<-start
			_, err := st.AssessPoint(ctx, next, 1, na)
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	wins := 0
	for err := range errs {
		switch code(err) {
		case "":
			wins++
		case hazard.CodeConflict:
		default:
			t.Errorf("racing AssessPoint error = %v", err)
		}
	}
	if wins != 1 {
		t.Errorf("racing AssessPoint: %d wins, want 1", wins)
	}
	if l, _ := st.Assessments(ctx, p.ID, hazard.Page{Limit: 100}); len(l.Items) != 2 {
		t.Errorf("history after the race has %d entries, want 2", len(l.Items))
	}
}

func testPointLimit(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := open(t)
	u := mustCreate(t, st, NewUnit(1))
	for i := range risk.MaxPointsPerUnit {
		p, a := NewPoint(u.ID, risk.Blue)
		if _, err := st.CreatePoint(ctx, p, a); err != nil {
			t.Fatalf("CreatePoint #%d: %v", i, err)
		}
	}
	p, a := NewPoint(u.ID, risk.Blue)
	if _, err := st.CreatePoint(ctx, p, a); code(err) != hazard.CodeInvalid || field(err) != "unit_id" {
		t.Errorf("CreatePoint beyond MaxPointsPerUnit error = %v, want invalid on unit_id", err)
	}
	if ps, _ := st.Points(ctx, u.ID); len(ps) != risk.MaxPointsPerUnit {
		t.Errorf("Points = %d, want %d", len(ps), risk.MaxPointsPerUnit)
	}
}

func walkDue(t *testing.T, st risk.Store, q risk.DueQuery) []risk.DueEntry {
	t.Helper()
	var out []risk.DueEntry
	for pages := 0; ; pages++ {
		l, err := st.Due(context.Background(), q)
		if err != nil {
			t.Fatalf("Due(%+v): %v", q, err)
		}
		if q.Limit > 0 && len(l.Items) > q.Limit || pages > 100 {
			t.Fatalf("Due returned %d items on page %d", len(l.Items), pages)
		}
		out = append(out, l.Items...)
		if l.Next == "" {
			return out
		}
		q.Cursor = l.Next
	}
}

func testDue(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := open(t)
	var units []risk.Unit
	for i := range 30 {
		u := NewUnit(i)
		u.DueAt = risk.Day(Epoch).AddDate(0, 0, i%10) // several units a day
		u.Grade = risk.Grades[i%4]
		if i == 29 {
			u.DueAt = time.Time{} // not indexed
		}
		units = append(units, mustCreate(t, st, u))
	}
	want := func(dept string, before time.Time, grades []risk.Grade) []risk.DueEntry {
		var out []risk.DueEntry
		for _, u := range units {
			if !u.DueAt.IsZero() && slices.Contains(u.Departments, dept) && u.DueAt.Before(before) &&
				(len(grades) == 0 || slices.Contains(grades, u.Grade)) {
				out = append(out, risk.DueEntry{UnitID: u.ID, Grade: u.Grade, DueAt: u.DueAt})
			}
		}
		slices.SortFunc(out, func(a, b risk.DueEntry) int {
			if c := a.DueAt.Compare(b.DueAt); c != 0 {
				return c
			}
			return compareID(a.UnitID, b.UnitID)
		})
		return out
	}
	check := func(q risk.DueQuery) {
		t.Helper()
		got := walkDue(t, st, q)
		w := want(q.Department, q.Before, q.Grades)
		if len(got) != len(w) {
			t.Errorf("Due(%s, before %s, %v) = %d entries, want %d", q.Department, q.Before.Format(time.DateOnly), q.Grades, len(got), len(w))
			return
		}
		for i := range got {
			if got[i].UnitID != w[i].UnitID || got[i].Grade != w[i].Grade || !got[i].DueAt.Equal(w[i].DueAt) {
				t.Errorf("Due(%s) entry %d = %+v, want %+v", q.Department, i, got[i], w[i])
				return
			}
		}
	}
	day := risk.Day(Epoch)
	check(risk.DueQuery{Department: "all", Before: day.AddDate(0, 0, 100), Limit: 4})
	check(risk.DueQuery{Department: "all", Before: day.AddDate(0, 0, 5), Limit: 3})
	check(risk.DueQuery{Department: "dept1", Before: day.AddDate(0, 0, 7), Limit: 2})
	check(risk.DueQuery{Department: "all", Before: day.AddDate(0, 0, 100), Grades: []risk.Grade{risk.Blue}, Limit: 2})
	check(risk.DueQuery{Department: "all", Before: day.AddDate(0, 0, 100), Grades: []risk.Grade{risk.Red, risk.Orange}})
	check(risk.DueQuery{Department: "nobody", Before: day.AddDate(0, 0, 100)})
	// An update moves the unit in the index, for every department it
	// leaves or joins.
	u := units[0]
	next := u.Clone()
	next.DueAt = day.AddDate(0, 0, 50)
	next.Departments = []string{"dept2"}
	next.Grade = risk.Red
	stored, err := st.UpdateUnit(ctx, next, u.Version, nil)
	if err != nil {
		t.Fatal(err)
	}
	units[0] = stored
	check(risk.DueQuery{Department: "all", Before: day.AddDate(0, 0, 100)})
	check(risk.DueQuery{Department: "dept0", Before: day.AddDate(0, 0, 100)})
	check(risk.DueQuery{Department: "dept2", Before: day.AddDate(0, 0, 100), Limit: 1})
	// Bad queries.
	for _, q := range []risk.DueQuery{{Before: day}, {Department: "all"}, {Department: "all", Before: day, Cursor: "nope"},
		{Department: "all", Before: day, Limit: -1}, {Department: "all", Before: day, Grades: []risk.Grade{"pink"}}} {
		if _, err := st.Due(ctx, q); code(err) != hazard.CodeInvalid {
			t.Errorf("Due(%+v) error = %v, want invalid", q, err)
		}
	}
	if l, err := st.Due(ctx, risk.DueQuery{Department: "all", Before: day.AddDate(1, 0, 0), Limit: 5000}); err != nil || len(l.Items) != 28 {
		t.Errorf("Due(limit 5000) = %d items, %v; want 28", len(l.Items), err)
	}
}
