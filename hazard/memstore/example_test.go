package memstore_test

import (
	"context"
	"fmt"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

func Example() {
	ctx := context.Background()
	s := memstore.New()
	h := hazardtest.NewHazard(hazardtest.WithCategory("gas"))
	_, created, err := s.Create(ctx, h, []hazard.Event{hazardtest.NewEvent(h, hazard.EventSubmitted)}, "client-key-1")
	fmt.Println(created, err)

	// A retry with the same key changes nothing.
	retry := hazardtest.NewHazard(hazardtest.WithCategory("gas"))
	got, created, _ := s.Create(ctx, retry, nil, "client-key-1")
	fmt.Println(created, got.ID == h.ID)

	// A stale version is a conflict carrying the stored version.
	h.State = "dispatched"
	_, _ = s.Update(ctx, h, 1, nil)
	_, err = s.Update(ctx, h, 1, nil)
	fmt.Println(hazard.ErrorCode(err))

	page, _ := s.List(ctx, hazard.Filter{Category: "gas"}, hazard.Page{Limit: 10})
	fmt.Println(len(page.Items), page.Items[0].State, page.Items[0].Version)
	// Output:
	// true <nil>
	// false true
	// conflict
	// 1 dispatched 2
}
