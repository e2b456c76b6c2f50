package server

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

// DemoUnits is how many units a demo server registers: units 1 and 2 are
// the demo enterprises' (unit-1 and unit-2), the others are generated
// (see demoCity) over the demo city's eight industries.
const DemoUnits = 200

// DemoPointsPerUnit is how many risk points a generated demo unit has;
// the two demo enterprises' units have two each.
const DemoPointsPerUnit = 3

// DemoArea is the demo city's area (GCJ-02 degrees): every demo unit lies
// within it.
var DemoArea = struct{ MinLat, MaxLat, MinLng, MaxLng float64 }{36.38, 36.52, 115.90, 116.08}

// DemoUnitID returns the ID (string form) of the demo unit n, 1 to
// DemoUnits: fixed, so that every process over one database and the demo
// enterprise accounts name the same units.
func DemoUnitID(n int) string { return demoUnitUUID(n).String() }

func demoUnitUUID(n int) uuid.UUID {
	return uuid.MustParse(fmt.Sprintf("0190a0b0-d000-7000-8000-%012d", n))
}

// demoSeed seeds the demo city's generator: the same city every start.
const demoSeed = 20260316

// demoHistoryDays is how far back the demo's history of registrations,
// inspections and hazards reaches.
const demoHistoryDays = 540

// demoTrade is what the demo knows of an industry to make believable
// units: the ends of their names, their share of the units and the risk
// points they have.
type demoTrade struct {
	industry string
	units    int
	suffixes []string
	points   []demoPointKind
}

type demoPointKind struct {
	name string
	kind risk.PointKind
}

// demoTrades are the demo city's eight industries; their units add up to
// DemoUnits. Units 1 and 2 are the first two industries'.
var demoTrades = []demoTrade{
	{"hazardous_chemicals", 20, []string{"化工有限公司", "化工仓储有限公司", "精细化工有限公司", "石化加油站"},
		[]demoPointKind{{"储罐区", risk.KindPlace}, {"装卸作业", risk.KindOperation}, {"反应釜", risk.KindDevice}, {"危化品仓库", risk.KindPlace}, {"动火作业", risk.KindOperation}}},
	{"industry_trade", 35, []string{"机械制造有限公司", "木业有限公司", "铝制品有限公司", "食品有限公司", "纺织有限公司"},
		[]demoPointKind{{"粉尘作业区", risk.KindPlace}, {"有限空间", risk.KindPlace}, {"冲压设备", risk.KindDevice}, {"涉氨制冷", risk.KindProcess}, {"高处作业", risk.KindOperation}}},
	{"fire", 35, []string{"商贸城", "购物广场", "大酒店", "影城", "文化娱乐中心"},
		[]demoPointKind{{"疏散通道", risk.KindPlace}, {"消防控制室", risk.KindPlace}, {"厨房", risk.KindPlace}, {"电气线路", risk.KindDevice}, {"人员密集区", risk.KindPlace}}},
	{"special_equipment", 25, []string{"物流园", "仓储有限公司", "热力有限公司", "电梯工程有限公司"},
		[]demoPointKind{{"叉车", risk.KindDevice}, {"货运电梯", risk.KindDevice}, {"锅炉房", risk.KindPlace}, {"起重机械", risk.KindDevice}, {"压力容器", risk.KindDevice}}},
	{"urban_gas", 30, []string{"餐饮管理有限公司", "酒楼", "食府", "燃气有限公司供气站"},
		[]demoPointKind{{"后厨燃气管道", risk.KindDevice}, {"液化气瓶间", risk.KindPlace}, {"调压箱", risk.KindDevice}, {"燃气灶具", risk.KindDevice}}},
	{"construction", 20, []string{"建设集团项目部", "建筑工程有限公司项目部", "市政工程有限公司项目部"},
		[]demoPointKind{{"塔吊", risk.KindDevice}, {"深基坑", risk.KindPlace}, {"高支模", risk.KindProcess}, {"临时用电", risk.KindDevice}, {"脚手架", risk.KindPlace}}},
	{"road_transport", 15, []string{"客运有限公司", "物流运输有限公司", "危货运输有限公司", "公交公司"},
		[]demoPointKind{{"危货车辆", risk.KindDevice}, {"客运班线", risk.KindOperation}, {"停车场", risk.KindPlace}, {"车辆维修车间", risk.KindPlace}}},
	{"elderly_care", 20, []string{"养老院", "颐养中心", "老年公寓", "康养中心"},
		[]demoPointKind{{"居室区", risk.KindPlace}, {"厨房燃气", risk.KindDevice}, {"电动车充电处", risk.KindPlace}, {"夜间值守", risk.KindOperation}}},
}

