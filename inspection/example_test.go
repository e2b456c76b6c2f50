package inspection_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/inspection/meminspection"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/memrisk"
)

// Two inspectors inspect a unit against a sample checklist; finishing
// records the decision, and the relay's consumer raises one hazard per
// non-compliant item in the rectification process.
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	hz := memstore.New() // hazards, the one event log, and the relay's cursors
	units := memrisk.New(hz)
	hazards, _ := hazard.NewService(hazard.ServiceConfig{Store: hz, Clock: clock})
	register, _ := risk.New(risk.Config{Store: units, Hazards: hz, Clock: clock})
	svc, _ := inspection.New(inspection.Config{Store: meminspection.New(hz), Units: units, Hazards: hazards, HazardStore: hz, Risk: register, Clock: clock})
	r, _ := relay.New(hz, hz, relay.Config{Consumers: []relay.Consumer{svc.Consumer(), register.Consumer()}})

	officer := hazard.User{ID: "officer-1", Role: "admin"}
	a := hazard.User{ID: "insp-a", Role: "inspector", Department: "fire"}
	u, _ := register.RegisterUnit(ctx, officer, risk.UnitInput{CreditCode: "91350100M000100Y43", Name: "Star Cinema", Industry: "fire",
		Size: risk.SizeSmall, Location: hazard.Location{Address: "1 Plaza", District: "350102"}, Departments: []string{"fire"}})
	sample, _ := inspection.Sample("fire-crowded-places")
	cl, _ := svc.PublishChecklist(ctx, officer, sample)
	fmt.Println(cl.ID, "version", cl.Version, "sample:", cl.Sample)

	v, _ := svc.Start(ctx, a, inspection.StartInput{Kind: inspection.KindEnforcement, UnitID: u.ID, Inspectors: []string{"insp-a", "insp-b"}, Checklist: cl.ID})
	photo := hazard.Photo{SHA256: strings.Repeat("ab", 32), ContentType: hazard.TypeJPEG, Size: 2048}
	var results []inspection.Result
	for _, it := range cl.Items {
		r := inspection.Result{Item: it.Code, Outcome: inspection.Compliant}
		if it.Code == "F-01" {
			r = inspection.Result{Item: it.Code, Outcome: inspection.NonCompliant, Note: "rear exit chained shut", Photos: []hazard.Photo{photo}}
		}
		results = append(results, r)
	}
	results = append(results, inspection.Result{Item: "X-99", Outcome: inspection.Compliant})
	_, err := svc.Finish(ctx, a, v.ID, inspection.FinishInput{ExpectedVersion: v.Version, Results: results})
	var e *hazard.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Field)
	}
	v, _ = svc.Finish(ctx, a, v.ID, inspection.FinishInput{ExpectedVersion: v.Version, Results: results[:len(results)-1],
		Trained: inspection.Trained{Count: 8, Topic: "evacuation drill"}})
	_ = r.Drain(ctx)

	l, _ := svc.Ledger(ctx, officer, inspection.LedgerQuery{UnitID: u.ID})
	for _, row := range l.Rows {
		fmt.Println(row.Source, row.Severity, row.State)
	}
	fmt.Println("found", l.Counts.Found, "open", l.Counts.Open)
	// Output:
	// fire-crowded-places version 1 sample: true
	// invalid results[5].item
	// inspection major found
	// found 1 open 1
}

// A phone records an inspection item by item: each result is kept by the
// server as it is given, and the finish takes the recorded ones.
func ExampleService_RecordResult() {
	ctx := context.Background()
	hz := memstore.New()
	units := memrisk.New(hz)
	hazards, _ := hazard.NewService(hazard.ServiceConfig{Store: hz})
	register, _ := risk.New(risk.Config{Store: units, Hazards: hz})
	svc, _ := inspection.New(inspection.Config{Store: meminspection.New(hz), Units: units, Hazards: hazards, HazardStore: hz, Risk: register})

	officer := hazard.User{ID: "officer-1", Role: "admin"}
	a := hazard.User{ID: "insp-a", Role: "inspector", Department: "fire"}
	u, _ := register.RegisterUnit(ctx, officer, risk.UnitInput{CreditCode: "91350100M000100Y43", Name: "Star Cinema", Industry: "fire",
		Size: risk.SizeSmall, Location: hazard.Location{Address: "1 Plaza", District: "350102"}, Departments: []string{"fire"}})
	sample, _ := inspection.Sample("fire-crowded-places")
	cl, _ := svc.PublishChecklist(ctx, officer, sample)
	v, _ := svc.Start(ctx, a, inspection.StartInput{Kind: inspection.KindEnforcement, UnitID: u.ID, Inspectors: []string{"insp-a", "insp-b"}, Checklist: cl.ID})

	_, err := svc.RecordResult(ctx, a, v.ID, inspection.RecordInput{ExpectedVersion: v.Version, Result: inspection.Result{Item: cl.Items[0].Code, Outcome: inspection.NonCompliant}})
	var e *hazard.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Fields[0].Field)
	}
	for _, it := range cl.Items {
		v, _ = svc.RecordResult(ctx, a, v.ID, inspection.RecordInput{ExpectedVersion: v.Version, Result: inspection.Result{Item: it.Code, Outcome: inspection.Compliant}})
	}
	fmt.Println("recorded", len(v.Results), "of", len(cl.Items))
	v, _ = svc.Finish(ctx, a, v.ID, inspection.FinishInput{ExpectedVersion: v.Version})
	fmt.Println(v.Status, len(v.Results))
	// Output:
	// invalid result.photos
	// recorded 5 of 5
	// finished 5
}

// A supervision group draws spot checks and lists them by status and
// verdict; an inspector lists only their department's.
func ExampleService_SpotChecks() {
	ctx := context.Background()
	now := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	hz := memstore.New()
	units := memrisk.New(hz)
	hazards, _ := hazard.NewService(hazard.ServiceConfig{Store: hz, Clock: clock})
	register, _ := risk.New(risk.Config{Store: units, Hazards: hz, Clock: clock})
	svc, _ := inspection.New(inspection.Config{Store: meminspection.New(hz), Units: units, Hazards: hazards, HazardStore: hz, Risk: register, Clock: clock})

	group := hazard.User{ID: "sup-1", Role: "supervisor"}
	for _, dept := range []string{"fire", "emergency"} {
		_, _ = svc.DrawSpotCheck(ctx, group, inspection.SpotQuery{Department: dept, Since: now.AddDate(0, -1, 0), Until: now, Size: 5, Seed: 1})
	}
	all, _ := svc.SpotChecks(ctx, group, inspection.SpotFilter{Status: inspection.SpotDone}, hazard.Page{})
	for _, sc := range all.Items {
		fmt.Println(sc.Query.Department, sc.Status(), len(sc.Items), "drawn")
	}
	inspector := hazard.User{ID: "insp-a", Role: "inspector", Department: "fire"}
	mine, _ := svc.SpotChecks(ctx, inspector, inspection.SpotFilter{}, hazard.Page{})
	fmt.Println("the inspector sees", len(mine.Items))
	shams, _ := svc.SpotChecks(ctx, group, inspection.SpotFilter{Verdict: inspection.VerdictFailed}, hazard.Page{})
	fmt.Println("shams found", len(shams.Items))
	// Output:
	// emergency done 0 drawn
	// fire done 0 drawn
	// the inspector sees 1
	// shams found 0
}
