package meminspection_test

import (
	"context"
	"fmt"

	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/inspection/meminspection"
)

// Published checklist versions are kept side by side; the latest is
// version 0.
func Example() {
	ctx := context.Background()
	st := meminspection.New(memstore.New())
	c, _ := inspection.Sample("special-equipment")
	c.Version = 1
	_, _ = st.CreateChecklist(ctx, c)
	c.Version, c.Items = 2, c.Items[:2]
	_, _ = st.CreateChecklist(ctx, c)
	latest, _ := st.GetChecklist(ctx, c.ID, 0)
	first, _ := st.GetChecklist(ctx, c.ID, 1)
	fmt.Println(latest.Version, len(latest.Items), first.Version, len(first.Items))
	// Output: 2 2 1 4
}
