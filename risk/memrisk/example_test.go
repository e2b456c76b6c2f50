package memrisk_test

import (
	"context"
	"fmt"

	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/memrisk"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

// A unit stored in memory is indexed by department and due date: Due reads
// the index.
func Example() {
	ctx := context.Background()
	st := memrisk.New(memstore.New())
	u := risktest.NewUnit(1)
	if _, err := st.CreateUnit(ctx, u, nil); err != nil {
		fmt.Println(err)
		return
	}
	due, _ := st.Due(ctx, risk.DueQuery{Department: "dept1", Before: u.DueAt.AddDate(0, 0, 1)})
	fmt.Println(len(due.Items), due.Items[0].DueAt.Format("2006-01-02"), due.Items[0].Grade)
	// Output: 1 2026-02-05 blue
}
