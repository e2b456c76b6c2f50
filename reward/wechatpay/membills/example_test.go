package membills_test

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/reward/wechatpay"
	"github.com/hazardloop/hazardloop/reward/wechatpay/membills"
)

func Example() {
	ctx := context.Background()
	s := membills.New()
	id := uuid.MustParse("019b7e2a-0000-7000-8000-000000000001")
	no, _ := wechatpay.OutBillNo(id, 1)
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	b, created, err := s.Open(ctx, wechatpay.Bill{OutBillNo: no, Key: id.String(), RewardID: id, Attempt: 1,
		Amount: 5000, State: wechatpay.StateNew, CreatedAt: now, UpdatedAt: now})
	fmt.Println(b.OutBillNo, b.Version, created, err)
	got, _ := s.Get(ctx, no) // a callback's bill number back to its reward
	fmt.Println(got.RewardID)
	// Output:
	// AGNX4KQAABYABAAAAAAAAAAAAE001 1 true <nil>
	// 019b7e2a-0000-7000-8000-000000000001
}
