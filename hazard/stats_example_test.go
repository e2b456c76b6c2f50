package hazard_test

import (
	"context"
	"fmt"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

// An inspector finds two hazards at a unit and orders one rectified; the
// figures of that unit count them by stage of reconciliation and list them
// oldest first.
func ExampleService_StatsOf() {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	svc, err := hazard.NewService(hazard.ServiceConfig{Store: memstore.New(), Clock: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	inspector := hazard.User{ID: "insp-1", Role: "inspector", Department: "emergency"}
	var found []hazard.Hazard
	for _, what := range []string{"灭火器过期", "安全出口上锁"} {
		h, err := svc.Submit(ctx, inspector, hazard.SubmitInput{Category: "fire", Description: what, Source: hazard.SourceInspection,
			UnitID: "unit-42", Location: hazard.Location{Address: "开发区示范路1号"},
			Photos: []hazard.Photo{{SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ContentType: hazard.TypeJPEG, Size: 52311}}}, "")
		if err != nil {
			panic(err)
		}
		found = append(found, h)
		now = now.Add(time.Hour)
	}
	if _, err := svc.Act(ctx, inspector, found[0].ID, "order", hazard.ActInput{ExpectedVersion: found[0].Version, Note: "限期7日整改"}); err != nil {
		panic(err)
	}
	st, err := svc.StatsOf(ctx, hazard.StatsQuery{Filter: hazard.StatsFilter{UnitIDs: []string{"unit-42"}}, Items: 10})
	if err != nil {
		panic(err)
	}
	fmt.Println("found", st.Total, "open", st.Open, "ordered", st.ByStage[hazard.StageOrdered], "closed out", st.ByStage[hazard.StageClosedOut])
	for _, it := range st.Items {
		fmt.Println(it.State, it.Stage)
	}
	// Output:
	// found 2 open 2 ordered 1 closed out 0
	// rectifying ordered
	// found
}
