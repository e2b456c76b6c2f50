package bench_test

import (
	"context"
	"fmt"

	"github.com/hazardloop/hazardloop/examples/bench"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/workflow"
)

// Example takes one hazard through the benchmarked cycle with hazardloop's
// citizen preset and with the hand-written baseline, once with string
// constants and once with names that own their bytes (as read from a
// database): all end in the same state with the same deadline, as every
// implementation must.
func Example() {
	ctx := context.Background()
	for _, f := range []bench.Firer{bench.Hazardloop{Def: hazard.CitizenReport().Definition()}, bench.Switch{}} {
		for _, owned := range []bool{false, true} {
			h := &bench.Hazard{Status: workflow.Status{State: "submitted"}}
			steps := bench.Cycle(h)
			if owned {
				steps = bench.Owned(steps)
			}
			for _, s := range steps[:3] {
				h.State = s.From
				if err := f.Fire(ctx, h, s); err != nil {
					fmt.Println(err)
					return
				}
			}
			fmt.Printf("%T, owned %v: %s, due in %s\n", f, owned, h.State, h.DeadlineIn)
		}
	}
	// Output:
	// bench.Hazardloop, owned false: resolved, due in 72h0m0s
	// bench.Hazardloop, owned true: resolved, due in 72h0m0s
	// bench.Switch, owned false: resolved, due in 72h0m0s
	// bench.Switch, owned true: resolved, due in 72h0m0s
}
