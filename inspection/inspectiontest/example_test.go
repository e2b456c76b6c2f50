package inspectiontest_test

import (
	"fmt"

	"github.com/hazardloop/hazardloop/inspection/inspectiontest"
)

// An adapter's test file runs the whole suite with one call, and the
// regulators' loop with another:
//
//	func TestStore(t *testing.T) {
//		inspectiontest.TestStore(t, func(t *testing.T) inspectiontest.Harness {
//			log := memstore.New()
//			return inspectiontest.Harness{Store: meminspection.New(log), Log: log}
//		})
//	}
//
// The checklists the kit makes are valid, their first item under a
// criterion.
func Example() {
	c := inspectiontest.Checklist("kit", 3)
	fmt.Println(c.Validate() == nil, len(c.Items), c.Items[0].Major(), c.Items[1].Major())
	// Output: true 3 true false
}
