package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/risk"
)

// DemoUnits is how many units a demo server registers.
const DemoUnits = 30

// DemoUnitID returns the ID (string form) of the demo unit n, 1 to
// DemoUnits: fixed, so that every process over one database and the demo
// enterprise accounts name the same units.
func DemoUnitID(n int) string { return demoUnitUUID(n).String() }

func demoUnitUUID(n int) uuid.UUID {
	return uuid.MustParse(fmt.Sprintf("0190a0b0-d000-7000-8000-%012d", n))
}

// demoIndustry is an industry of the demo units, with its department and
// the risk points its units have.
type demoIndustry struct {
	industry, department, name string
	points                     [2]string
}

var demoIndustries = []demoIndustry{
	{"hazardous_chemicals", "emergency", "化工仓储有限公司", [2]string{"储罐区", "装卸作业"}},
	{"industry_trade", "emergency", "机械加工厂", [2]string{"粉尘作业区", "有限空间"}},
	{"fire", "fire", "商贸城", [2]string{"疏散通道", "消防控制室"}},
	{"special_equipment", "market", "物流园", [2]string{"叉车", "货运电梯"}},
	{"urban_gas", "gas", "餐饮管理有限公司", [2]string{"后厨燃气管道", "液化气瓶间"}},
}

// demoAssessments are LEC values (tenths) that give each grade: red,
// orange, yellow, blue.
var demoAssessments = []risk.AssessInput{
	{Method: risk.MethodLEC, Values: map[string]risk.Tenths{"l": 60, "e": 60, "c": 150}},
	{Method: risk.MethodLEC, Values: map[string]risk.Tenths{"l": 30, "e": 60, "c": 150}},
	{Method: risk.MethodLEC, Values: map[string]risk.Tenths{"l": 30, "e": 60, "c": 70}},
	{Method: risk.MethodLEC, Values: map[string]risk.Tenths{"l": 10, "e": 30, "c": 30}},
}

// demoCreditCode returns a valid unified social credit code for unit n.
func demoCreditCode(n int) string {
	body := fmt.Sprintf("91371502%09d", n)
	c, _ := risk.CreditCheckChar(body)
	return body + string(c)
}

// seedRegulators publishes the sample checklists and registers the demo
// units with their risk points and assessments, placed about the city.
// Over a shared database the first process registers a unit and adds its
// points; the others find it registered (CodeConflict) and move on.
func (s *Server) seedRegulators(ctx context.Context) error {
	admin := hazard.User{ID: "admin-1", Role: string(hazard.RoleAdmin)}
	have, err := s.regs.insp.Checklists(ctx, admin, inspection.ChecklistFilter{})
	if err != nil {
		return err
	}
	published := map[string]bool{}
	for _, c := range have {
		published[c.ID] = true
	}
	for _, c := range inspection.Samples() {
		if published[c.ID] {
			continue
		}
		if _, err := s.regs.insp.PublishChecklist(ctx, admin, c); err != nil && !errors.Is(err, hazard.ErrConflict) {
			return fmt.Errorf("checklist %s: %w", c.ID, err)
		}
	}
	// A service whose next ID is the demo unit's: units get fixed IDs.
	var next uuid.UUID
	seeder, err := risk.New(risk.Config{Store: s.regs.store, Hazards: s.store, Clock: s.now, Logger: s.log,
		NewID: func() uuid.UUID { return next }})
	if err != nil {
		return err
	}
	for n := 1; n <= DemoUnits; n++ {
		ind := demoIndustries[(n-1)%len(demoIndustries)]
		// Spread over a 0.08° square around the city centre, deterministically.
		lat := 36.42 + float64((n*37)%80)/1000
		lng := 115.94 + float64((n*53)%80)/1000
		next = demoUnitUUID(n)
		_, err := seeder.RegisterUnit(ctx, admin, risk.UnitInput{
			CreditCode: demoCreditCode(n), Name: fmt.Sprintf("聊城市%s%02d", ind.name, n), Industry: ind.industry,
			Size: []risk.Size{risk.SizeSmall, risk.SizeMedium, risk.SizeLarge, risk.SizeMicro}[n%4],
			Location: hazard.Location{Address: fmt.Sprintf("东昌府区示范路%d号", n), District: []string{"东昌府区", "开发区", "高新区"}[n%3],
				Point: &hazard.Point{Lat: lat, Lng: lng, System: hazard.GCJ02}},
			Departments: []string{ind.department},
			Contacts:    []hazard.Contact{{Name: "安全负责人", Phone: fmt.Sprintf("1390635%04d", n)}},
		})
		if errors.Is(err, hazard.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("unit %d: %w", n, err)
		}
		for i, name := range ind.points {
			kind := []risk.PointKind{risk.KindPlace, risk.KindOperation}[i]
			// Most units low or general, a few with a major risk.
			a := demoAssessments[3-(n*(i+1))%4]
			if n <= 2 {
				a = demoAssessments[2+i] // the demo enterprises: yellow
			}
			if _, err := s.regs.risk.AddPoint(ctx, admin, demoUnitUUID(n), risk.PointInput{Name: name, Kind: kind, Assess: a}); err != nil {
				return fmt.Errorf("unit %d point %d: %w", n, i, err)
			}
		}
	}
	return nil
}
