package manualpay_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/manualpay"
)

func Example() {
	p := manualpay.New(func() time.Time { return time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC) })
	id := uuid.MustParse("01900000-0000-7000-8000-000000000001")
	res, _ := p.Pay(context.Background(), reward.PayRequest{
		IdempotencyKey: id.String(), RewardID: id, ReporterID: "u-1001", Amount: reward.Yuan(50), Remark: "隐患举报奖励 LC-20260302-000001",
	})
	fmt.Println(res.Status)
	_ = p.ExportCSV(os.Stdout) // finance pays from this sheet...
	_ = p.MarkPaid(id.String(), "VOUCHER-0042")
	res, _ = p.Query(context.Background(), id.String()) // ...and the claim service syncs
	fmt.Println(res.Status, res.PaymentRef)
	// Output:
	// pending
	// reward_id,reporter_id,amount_yuan,amount_fen,remark,requested_at
	// 01900000-0000-7000-8000-000000000001,u-1001,50.00,5000,隐患举报奖励 LC-20260302-000001,2026-03-02T01:00:00Z
	// settled VOUCHER-0042
}
