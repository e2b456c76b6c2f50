// Package inspectiontest is the conformance kit of inspection.Store: one
// call runs every promise of the port's doc comments against an adapter,
//
//	inspectiontest.TestStore(t, func(t *testing.T) inspectiontest.Harness { ... })
//
// and TestLoop drives the whole regulators' loop (units graded, a plan, an
// inspection raising hazards, rectification, re-inspection, close-out, a
// spot check that reopens one) over a set of stores, so that the memory
// and the PostgreSQL adapters are shown to carry it alike.
package inspectiontest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
)

// Harness is an empty store and the event log it appends to.
type Harness struct {
	Store inspection.Store
	Log   hazard.EventLog
}

var ctx = context.Background()

// Epoch is the time the kit's records are made at.
var Epoch = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

// Checklist returns a valid unpublished checklist id with n items.
func Checklist(id string, n int) inspection.Checklist {
	c := inspection.Checklist{ID: id, Title: "Checklist " + id, Industry: "chemicals", Department: "emergency", Category: "hazardous_chemicals"}
	for i := range n {
		it := inspection.Item{Code: fmt.Sprintf("I-%02d", i+1), Text: "check " + fmt.Sprint(i+1), Basis: inspection.Basis{Standard: "GB 1"}, DeadlineDays: 7}
		if i == 0 {
			it.Criterion = "a criterion"
		}
		c.Items = append(c.Items, it)
	}
	return c
}

// Inspection returns a valid open visit of the checklist "list" version 1.
func Inspection(dept string) inspection.Inspection {
	return inspection.Inspection{
		ID: uuid.Must(uuid.NewV7()), Kind: inspection.KindEnforcement, UnitID: uuid.Must(uuid.NewV7()),
		Unit:       inspection.UnitInfo{Name: "Unit", Industry: "chemicals", Location: hazard.Location{Address: "1 Road", District: "110101"}},
		Department: dept, Inspectors: []string{"i-1", "i-2"}, Checklist: "list", ChecklistVersion: 1,
		Status: inspection.StatusOpen, StartedAt: Epoch, Version: 1,
	}
}

func started(in *inspection.Inspection) []hazard.Event {
	return []hazard.Event{{Subject: inspection.Subject(in.ID), Type: inspection.EventStarted, Actor: hazard.Actor{ID: "i-1", Role: "inspector"}, Time: Epoch}}
}

func finished(in inspection.Inspection) (inspection.Inspection, []hazard.Event) {
	in.Status, in.FinishedAt, in.FinishedBy = inspection.StatusFinished, Epoch.Add(time.Hour), hazard.User{ID: "i-1", Role: "inspector"}
	in.Results = []inspection.Result{{Item: "I-01", Outcome: inspection.Compliant}}
	return in, []hazard.Event{{Subject: inspection.Subject(in.ID), Type: inspection.EventFinished, Actor: hazard.Actor{ID: "i-1", Role: "inspector"}, Time: in.FinishedAt}}
}

func code(t *testing.T, err error, want hazard.Code, call string) {
	t.Helper()
	if got := hazard.ErrorCode(err); got != want {
		t.Errorf("%s: got code %q (%v), want %q", call, got, err, want)
	}
}

func subjectEvents(t *testing.T, log hazard.EventLog, s hazard.Subject) []hazard.Event {
	t.Helper()
	evs, err := log.SubjectEvents(ctx, s, 0, 0)
	require.NoError(t, err)
	return evs
}

