package server

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

// SeedMapUnits stores n graded units spread over a city of about 40 by 40
// km (GCJ-02 points, as Chinese map services give them) straight into the
// server's risk store, for the risk map's benchmark and tests.
func SeedMapUnits(ctx context.Context, s *Server, n int) error {
	grades := []risk.Grade{risk.Red, risk.Orange, risk.Yellow, risk.Yellow, risk.Blue, risk.Blue, risk.Blue, risk.Blue, risk.Blue, risk.Blue}
	for i := range n {
		u := risktest.NewUnit(i)
		u.Name = fmt.Sprintf("聊城市示范企业%05d有限公司", i)
		u.Industry = []string{"hazardous_chemicals", "industry_trade", "fire", "special_equipment", "urban_gas"}[i%5]
		u.Location = hazard.Location{Address: fmt.Sprintf("示范路%d号", i), District: []string{"东昌府区", "开发区", "高新区", "度假区"}[i%4],
			Point: &hazard.Point{Lat: 36.25 + float64(i*7919%4000)/10000, Lng: 115.78 + float64(i*104729%4000)/10000, System: hazard.GCJ02}}
		u.Grade = grades[i%len(grades)]
		if _, err := s.regs.store.CreateUnit(ctx, u, nil); err != nil {
			return err
		}
		if i == 0 {
			firstMapUnit = u.ID
		}
	}
	return nil
}

// firstMapUnit is the first unit SeedMapUnits stored.
var firstMapUnit uuid.UUID

// ToggleMapUnitGrade overrides the grade of the first unit SeedMapUnits
// stored, red and blue in turn, through the risk service as an admin: a
// grade change the event log records.
func ToggleMapUnitGrade(ctx context.Context, s *Server, red bool) error {
	g := risk.Blue
	if red {
		g = risk.Red
	}
	_, err := s.regs.risk.SetOverride(ctx, hazard.User{ID: "admin-1", Role: string(hazard.RoleAdmin)}, firstMapUnit, g, "benchmark", 0)
	return err
}
