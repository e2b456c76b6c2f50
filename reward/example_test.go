package reward_test

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/memledger"
	"github.com/hazardloop/hazardloop/reward/mempay"
)

// gasSurcharge is an integrator's own rule: reports of gas hazards earn ¥10
// more. A rule implements one method; it must be pure.
type gasSurcharge struct{ extra reward.Fen }

func (g gasSurcharge) Apply(f reward.Facts, d *reward.Decision) {
	if f.Category == "gas" {
		d.Add("gas_surcharge", g.extra, reward.Text{ZH: "燃气隐患加奖", EN: "gas hazards earn more"})
	}
}

// A city adds its own rule to the preset and publishes it as version 2.
func ExampleRule() {
	p := reward.CityProgramme()
	p.Version = 2
	p.Rules = append(p.Rules[:len(p.Rules)-1], gasSurcharge{extra: reward.Yuan(10)}, p.Rules[len(p.Rules)-1])

	d := p.Decide(reward.Facts{
		Category: "gas", Severity: hazard.SeverityGeneral, Source: hazard.SourceCitizen,
		ClosedValid: true, ReporterVerified: true,
	})
	fmt.Println(d.Policy, d.PolicyVersion, d.Amount)
	for _, l := range d.Lines {
		fmt.Printf("%-16s %+6d %s\n", l.Rule, l.Contribution, l.Text.EN)
	}
	// Output:
	// city 2 ¥60.00
	// closed_valid         +0 the hazard was verified and closed
	// real_name            +0 the reporter verified their real name
	// first_reporter       +0 first reporter of the hazard
	// city_table        +5000 the general hazard tariff is ¥50.00
	// gas_surcharge     +1000 gas hazards earn more
}

// The national rule for a major hazard fined ¥10,000: 15% is ¥1,500,
// raised to the ¥3,000 minimum.
func ExampleNational() {
	p := reward.National()
	d := p.Decide(reward.Facts{
		Severity: hazard.SeverityMajor, Source: hazard.SourceCitizen, ClosedValid: true,
		ReporterVerified: true, Fine: reward.Yuan(10_000),
	})
	for _, l := range d.Lines[len(d.Lines)-2:] {
		fmt.Println(l.Rule, l.Total, l.Text.ZH)
	}
	// Output:
	// national_fine_share ¥1500.00 按罚没款 ¥10000.00 的 15% 计算
	// national_fine_share_min ¥3000.00 不足最低奖励 ¥3000.00，按最低标准
}

func ExampleBasisPoints_Of() {
	fmt.Println(reward.BasisPoints(1500).Of(reward.Yuan(10_000)))
	fmt.Println(reward.BasisPoints(1500).Of(10)) // 1.5 fen, half up
	fmt.Println(reward.BasisPoints(1500).Of(3))  // 0.45 fen
	// Output:
	// ¥1500.00
	// ¥0.02
	// ¥0.00
}

type oneHazard struct{ h hazard.Hazard }

func (o oneHazard) Get(context.Context, uuid.UUID) (hazard.Hazard, error) { return o.h, nil }

// The whole loop: the relay delivers "closed as valid", the consumer issues
// a reward, and the citizen claims it.
func ExampleService() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	h := hazard.Hazard{
		ID: uuid.MustParse("01900000-0000-7000-8000-000000000001"), Ref: "LC-20260302-000001",
		Category: "fire", Severity: hazard.SeverityMajor, Source: hazard.SourceCitizen,
		Reporter: hazard.Reporter{UserID: "u-1001", Verified: true}, State: "closed_valid",
		Workflow: hazard.CitizenReportName, WorkflowVersion: 1,
	}
	payer := mempay.New()
	svc, err := reward.New(reward.Config{
		Ledger: memledger.New(), Payer: payer, Policies: []reward.Policy{reward.CityProgramme()},
		Hazards: oneHazard{h}, Clock: func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}
	closed := hazard.Event{HazardID: h.ID, Type: hazard.EventTransition, From: "resolved", To: "closed_valid"}
	if err := svc.Consumer().Handle(ctx, closed); err != nil {
		panic(err)
	}
	mine, _ := svc.Mine(ctx, hazard.User{ID: "u-1001"}, reward.StatusPending, hazard.Page{})
	r := mine.Items[0]
	fmt.Println(r.Status.Label(), r.Amount, "claim by", r.ClaimBy.In(reward.ChinaTime).Format("2006-01-02 15:04"))

	res, err := svc.Claim(ctx, hazard.User{ID: "u-1001", Role: "reporter"}, r.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Reward.Status.Label(), res.Reward.PaymentRef == payer.Payouts()[0].Ref, payer.Total())
	// Output:
	// 待领 ¥500.00 claim by 2026-03-12 00:00
	// 已领取 true ¥500.00
}
