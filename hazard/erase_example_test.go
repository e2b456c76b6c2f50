package hazard_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

// A citizen erases their account: the integrator's account store (here a
// function) deletes the account, the hazard service's store keeps the
// report under a pseudonym without the contact, and the access log records
// the erasure under the pseudonym alone.
func ExampleEraser() {
	ctx := context.Background()
	store := memstore.New()
	svc, _ := hazard.NewService(hazard.ServiceConfig{Store: store})
	citizen := hazard.User{ID: "citizen-42", Role: "reporter", Verified: true}
	h, _ := svc.Submit(ctx, citizen, hazard.SubmitInput{
		Category: "fire", Severity: hazard.SeverityGeneral, Source: hazard.SourceCitizen,
		Description: "消防通道被杂物堵塞", Location: hazard.Location{Address: "东昌路 1 号"},
		Photos:  []hazard.Photo{{SHA256: strings.Repeat("ab", 32), ContentType: hazard.TypeJPEG, Size: 2048}},
		Contact: hazard.Contact{Name: "张三", Phone: "13800000000"},
	}, "")

	accounts := hazard.ForgetterFunc(func(_ context.Context, e hazard.Erasure) error {
		fmt.Println("account deleted:", e.UserID)
		return nil
	})
	eraser, _ := hazard.NewEraser(hazard.EraserConfig{Journal: store, Steps: []hazard.ErasureStep{
		{Name: "accounts", Forgetter: accounts},
		{Name: "hazards", Forgetter: svc},
	}})
	if _, err := eraser.Erase(ctx, citizen, "yes"); err != nil {
		fmt.Println(hazard.ErrorCode(err), "on", "confirm")
	}
	r, _ := eraser.Erase(ctx, citizen, "删除")
	got, _ := store.Get(ctx, h.ID)
	fmt.Println(r.Done, got.Reporter.UserID == r.Pseudonym, got.Reporter.Contact == (hazard.Contact{}))
	log, _ := svc.AccessLog(ctx, hazard.User{ID: "auditor-1", Role: "auditor"}, 0, 0)
	for _, e := range log {
		fmt.Println(e.Type, e.Actor.ID == r.Pseudonym || e.Actor == hazard.System)
	}
	// Output:
	// invalid on confirm
	// account deleted: citizen-42
	// true true true
	// erasure_begun true
	// erased true
}
