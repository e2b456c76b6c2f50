package hazard_test

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

// A citizen reports a blocked fire exit, the dispatcher forwards it to the
// fire department, and the plaza shows its progress without a word about
// the reporter.
func ExampleService() {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC) }
	svc, err := hazard.NewService(hazard.ServiceConfig{
		Store: memstore.New(),
		Refs:  hazard.RefFormat{Prefix: "LC"},
		Clock: clock,
		NewID: func() uuid.UUID { return uuid.MustParse("019ac9e2-0000-7000-8000-000000000001") },
	})
	if err != nil {
		panic(err)
	}
	citizen := hazard.User{ID: "u-1001", Role: "reporter", Verified: true}
	h, err := svc.Submit(ctx, citizen, hazard.SubmitInput{
		Category:    "fire",
		Description: "安全出口被杂物堵塞",
		Location:    hazard.Location{Address: "朝阳区建国路88号"},
		Photos:      []hazard.Photo{{SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ContentType: hazard.TypeJPEG, Size: 52311}},
		Contact:     hazard.Contact{Name: "王小明", Phone: "13800138000"},
	}, "client-key-1")
	if err != nil {
		panic(err)
	}
	fmt.Println(h.Ref, h.State, "due", h.Deadline.Format(time.RFC3339))

	dispatcher := hazard.User{ID: "d-7", Role: "dispatcher"}
	h, err = svc.Act(ctx, dispatcher, h.ID, "dispatch", hazard.ActInput{ExpectedVersion: h.Version, Department: "fire"})
	if err != nil {
		panic(err)
	}
	fmt.Println(h.State, h.Department, "version", h.Version)

	// A second click with the old version is a conflict, never an overwrite.
	_, err = svc.Act(ctx, dispatcher, h.ID, "dispatch", hazard.ActInput{ExpectedVersion: 1, Department: "gas"})
	fmt.Println(hazard.ErrorCode(err))

	p, err := svc.PublicView(ctx, h.Ref)
	if err != nil {
		panic(err)
	}
	for _, e := range p.Timeline {
		fmt.Printf("%s %s %s->%s by %q\n", e.Time.Format("15:04"), e.Type, e.From, e.To, e.Role)
	}
	// Output:
	// LC-20261128-000001 submitted due 2026-11-29T09:00:00Z
	// dispatched fire version 2
	// conflict
	// 09:00 submitted -> by ""
	// 09:00 transition submitted->dispatched by "dispatcher"
}

// A feed of changes (Open311's service request updates) reads the public
// steps of every hazard in a window of time, page by page.
func ExampleService_PublicUpdates() {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	svc, err := hazard.NewService(hazard.ServiceConfig{
		Store: memstore.New(),
		Refs:  hazard.RefFormat{Prefix: "LC"},
		Clock: func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}
	citizen := hazard.User{ID: "u-1001", Role: "reporter"}
	h, err := svc.Submit(ctx, citizen, hazard.SubmitInput{
		Category:    "fire",
		Description: "安全出口被杂物堵塞",
		Location:    hazard.Location{Address: "朝阳区建国路88号"},
		Photos:      []hazard.Photo{{SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ContentType: hazard.TypeJPEG, Size: 52311}},
	}, "")
	if err != nil {
		panic(err)
	}
	now = now.Add(time.Hour)
	dispatcher := hazard.User{ID: "d-7", Role: "dispatcher"}
	if _, err := svc.Act(ctx, dispatcher, h.ID, "dispatch", hazard.ActInput{ExpectedVersion: h.Version, Department: "fire", Note: "转消防救援支队"}); err != nil {
		panic(err)
	}

	q := hazard.UpdatesQuery{Since: now.Add(-24 * time.Hour), Until: now, Limit: 1}
	for {
		steps, err := svc.PublicUpdates(ctx, q)
		if err != nil {
			panic(err)
		}
		for _, s := range steps {
			fmt.Printf("%d %s %s %s to %q: %q\n", s.Seq, s.Ref, s.Time.Format("15:04"), s.Type, s.To, s.Note)
		}
		if len(steps) < q.Limit {
			break
		}
		q.After = steps[len(steps)-1].Seq
	}
	// Output:
	// 1 LC-20261128-000001 09:00 submitted to "": ""
	// 2 LC-20261128-000001 10:00 transition to "dispatched": "转消防救援支队"
}