// demoWords start the names of the demo units.
var demoWords = []string{"鑫达", "华泰", "东昌", "金诚", "恒通", "瑞丰", "宏远", "昌盛", "鲁西", "光岳", "水城", "运河",
	"凤凰", "嘉禾", "润丰", "民安", "安泰", "永兴", "广源", "泰和", "兴华", "中通", "聚源", "德润", "新城", "凯越", "盛世", "福康"}

// demoDistrict is a district of the demo city, with its area (inside
// DemoArea) and its roads.
type demoDistrict struct {
	name                           string
	minLat, maxLat, minLng, maxLng float64
	roads                          []string
}

var demoDistricts = []demoDistrict{
	{"东昌府区", 36.43, 36.49, 115.93, 116.00, []string{"东昌路", "柳园路", "光岳路", "振兴路", "古楼街"}},
	{"开发区", 36.40, 36.46, 116.00, 116.07, []string{"黄河路", "长江路", "中华路", "东昌东路"}},
	{"高新区", 36.46, 36.51, 116.00, 116.07, []string{"天津路", "华山路", "松桂路", "九州路"}},
	{"度假区", 36.39, 36.43, 115.91, 116.00, []string{"湖南路", "建设路", "站前街", "花园南路"}},
}

// demoLEC and demoLS are assessment values (tenths) of each grade, red
// first, for the two methods.
var (
	demoLEC = [4][]map[string]risk.Tenths{
		{{"l": 60, "e": 60, "c": 150}, {"l": 100, "e": 60, "c": 70}},
		{{"l": 30, "e": 60, "c": 150}, {"l": 60, "e": 60, "c": 70}},
		{{"l": 30, "e": 60, "c": 70}, {"l": 30, "e": 30, "c": 150}},
		{{"l": 10, "e": 30, "c": 30}, {"l": 10, "e": 60, "c": 70}, {"l": 30, "e": 30, "c": 30}},
	}
	demoLS = [4][]map[string]risk.Tenths{
		{{"l": 50, "s": 40}, {"l": 40, "s": 50}},
		{{"l": 30, "s": 50}, {"l": 40, "s": 40}},
		{{"l": 30, "s": 30}, {"l": 30, "s": 40}, {"l": 20, "s": 50}},
		{{"l": 20, "s": 20}, {"l": 10, "s": 30}, {"l": 20, "s": 30}},
	}
)

// demoAssessments are the two demo enterprises' LEC assessments: yellow.
var demoAssessments = []risk.AssessInput{
	{Method: risk.MethodLEC, Values: map[string]risk.Tenths{"l": 30, "e": 60, "c": 70}},
	{Method: risk.MethodLEC, Values: map[string]risk.Tenths{"l": 10, "e": 30, "c": 30}},
}

// demoCreditCode returns a valid unified social credit code for unit n:
// registration authority 9 (industry and commerce), type 1 (enterprise),
// the demo city's division 371502, an organisation code drawn from n and
// the check character.
func demoCreditCode(n int) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	org := make([]byte, 9)
	v := uint64(n)*2654435761 + 12345
	for i := range org {
		org[i] = alphabet[v%uint64(len(alphabet))]
		v /= uint64(len(alphabet))
	}
	if n <= 2 {
		org = fmt.Appendf(nil, "%09d", n) // the demo enterprises keep their codes
	}
	body := "91371502" + string(org)
	c, _ := risk.CreditCheckChar(body)
	return body + string(c)
}

// demoUnit is a generated demo unit: what to register and its points.
type demoUnit struct {
	n      int
	in     risk.UnitInput
	points []risk.PointInput
	// registered is when the unit was registered, in the demo's past.
	registered time.Time
	trade      *demoTrade
}

