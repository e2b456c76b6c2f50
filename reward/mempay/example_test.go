package mempay_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/mempay"
)

func Example() {
	p := mempay.New()
	id := uuid.MustParse("01900000-0000-7000-8000-000000000001")
	r := reward.PayRequest{IdempotencyKey: id.String(), RewardID: id, ReporterID: "u-1", Amount: reward.Yuan(20)}

	p.LoseNext(1)
	_, err := p.Pay(context.Background(), r) // paid, but the answer is lost
	fmt.Println(err != nil)
	res, _ := p.Pay(context.Background(), r) // asked again with the same key
	fmt.Println(res.Status, len(p.Payouts()), p.Total())
	fmt.Println(strings.HasPrefix(res.PaymentRef, "mempay-"), res.PaymentRef == p.Payouts()[0].Ref)
	// Output:
	// true
	// settled 1 ¥20.00
	// true true
}
