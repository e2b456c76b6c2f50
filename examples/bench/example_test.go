package bench_test

import (
	"context"
	"fmt"

	"github.com/hazardloop/hazardloop/examples/bench"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/workflow"
)

// Example takes one hazard through the benchmarked cycle with hazardloop's
// citizen preset and with the hand-written baseline: both end in the same
// state with the same deadline, as every implementation must.
func Example() {
	ctx := context.Background()
	def := hazard.CitizenReport().Definition()
	for _, f := range []bench.Firer{bench.Hazardloop{Def: def}, bench.HazardloopFire{Def: def}, bench.Switch{}} {
		h := &bench.Hazard{Status: workflow.Status{State: "submitted"}}
		steps := bench.Cycle(h)
		for _, s := range steps[:3] {
			if err := f.Fire(ctx, h, s); err != nil {
				fmt.Println(err)
				return
			}
		}
		fmt.Printf("%T: %s, due in %s\n", f, h.State, h.DeadlineIn)
	}
	// Output:
	// bench.Hazardloop: resolved, due in 72h0m0s
	// bench.HazardloopFire: resolved, due in 72h0m0s
	// bench.Switch: resolved, due in 72h0m0s
}
