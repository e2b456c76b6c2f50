package replytest_test

import (
	"fmt"

	"github.com/hazardloop/hazardloop/reply/replytest"
)

// An adapter's test file runs the whole suite with one call:
//
//	func TestStore(t *testing.T) {
//		replytest.TestStore(t, func(t *testing.T) (reply.Store, hazard.EventLog) {
//			log := memstore.New()
//			return memreply.New(log), log
//		})
//	}
//
// The templates the kit makes are valid.
func Example() {
	t := replytest.NewTemplate("forwarded")
	fmt.Println(t.ID, t.Validate() == nil)
	// Output: forwarded true
}
