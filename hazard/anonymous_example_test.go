package hazard_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memlimit"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

// Someone reports a hazard without an account and keeps the claim code;
// with it they follow the report, and later bind their verified account
// to claim the reward.
func ExampleService_SubmitAnonymous() {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC) }
	svc, err := hazard.NewService(hazard.ServiceConfig{
		Store: memstore.New(), Refs: hazard.RefFormat{Prefix: "LC"}, Clock: clock,
		Limiter: memlimit.New(memlimit.Config{Clock: clock}),
	})
	if err != nil {
		panic(err)
	}
	from := hazard.Origin{Address: "203.0.113.7", Device: "a-random-device-id-kept-by-the-page"}
	h, code, err := svc.SubmitAnonymous(ctx, from, hazard.SubmitInput{
		Category: "fire", Description: "安全出口被杂物堵塞",
		Location: hazard.Location{Address: "朝阳区建国路88号"},
		Photos:   []hazard.Photo{{SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ContentType: hazard.TypeJPEG, Size: 52311}},
	}, "")
	if err != nil {
		panic(err)
	}
	fmt.Println(h.Ref, hazard.IsAnonymous(h.Reporter.UserID), strings.HasPrefix(code, h.Ref+"."))

	v, err := svc.FollowClaim(ctx, from.Address, code)
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Hazard.State, v.Bound)

	citizen := hazard.User{ID: "u-1001", Role: "reporter", Verified: true}
	if _, err := svc.BindClaim(ctx, citizen, from.Address, code); err != nil {
		panic(err)
	}
	v, _ = svc.FollowClaim(ctx, from.Address, code)
	fmt.Println(v.Bound)
	// Output:
	// LC-20261128-000001 true true
	// submitted false
	// true
}

// The holder of a claim code reopens the anonymous report, closed as
// fixed, when the hazard is back: with a photo, as its reporter would.
func ExampleService_ReopenClaim() {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC) }
	svc, err := hazard.NewService(hazard.ServiceConfig{
		Store: memstore.New(), Refs: hazard.RefFormat{Prefix: "LC"}, Clock: clock,
		Limiter: memlimit.New(memlimit.Config{Clock: clock}),
	})
	if err != nil {
		panic(err)
	}
	photo := func(hex string) []hazard.Photo {
		return []hazard.Photo{{SHA256: strings.Repeat(hex, 64), ContentType: hazard.TypeJPEG, Size: 52311}}
	}
	from := hazard.Origin{Address: "203.0.113.7", Device: "a-random-device-id-kept-by-the-page"}
	h, code, err := svc.SubmitAnonymous(ctx, from, hazard.SubmitInput{
		Category: "fire", Description: "安全出口被杂物堵塞", Location: hazard.Location{Address: "朝阳区建国路88号"}, Photos: photo("a"),
	}, "")
	if err != nil {
		panic(err)
	}
	for _, step := range []struct {
		user   hazard.User
		action string
		in     hazard.ActInput
	}{
		{hazard.User{ID: "d-1", Role: "dispatcher"}, "dispatch", hazard.ActInput{Department: "fire"}},
		{hazard.User{ID: "f-1", Role: "handler", Department: "fire"}, "accept", hazard.ActInput{}},
		{hazard.User{ID: "f-1", Role: "handler", Department: "fire"}, "resolve", hazard.ActInput{Note: "已清理", Photos: photo("b")}},
		{hazard.User{ID: "r-1", Role: "reviewer"}, "approve", hazard.ActInput{}},
	} {
		step.in.ExpectedVersion = h.Version
		if h, err = svc.Act(ctx, step.user, h.ID, step.action, step.in); err != nil {
			panic(err)
		}
	}
	v, err := svc.FollowClaim(ctx, from.Address, code)
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Hazard.State, v.Actions[0].Name)
	v, err = svc.ReopenClaim(ctx, from.Address, code, hazard.ReopenInput{ExpectedVersion: v.Hazard.Version, Note: "杂物又堆回来了", Photos: photo("c")})
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Hazard.State, v.Hazard.Department, v.Hazard.Aftercare.Reopens)
	// Output:
	// closed_valid reopen
	// dispatched fire 1
}
