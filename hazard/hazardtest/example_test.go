package hazardtest_test

import (
	"fmt"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

// Fixtures are valid hazards with fresh identities, changed by options.
func ExampleNewHazard() {
	h := hazardtest.NewHazard(
		hazardtest.WithCategory("gas"),
		hazardtest.WithReporter("alice"),
		hazardtest.Closed(hazardtest.Epoch),
	)
	fmt.Println(h.Validate(hazard.DefaultRegistry()), h.Category, h.Reporter.UserID, h.State, h.Open(), h.Version)
	// Output: <nil> gas alice closed false 1
}
