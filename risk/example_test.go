package risk_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/memrisk"
)

// A unit is registered, a risk point assessed by LEC grades it, and the
// planner lists it as due in its department.
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	hazards := memstore.New()
	svc, _ := risk.New(risk.Config{
		Store:   memrisk.New(hazards), // a unit's events go to the hazards' log
		Hazards: hazards,
		Clock:   func() time.Time { return now },
	})
	officer := hazard.User{ID: "officer-1", Role: "inspector", Department: "emergency"}

	u, err := svc.RegisterUnit(ctx, officer, risk.UnitInput{
		CreditCode: "91350100M000100Y43", Name: "Riverside Chemicals", Industry: "chemicals",
		Size: risk.SizeMedium, Location: hazard.Location{Address: "8 River Road"}, Departments: []string{"emergency"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// L 6 (quite possible) × E 6 (daily) × C 15 (one death) = 540: red.
	_, err = svc.AddPoint(ctx, officer, u.ID, risk.PointInput{Name: "tank farm", Kind: risk.KindPlace,
		Assess: risk.AssessInput{Method: risk.MethodLEC, Values: map[string]risk.Tenths{"l": 60, "e": 60, "c": 150}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	u, _ = svc.GetUnit(ctx, officer, u.ID)
	fmt.Println(u.Grade, u.DueAt.Format(time.DateOnly))
	for _, s := range u.GradeSteps {
		fmt.Println(s.Rule+":", s.Text.EN)
	}

	plan, _ := svc.Plan(ctx, officer, risk.PlanQuery{Department: "emergency",
		From: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)})
	fmt.Println(len(plan.Due), "due,", plan.InspectorVisits, "inspector visits")

	_, err = svc.RegisterUnit(ctx, officer, risk.UnitInput{CreditCode: "91350100M000100Y44"})
	var e *hazard.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Field)
	}
	// Output:
	// red 2026-04-10
	// highest_point: the highest of 1 risk points is red
	// 1 due, 2 inspector visits
	// invalid credit_code
}
