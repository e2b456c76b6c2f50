package risktest_test

import (
	"fmt"

	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

// An adapter's test file runs the whole suite with one call:
//
//	func TestStore(t *testing.T) {
//		risktest.TestStore(t, func(t *testing.T) (risk.Store, hazard.EventLog) {
//			log := memstore.New()
//			return memrisk.New(log), log
//		})
//	}
//
// The units the kit makes have valid credit codes.
func Example() {
	code := risktest.CreditCode(42)
	fmt.Println(code, risk.CheckCreditCode(code) == nil)
	// Output: 91110000000000042Q true
}