// demoCity generates the demo units from demoSeed, the same every time:
// DemoUnits units over demoTrades, placed in their districts, with their
// risk points and assessments. Departments come from the city's
// industries.
func demoCity(city *City, now time.Time) ([]demoUnit, error) {
	depts := map[string]string{}
	for _, ind := range city.Industries {
		depts[ind.Code] = ind.Department
	}
	var missing []string
	trades := make([]*demoTrade, 0, DemoUnits)
	for i := range demoTrades {
		t := &demoTrades[i]
		if depts[t.industry] == "" {
			missing = append(missing, t.industry)
		}
		for range t.units {
			trades = append(trades, t)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the demo's units need the industries %v in the city's configuration", missing)
	}
	rng := rand.New(rand.NewPCG(demoSeed, 1))
	// Units 1 and 2 are the first two industries'; the rest shuffled.
	rest := append([]*demoTrade{}, trades...)
	rest = append(rest[:0:0], rest...)
	first, second := &demoTrades[0], &demoTrades[1]
	rest = removeOne(removeOne(rest, first), second)
	rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	order := append([]*demoTrade{first, second}, rest...)

	used := map[string]bool{}
	units := make([]demoUnit, 0, DemoUnits)
	for n := 1; n <= DemoUnits; n++ {
		t := order[n-1]
		u := demoUnit{n: n, trade: t, registered: now.AddDate(0, 0, -demoHistoryDays+rng.IntN(60))}
		if n == 1 {
			// The anchor of the history: see seedRegulators.
			u.registered = now.AddDate(0, 0, -demoHistoryDays)
		}
		if n <= 2 {
			units = append(units, demoEnterprise(n, t, depts[t.industry], u.registered))
			continue
		}
		d := &demoDistricts[rng.IntN(len(demoDistricts))]
		var name string
		for {
			name = "聊城" + demoWords[rng.IntN(len(demoWords))] + t.suffixes[rng.IntN(len(t.suffixes))]
			if !used[name] {
				break
			}
			name = fmt.Sprintf("%s（%s分公司）", name, d.name)
			if !used[name] {
				break
			}
		}
		used[name] = true
		lat := d.minLat + rng.Float64()*(d.maxLat-d.minLat)
		lng := d.minLng + rng.Float64()*(d.maxLng-d.minLng)
		u.in = risk.UnitInput{
			CreditCode: demoCreditCode(n), Name: name, Industry: t.industry,
			Size:  []risk.Size{risk.SizeMicro, risk.SizeSmall, risk.SizeSmall, risk.SizeMedium, risk.SizeMedium, risk.SizeLarge}[rng.IntN(6)],
			Level: []risk.Level{risk.LevelNone, risk.LevelNone, risk.LevelStandard3, risk.LevelStandard3, risk.LevelStandard2, risk.LevelStandard1}[rng.IntN(6)],
			Location: hazard.Location{
				Address:  fmt.Sprintf("%s%s%d号", d.name, d.roads[rng.IntN(len(d.roads))], 1+rng.IntN(300)),
				District: d.name,
				Point:    &hazard.Point{Lat: round6(lat), Lng: round6(lng), System: hazard.GCJ02},
			},
			Grid:        fmt.Sprintf("%s第%d网格", d.name, 1+rng.IntN(12)),
			Departments: []string{depts[t.industry]},
			Contacts:    []hazard.Contact{{Name: "安全负责人", Phone: fmt.Sprintf("139%08d", 6350000+n)}},
		}
		kinds := rng.Perm(len(t.points))[:DemoPointsPerUnit]
		for _, k := range kinds {
			pk := t.points[k]
			u.points = append(u.points, risk.PointInput{Name: pk.name, Kind: pk.kind, Assess: demoAssess(rng)})
		}
		units = append(units, u)
	}
	return units, nil
}

// demoEnterprise is the demo enterprise account's unit n (1 or 2): two
// yellow points, as the demo has always had.
func demoEnterprise(n int, t *demoTrade, dept string, registered time.Time) demoUnit {
	name := map[int]string{1: "聊城市化工仓储有限公司01", 2: "聊城市机械加工厂02"}[n]
	u := demoUnit{n: n, trade: t, registered: registered, in: risk.UnitInput{
		CreditCode: demoCreditCode(n), Name: name, Industry: t.industry,
		Size: []risk.Size{risk.SizeSmall, risk.SizeMedium}[n-1],
		Location: hazard.Location{Address: fmt.Sprintf("东昌府区示范路%d号", n), District: "东昌府区",
			Point: &hazard.Point{Lat: 36.42 + float64((n*37)%80)/1000, Lng: 115.94 + float64((n*53)%80)/1000, System: hazard.GCJ02}},
		Departments: []string{dept},
		Contacts:    []hazard.Contact{{Name: "安全负责人", Phone: fmt.Sprintf("1390635%04d", n)}},
	}}
	for i := range 2 {
		pk := t.points[i]
		u.points = append(u.points, risk.PointInput{Name: pk.name, Kind: []risk.PointKind{risk.KindPlace, risk.KindOperation}[i], Assess: demoAssessments[i]})
	}
	return u
}

func removeOne(list []*demoTrade, t *demoTrade) []*demoTrade {
	for i, x := range list {
		if x == t {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

func round6(f float64) float64 { return float64(int64(f*1e6+0.5)) / 1e6 }

// demoAssess draws an assessment: mostly low and general risks, a few
// major ones; LEC or the LS matrix.
func demoAssess(rng *rand.Rand) risk.AssessInput {
	g := 3 // blue
	switch r := rng.IntN(100); {
	case r < 4:
		g = 0
	case r < 16:
		g = 1
	case r < 50:
		g = 2
	}
	if rng.IntN(3) == 0 {
		vs := demoLS[g]
		return risk.AssessInput{Method: risk.MethodLS, Values: vs[rng.IntN(len(vs))]}
	}
	vs := demoLEC[g]
	return risk.AssessInput{Method: risk.MethodLEC, Values: vs[rng.IntN(len(vs))]}
}

// demoClock is the clock of the demo's seeding services: set to a time of
// the demo's past before each step of its history, so that the use cases
// record it as it would have happened.
type demoClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *demoClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *demoClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// demoIDs gives the seeding services their IDs: the next one set, else a
// UUIDv7 of the demo clock's time with random bits from the demo's
// generator, so that the history sorts by when it happened.
type demoIDs struct {
	mu    sync.Mutex
	next  uuid.UUID
	clock *demoClock
	rng   *rand.Rand
}

func (g *demoIDs) set(id uuid.UUID) {
	g.mu.Lock()
	g.next = id
	g.mu.Unlock()
}

func (g *demoIDs) id() uuid.UUID {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.next != uuid.Nil {
		id := g.next
		g.next = uuid.Nil
		return id
	}
	return demoV7(g.clock.now(), g.rng)
}

// demoV7 returns a UUIDv7 (RFC 9562) for t with random bits from rng.
func demoV7(t time.Time, rng *rand.Rand) uuid.UUID {
	var u uuid.UUID
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	r1, r2 := rng.Uint64(), rng.Uint64()
	for i := 6; i < 16; i++ {
		if i < 14 {
			u[i] = byte(r1 >> (8 * (i - 6)))
		} else {
			u[i] = byte(r2 >> (8 * (i - 14)))
		}
	}
	u[6] = u[6]&0x0f | 0x70 // version 7
	u[8] = u[8]&0x3f | 0x80 // variant RFC 9562
	return u
}

// seedUnit registers the demo unit u with its risk points and
// assessments, at its time in the demo's past. Over a shared database the
// first process registers a unit; the others (and a restart) find it
// registered (CodeConflict) and add only the points it lacks.
func seedUnit(ctx context.Context, u *demoUnit, d *demoSeeders) error {
	admin := hazard.User{ID: "admin-1", Role: string(hazard.RoleAdmin)}
	d.clock.set(u.registered)
	d.ids.set(demoUnitUUID(u.n))
	_, err := d.risk.RegisterUnit(ctx, admin, u.in)
	d.ids.set(uuid.Nil)
	have := 0
	switch {
	case errors.Is(err, hazard.ErrConflict):
		pts, err := d.risk.Points(ctx, admin, demoUnitUUID(u.n))
		if err != nil {
			return err
		}
		have = len(pts)
	case err != nil:
		return err
	}
	for j := have; j < len(u.points); j++ {
		d.clock.set(u.registered.Add(time.Duration(j+1) * time.Hour))
		d.ids.set(uuid.NewSHA1(demoUnitUUID(u.n), fmt.Appendf(nil, "point-%d", j)))
		_, err := d.risk.AddPoint(ctx, admin, demoUnitUUID(u.n), u.points[j])
		d.ids.set(uuid.Nil)
		if errors.Is(err, hazard.ErrConflict) {
			continue // another process seeding at the same time added it
		}
		if err != nil {
			return fmt.Errorf("point %d: %w", j, err)
		}
	}
	return nil
}
