package follow_test

import (
	"fmt"

	"github.com/hazardloop/hazardloop/follow"
	"github.com/hazardloop/hazardloop/follow/memfollow"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

// A second citizen says "me too" on a report instead of filing it again:
// the plaza counts them, without a name.
func Example() {
	hs := memstore.New()
	svc, _ := hazard.NewService(hazard.ServiceConfig{Store: hs, SubmitsPerDay: -1,
		// Reports are public from their submission (the default waits for a dispatcher).
		Moderation: hazard.ModerationConfig{Publish: hazard.PublishOnSubmit}})
	fs, _ := follow.New(follow.Config{Store: memfollow.New(hs), Hazards: svc, HazardStore: hs,
		Secret: []byte("0123456789abcdef0123456789abcdef")})
	p := hazard.Point{Lat: 39.9087, Lng: 116.3975, System: hazard.WGS84}
	h, _ := svc.Submit(ctx, hazard.User{ID: "citizen-1", Role: "reporter"}, hazard.SubmitInput{
		Category: "fire", Description: "fire exit blocked", Location: hazard.Location{Address: "1 Road", Point: &p},
		Photos: []hazard.Photo{hazardtest.NewPhoto("exit")}}, "")

	near, _ := svc.NearbyPublic(ctx, hazard.PublicNearbyQuery{Category: "fire", Center: p})
	res, _ := fs.MeToo(ctx, hazard.User{ID: "citizen-2", Role: "reporter"}, near[0].Ref)
	again, _ := fs.MeToo(ctx, hazard.User{ID: "citizen-2", Role: "reporter"}, near[0].Ref)
	pub, _ := svc.PublicView(ctx, h.Ref)
	fmt.Println(res.Counted, again.Counted, pub.MeToo)
	// Output: true false 1
}