// TestStore runs every promise of inspection.Store against the stores
// open returns, one fresh store per subtest.
func TestStore(t *testing.T, open func(t *testing.T) Harness) {
	t.Run("ChecklistVersions", func(t *testing.T) {
		h := open(t)
		c := Checklist("list", 3)
		c.Version = 1
		got, err := h.Store.CreateChecklist(ctx, c)
		require.NoError(t, err)
		assert.Equal(t, c, got, "CreateChecklist returns what it stored")
		_, err = h.Store.CreateChecklist(ctx, c)
		code(t, err, hazard.CodeConflict, "CreateChecklist of a version taken")
		c.Version = 3
		_, err = h.Store.CreateChecklist(ctx, c)
		code(t, err, hazard.CodeConflict, "CreateChecklist leaving a gap")
		c.Version, c.Title = 2, "Second"
		_, err = h.Store.CreateChecklist(ctx, c)
		require.NoError(t, err)
		latest, err := h.Store.GetChecklist(ctx, "list", 0)
		require.NoError(t, err)
		assert.Equal(t, 2, latest.Version, "GetChecklist(0) is the latest")
		first, err := h.Store.GetChecklist(ctx, "list", 1)
		require.NoError(t, err)
		assert.Equal(t, "Checklist list", first.Title, "a published version never changes")
		first.Items[0].Text = "changed by the caller"
		again, _ := h.Store.GetChecklist(ctx, "list", 1)
		assert.Equal(t, "check 1", again.Items[0].Text, "the store copies checklists out")
		_, err = h.Store.GetChecklist(ctx, "list", 3)
		code(t, err, hazard.CodeNotFound, "GetChecklist of a missing version")
		_, err = h.Store.GetChecklist(ctx, "none", 0)
		code(t, err, hazard.CodeNotFound, "GetChecklist of a missing list")
		bad := Checklist("bad", 2)
		bad.Version, bad.Items[1].Code = 1, bad.Items[0].Code
		_, err = h.Store.CreateChecklist(ctx, bad)
		code(t, err, hazard.CodeInvalid, "CreateChecklist with a duplicate code")
		_, err = h.Store.GetChecklist(ctx, "bad", 0)
		code(t, err, hazard.CodeNotFound, "an invalid checklist is not stored")
	})
	t.Run("ListChecklists", func(t *testing.T) {
		h := open(t)
		for i, id := range []string{"b", "a", "c"} {
			c := Checklist(id, 1)
			c.Version = 1
			if i == 2 {
				c.Department = "fire"
			}
			_, err := h.Store.CreateChecklist(ctx, c)
			require.NoError(t, err)
		}
		c := Checklist("a", 2)
		c.Version = 2
		_, err := h.Store.CreateChecklist(ctx, c)
		require.NoError(t, err)
		got, err := h.Store.ListChecklists(ctx, inspection.ChecklistFilter{Department: "emergency"})
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, "a", got[0].ID, "sorted by ID")
		assert.Equal(t, 2, got[0].Version, "the latest version")
		assert.Equal(t, "b", got[1].ID)
	})
	t.Run("CreateGetInspection", func(t *testing.T) {
		h := open(t)
		in := Inspection("emergency")
		got, err := h.Store.CreateInspection(ctx, in, started(&in))
		require.NoError(t, err)
		assert.Equal(t, in, got)
		assert.Len(t, subjectEvents(t, h.Log, inspection.Subject(in.ID)), 1, "the event is appended with the visit")
		_, err = h.Store.CreateInspection(ctx, in, nil)
		code(t, err, hazard.CodeConflict, "CreateInspection with an ID taken")
		got.Inspectors[0] = "x"
		again, err := h.Store.GetInspection(ctx, in.ID)
		require.NoError(t, err)
		assert.Equal(t, "i-1", again.Inspectors[0], "the store copies visits out")
		_, err = h.Store.GetInspection(ctx, uuid.Must(uuid.NewV7()))
		code(t, err, hazard.CodeNotFound, "GetInspection of a missing visit")
		bad := Inspection("emergency")
		bad.Inspectors = nil
		_, err = h.Store.CreateInspection(ctx, bad, started(&bad))
		code(t, err, hazard.CodeInvalid, "CreateInspection without inspectors")
		_, err = h.Store.GetInspection(ctx, bad.ID)
		code(t, err, hazard.CodeNotFound, "an invalid visit is not stored")
		assert.Empty(t, subjectEvents(t, h.Log, inspection.Subject(bad.ID)), "nor its events")
		wrong := Inspection("emergency")
		_, err = h.Store.CreateInspection(ctx, wrong, started(&in))
		code(t, err, hazard.CodeInvalid, "CreateInspection with another visit's events")
	})
	t.Run("UpdateInspection", func(t *testing.T) {
		h := open(t)
		in := Inspection("emergency")
		_, err := h.Store.CreateInspection(ctx, in, started(&in))
		require.NoError(t, err)
		moved := in
		moved.UnitID = uuid.Must(uuid.NewV7())
		_, err = h.Store.UpdateInspection(ctx, moved, 1, nil)
		code(t, err, hazard.CodeInvalid, "UpdateInspection changing the unit")
		done, evs := finished(in)
		_, err = h.Store.UpdateInspection(ctx, done, 2, evs)
		code(t, err, hazard.CodeConflict, "UpdateInspection at a stale version")
		var e *hazard.Error
		if errors.As(err, &e) {
			assert.Equal(t, int64(1), e.Version, "the conflict carries the stored version")
		}
		got, err := h.Store.UpdateInspection(ctx, done, 1, evs)
		require.NoError(t, err)
		assert.Equal(t, int64(2), got.Version)
		assert.Len(t, subjectEvents(t, h.Log, inspection.Subject(in.ID)), 2)
		_, err = h.Store.UpdateInspection(ctx, got, 2, nil)
		code(t, err, hazard.CodeConflict, "UpdateInspection of a finished visit")
		_, err = h.Store.UpdateInspection(ctx, Inspection("x"), 1, nil)
		code(t, err, hazard.CodeNotFound, "UpdateInspection of a missing visit")
	})
	t.Run("OpenVisitProgress", func(t *testing.T) {
		// An open visit's results are recorded item by item and its people
		// trained: each update keeps them, with their photos, and returns
		// what it stored; the caller's later changes do not reach the store.
		h := open(t)
		in := Inspection("emergency")
		_, err := h.Store.CreateInspection(ctx, in, started(&in))
		require.NoError(t, err)
		rec := func(item string) []hazard.Event {
			return []hazard.Event{{Subject: inspection.Subject(in.ID), Type: inspection.EventResultRecorded, Actor: hazard.Actor{ID: "i-1", Role: "inspector"}, Time: Epoch,
				Data: map[string]string{inspection.DataItem: item}}}
		}
		in.Results = []inspection.Result{{Item: "I-02", Outcome: inspection.NonCompliant, Note: "no alarm", Photos: []hazard.Photo{Photo(1)}, Severity: hazard.SeverityGeneral}}
		got, err := h.Store.UpdateInspection(ctx, in, 1, rec("I-02"))
		require.NoError(t, err)
		in.Version = 2
		assert.Equal(t, in, got, "UpdateInspection returns the partial results it stored")
		in.Results[0].Photos[0] = Photo(9)
		in.Results = append(in.Results, inspection.Result{Item: "I-03", Outcome: inspection.Compliant})
		in.Trained = inspection.Trained{Count: 3, Topic: "fire drill"}
		got, err = h.Store.UpdateInspection(ctx, in, 2, rec("I-03"))
		require.NoError(t, err)
		in.Version = 3
		assert.Equal(t, in, got)
		read, err := h.Store.GetInspection(ctx, in.ID)
		require.NoError(t, err)
		assert.Equal(t, in, read, "GetInspection reads the recorded progress back")
		read.Results[0].Note = "changed by the caller"
		again, err := h.Store.GetInspection(ctx, in.ID)
		require.NoError(t, err)
		assert.Equal(t, "no alarm", again.Results[0].Note, "no aliasing with the caller")
		assert.Len(t, subjectEvents(t, h.Log, inspection.Subject(in.ID)), 3, "one event per recording")
		_, err = h.Store.UpdateInspection(ctx, in, 2, rec("I-01"))
		code(t, err, hazard.CodeConflict, "UpdateInspection recording at a stale version")
	})
	t.Run("ConcurrentFinishOneWins", func(t *testing.T) {
		h := open(t)
		in := Inspection("emergency")
		_, err := h.Store.CreateInspection(ctx, in, started(&in))
		require.NoError(t, err)
		const n = 20
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				done, evs := finished(in)
				_, errs[i] = h.Store.UpdateInspection(ctx, done, 1, evs)
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else {
				code(t, err, hazard.CodeConflict, "a losing UpdateInspection")
			}
		}
		assert.Equal(t, 1, won, "exactly one concurrent finish wins")
		assert.Len(t, subjectEvents(t, h.Log, inspection.Subject(in.ID)), 2, "one finish event in the log")
	})
	t.Run("ListInspections", func(t *testing.T) {
		h := open(t)
		var want []uuid.UUID
		for i := range 25 {
			dept := "emergency"
			if i%3 == 0 {
				dept = "fire"
			}
			in := Inspection(dept)
			_, err := h.Store.CreateInspection(ctx, in, started(&in))
			require.NoError(t, err)
			if dept == "emergency" {
				want = append([]uuid.UUID{in.ID}, want...)
			}
		}
		var got []uuid.UUID
		p := hazard.Page{Limit: 7}
		for pages := 0; ; pages++ {
			require.Less(t, pages, 10, "the walk ends")
			l, err := h.Store.ListInspections(ctx, inspection.InspectionFilter{Department: "emergency"}, p)
			require.NoError(t, err)
			for _, in := range l.Items {
				got = append(got, in.ID)
			}
			if l.Next == "" {
				break
			}
			p.Cursor = l.Next
		}
		assert.Equal(t, want, got, "every match once, newest first")
		_, err := h.Store.ListInspections(ctx, inspection.InspectionFilter{}, hazard.Page{Cursor: "nope"})
		code(t, err, hazard.CodeInvalid, "ListInspections with a foreign cursor")
		_, err = h.Store.ListInspections(ctx, inspection.InspectionFilter{}, hazard.Page{Limit: -1})
		code(t, err, hazard.CodeInvalid, "ListInspections with a negative limit")
		open1 := Inspection("fire")
		_, err = h.Store.CreateInspection(ctx, open1, started(&open1))
		require.NoError(t, err)
		done, evs := finished(open1)
		_, err = h.Store.UpdateInspection(ctx, done, 1, evs)
		require.NoError(t, err)
		l, err := h.Store.ListInspections(ctx, inspection.InspectionFilter{FinishedSince: Epoch, FinishedUntil: Epoch.Add(2 * time.Hour)}, hazard.Page{})
		require.NoError(t, err)
		if assert.Len(t, l.Items, 1, "a finish-time bound keeps the finished visits in it") {
			assert.Equal(t, open1.ID, l.Items[0].ID)
		}
		l, err = h.Store.ListInspections(ctx, inspection.InspectionFilter{FinishedUntil: Epoch.Add(time.Hour)}, hazard.Page{})
		require.NoError(t, err)
		assert.Empty(t, l.Items, "a finish-time bound keeps finished visits only")
	})
	t.Run("SpotChecks", func(t *testing.T) {
		h := open(t)
		sc := inspection.SpotCheck{ID: uuid.Must(uuid.NewV7()), CreatedBy: "s-1", CreatedAt: Epoch, Version: 1,
			Items: []inspection.SpotItem{{HazardID: uuid.Must(uuid.NewV7()), Verdict: inspection.VerdictPending}}}
		ev := []hazard.Event{{Subject: inspection.SpotSubject(sc.ID), Type: inspection.EventSpotDrawn, Actor: hazard.Actor{ID: "s-1", Role: "supervisor"}, Time: Epoch}}
		_, err := h.Store.CreateSpotCheck(ctx, sc, ev)
		require.NoError(t, err)
		_, err = h.Store.CreateSpotCheck(ctx, sc, nil)
		code(t, err, hazard.CodeConflict, "CreateSpotCheck with an ID taken")
		sc.Items[0].Verdict = inspection.VerdictFailed
		_, err = h.Store.UpdateSpotCheck(ctx, sc, 5, nil)
		code(t, err, hazard.CodeConflict, "UpdateSpotCheck at a stale version")
		got, err := h.Store.UpdateSpotCheck(ctx, sc, 1, nil)
		require.NoError(t, err)
		assert.Equal(t, int64(2), got.Version)
		again, err := h.Store.GetSpotCheck(ctx, sc.ID)
		require.NoError(t, err)
		assert.Equal(t, inspection.VerdictFailed, again.Items[0].Verdict)
		_, err = h.Store.GetSpotCheck(ctx, uuid.Must(uuid.NewV7()))
		code(t, err, hazard.CodeNotFound, "GetSpotCheck of a missing one")
	})
	t.Run("ListSpotChecks", func(t *testing.T) { testListSpotChecks(t, open) })
	t.Run("Orders", func(t *testing.T) {
		h := open(t)
		mk := func(dept string, deadline time.Time) inspection.Order {
			o := inspection.Order{ID: uuid.Must(uuid.NewV7()), HazardID: uuid.Must(uuid.NewV7()), Department: dept, Requirement: "act",
				Deadline: deadline, Level: inspection.LevelDepartment, Status: inspection.OrderOpen, IssuedBy: "r-1", IssuedAt: Epoch, Version: 1,
				Steps: []inspection.OrderStep{{Level: inspection.LevelDepartment, At: Epoch, By: "r-1"}}}
			ev := []hazard.Event{{Subject: inspection.OrderSubject(o.ID), Type: inspection.EventOrderIssued, Actor: hazard.Actor{ID: "r-1", Role: "reviewer"}, Time: Epoch}}
			_, err := h.Store.CreateOrder(ctx, o, ev)
			require.NoError(t, err)
			return o
		}
		early := mk("emergency", Epoch.Add(time.Hour))
		mk("emergency", Epoch.Add(48*time.Hour))
		mk("fire", Epoch.Add(time.Hour))
		_, err := h.Store.CreateOrder(ctx, early, nil)
		code(t, err, hazard.CodeConflict, "CreateOrder with an ID taken")
		l, err := h.Store.ListOrders(ctx, inspection.OrderFilter{Department: "emergency", Status: inspection.OrderOpen, DeadlineBefore: Epoch.Add(2 * time.Hour)}, hazard.Page{})
		require.NoError(t, err)
		if assert.Len(t, l.Items, 1, "ListOrders by department, status and deadline") {
			assert.Equal(t, early.ID, l.Items[0].ID)
		}
		up := early.Clone()
		up.Level = inspection.LevelDistrict
		up.Steps = append(up.Steps, inspection.OrderStep{Level: inspection.LevelDistrict, At: Epoch, By: "system"})
		_, err = h.Store.UpdateOrder(ctx, up, 3, nil)
		code(t, err, hazard.CodeConflict, "UpdateOrder at a stale version")
		got, err := h.Store.UpdateOrder(ctx, up, 1, nil)
		require.NoError(t, err)
		assert.Equal(t, int64(2), got.Version)
		again, err := h.Store.GetOrder(ctx, early.ID)
		require.NoError(t, err)
		assert.Equal(t, inspection.LevelDistrict, again.Level)
		assert.Len(t, again.Steps, 2)
		l, err = h.Store.ListOrders(ctx, inspection.OrderFilter{HazardID: early.HazardID}, hazard.Page{Limit: 1})
		require.NoError(t, err)
		assert.Len(t, l.Items, 1, "ListOrders by hazard")
		_, err = h.Store.GetOrder(ctx, uuid.Must(uuid.NewV7()))
		code(t, err, hazard.CodeNotFound, "GetOrder of a missing order")
		_, err = h.Store.CreateOrder(ctx, inspection.Order{ID: uuid.Must(uuid.NewV7()), Version: 1}, nil)
		code(t, err, hazard.CodeInvalid, "CreateOrder of an invalid order")
	})
	t.Run("Trainings", func(t *testing.T) {
		h := open(t)
		for i := range 5 {
			tr := inspection.Training{ID: uuid.Must(uuid.NewV7()), Kind: inspection.TrainingPrincipals, Date: Epoch.AddDate(0, 0, i),
				Topic: "duties", Department: "emergency", Attendees: 10 + i, By: "s-1"}
			ev := []hazard.Event{{Subject: inspection.TrainingSubject(tr.ID), Type: inspection.EventTraining, Actor: hazard.Actor{ID: "s-1", Role: "admin"}, Time: Epoch}}
			_, err := h.Store.CreateTraining(ctx, tr, ev)
			require.NoError(t, err)
		}
		l, err := h.Store.ListTrainings(ctx, inspection.TrainingFilter{Since: Epoch.AddDate(0, 0, 1), Until: Epoch.AddDate(0, 0, 4)}, hazard.Page{Limit: 2})
		require.NoError(t, err)
		require.Len(t, l.Items, 2)
		assert.Equal(t, 13, l.Items[0].Attendees, "newest first")
		l, err = h.Store.ListTrainings(ctx, inspection.TrainingFilter{Since: Epoch.AddDate(0, 0, 1), Until: Epoch.AddDate(0, 0, 4)}, hazard.Page{Limit: 2, Cursor: l.Next})
		require.NoError(t, err)
		assert.Len(t, l.Items, 1)
		assert.Empty(t, l.Next)
		_, err = h.Store.CreateTraining(ctx, inspection.Training{ID: uuid.Must(uuid.NewV7())}, nil)
		code(t, err, hazard.CodeInvalid, "CreateTraining of an invalid record")
	})
}
