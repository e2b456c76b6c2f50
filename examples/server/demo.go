package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// DemoUser is a seeded demo account.
type DemoUser struct {
	ID         string
	Role       string
	Department string
	// Unit is the unit an enterprise account works for: the string form of
	// the risk register's unit ID.
	Unit  string
	Name  string
	Phone string
	// ResidentID is set for verified citizens.
	ResidentID string
}

// isDemoUser reports whether id is one of DemoUsers.
func isDemoUser(id string) bool {
	for _, d := range DemoUsers() {
		if d.ID == id {
			return true
		}
	}
	return false
}

// DemoUsers returns the accounts a demo server seeds: citizens (citizen-1
// and citizen-3 verified, citizen-2 not), a dispatcher, one handler per
// department (fire-1, gas-1, market-1, transport-1, power-1, housing-1,
// emergency-1), a reviewer, an admin, inspectors (inspector-1 and
// inspector-2 of emergency management, fire-inspector-1 of fire and
// rescue), a supervision group member (supervisor-1), an auditor of the
// access to personal data (auditor-1) and the safety
// managers of two units (unit-1 at the demo unit DemoUnitID(1), unit-2 at
// DemoUnitID(2), role enterprise).
func DemoUsers() []DemoUser {
	return []DemoUser{
		{ID: "citizen-1", Role: "reporter", Name: "张三", Phone: "13800000001", ResidentID: withCheckDigit("11010519900307123")},
		{ID: "citizen-2", Role: "reporter", Phone: "13800000002"},
		{ID: "citizen-3", Role: "reporter", Name: "李四", Phone: "13800000003", ResidentID: withCheckDigit("37150219851120456")},
		{ID: "dispatcher-1", Role: "dispatcher", Name: "王调度"},
		{ID: "fire-1", Role: "handler", Department: "fire", Name: "赵消防"},
		{ID: "gas-1", Role: "handler", Department: "gas", Name: "钱燃气"},
		{ID: "market-1", Role: "handler", Department: "market", Name: "孙市监"},
		{ID: "transport-1", Role: "handler", Department: "transport", Name: "周交通"},
		{ID: "power-1", Role: "handler", Department: "power", Name: "吴供电"},
		{ID: "housing-1", Role: "handler", Department: "housing", Name: "郑住建"},
		{ID: "emergency-1", Role: "handler", Department: "emergency", Name: "冯应急"},
		{ID: "reviewer-1", Role: "reviewer", Name: "陈审核"},
		{ID: "admin-1", Role: "admin", Name: "管理员"},
		{ID: "inspector-1", Role: "inspector", Department: "emergency", Name: "褚检查"},
		{ID: "inspector-2", Role: "inspector", Department: "emergency", Name: "卫检查"},
		{ID: "fire-inspector-1", Role: "inspector", Department: "fire", Name: "蒋消防监督"},
		{ID: "supervisor-1", Role: "supervisor", Name: "杨督查"},
		{ID: "auditor-1", Role: "auditor", Name: "秦审计"},
		{ID: "unit-1", Role: "enterprise", Unit: DemoUnitID(1), Name: "沈安全员"},
		{ID: "unit-2", Role: "enterprise", Unit: DemoUnitID(2), Name: "韩安全员"},
	}
}

// withCheckDigit appends the ISO 7064 MOD 11-2 check character to the
// first 17 digits of a resident ID number.
func withCheckDigit(first17 string) string {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * residentIDWeights[i]
	}
	return first17 + string(residentIDCheck[sum%11])
}

// seed fills a demo server through the real use cases. The demo reports
// are submitted by a service over the same store without the daily
// submission limit, so that the limit configured for the demo citizens is
// theirs to use in full. Over a database several processes share, every
// process seeds the users and articles (they live in memory) but the
// reports only once: submits are idempotent and steps already taken are
// skipped.
func (s *Server) seed(ctx context.Context) error {
	now := s.now()
	svc, err := hazard.NewService(hazard.ServiceConfig{Store: s.store, Clock: s.now, SubmitsPerDay: -1, Metrics: s.hazardMetrics, Logger: s.log})
	if err != nil {
		return err
	}
	for _, d := range DemoUsers() {
		a := Account{ID: d.ID, Role: d.Role, Department: d.Department, Unit: d.Unit, Name: d.Name, Phone: d.Phone, CreatedAt: now}
		// Over a shared database another process may have seeded the
		// account: it is the same one.
		if err := s.users.add(ctx, a); err != nil && !errors.Is(err, hazard.ErrConflict) {
			return err
		}
		if d.ResidentID != "" {
			v, err := checkVerification(d.Name, d.ResidentID, now)
			if err != nil {
				return err
			}
			if _, err := s.users.verify(ctx, d.ID, v); err != nil {
				return err
			}
		}
	}
	for _, a := range demoArticles() {
		// A fixed ID per demo article: every process seeds the same ones,
		// and over a shared database the first one stores them.
		id := uuid.NewSHA1(demoArticleSpace, []byte(a.in.Title)).String()
		if _, err := s.articles.createWithID(ctx, id, a.in); err != nil && !errors.Is(err, hazard.ErrConflict) {
			return err
		}
		if a.publish {
			if _, err := s.articles.publish(ctx, id); err != nil {
				return err
			}
		}
	}
	// The demo's reports take photos as a citizen's do: uploaded, then
	// used; through a service without the daily limit.
	photos, err := hazard.NewPhotos(hazard.PhotosConfig{Service: svc, Uploads: s.uploads, Blobs: s.blobs, TTL: s.cfg.UploadTTL})
	if err != nil {
		return err
	}
	if err := s.seedRegulators(ctx); err != nil {
		return fmt.Errorf("regulators: %w", err)
	}
	for i, r := range demoReports() {
		if err := s.seedReport(ctx, photos, i, r); err != nil {
			return fmt.Errorf("report %d: %w", i, err)
		}
	}
	return nil
}

type demoStep struct {
	user   string
	action string
	in     hazard.ActInput
	photos int
}

type demoReport struct {
	reporter string
	in       hazard.SubmitInput
	steps    []demoStep
}

func loc(addr string, lat, lng float64) hazard.Location {
	return hazard.Location{Address: addr, District: "东昌府区", Point: &hazard.Point{Lat: lat, Lng: lng, System: hazard.GCJ02}}
}

func dispatch(dept string) demoStep {
	return demoStep{user: "dispatcher-1", action: hazard.ActionDispatch, in: hazard.ActInput{Department: dept, Note: "已转办"}}
}

func accept(h string) demoStep {
	return demoStep{user: h, action: hazard.ActionAccept, in: hazard.ActInput{Note: "已受理"}}
}

func resolve(h, note string) demoStep {
	return demoStep{user: h, action: hazard.ActionResolve, in: hazard.ActInput{Note: note}, photos: 1}
}

func demoReports() []demoReport {
	approve := demoStep{user: "reviewer-1", action: hazard.ActionApprove, in: hazard.ActInput{Verdict: "整改到位"}}
	return []demoReport{
		{reporter: "citizen-1", in: hazard.SubmitInput{Category: "fire", Description: "小区3号楼消防通道被电动车堵塞", Location: loc("东昌路88号幸福小区3号楼", 36.4560, 115.9850)}},
		{reporter: "citizen-3", in: hazard.SubmitInput{Category: "gas", Description: "餐馆后厨燃气软管老化开裂", Location: loc("柳园路12号老味道餐馆", 36.4610, 115.9720)}},
		{reporter: "citizen-1", in: hazard.SubmitInput{Category: "road_traffic", Description: "路口红绿灯损坏，车辆抢行", Location: loc("花园路与建设路交叉口", 36.4480, 115.9990)},
			steps: []demoStep{dispatch("transport")}},
		{reporter: "citizen-3", in: hazard.SubmitInput{Category: "fire", Description: "商场安全出口上锁", Location: loc("新区商业广场B座", 36.4700, 116.0100)},
			steps: []demoStep{dispatch("fire"), accept("fire-1")}},
		{reporter: "citizen-1", in: hazard.SubmitInput{Category: "gas", Description: "燃气表附近堆放易燃杂物", Location: loc("光岳路45号", 36.4400, 115.9600)},
			steps: []demoStep{dispatch("gas"), accept("gas-1"), resolve("gas-1", "已清理杂物并张贴警示")}},
		{reporter: "citizen-1", in: hazard.SubmitInput{Category: "fire", Description: "灭火器过期未更换", Location: loc("振兴路20号培训学校", 36.4650, 115.9900)},
			steps: []demoStep{dispatch("fire"), accept("fire-1"), resolve("fire-1", "已更换全部灭火器"), approve}},
		{reporter: "citizen-3", in: hazard.SubmitInput{Category: "construction", Description: "工地塔吊附近无防护围挡", Location: loc("东昌东路工地", 36.4520, 116.0200)},
			steps: []demoStep{dispatch("housing"), accept("housing-1"), resolve("housing-1", "已补设围挡"), approve}},
		{reporter: "citizen-2", in: hazard.SubmitInput{Category: "other", Description: "路边广告牌看起来有点旧", Location: loc("湖南路7号", 36.4450, 115.9700)},
			steps: []demoStep{{user: "dispatcher-1", action: hazard.ActionReject, in: hazard.ActInput{Note: "未发现安全隐患"}}}},
		{reporter: "citizen-2", in: hazard.SubmitInput{Category: "electric_power", Description: "电线杆倾斜", Location: loc("古楼街道北街", 36.4580, 115.9800)},
			steps: []demoStep{{user: "citizen-2", action: hazard.ActionWithdraw, in: hazard.ActInput{}}}},
		{reporter: "citizen-1", in: hazard.SubmitInput{Category: "electric_power", Description: "配电箱门损坏，线路裸露", Location: loc("站前街31号", 36.4380, 115.9450)},
			steps: []demoStep{dispatch("power"), accept("power-1"), resolve("power-1", "已加锁"),
				{user: "reviewer-1", action: hazard.ActionReturn, in: hazard.ActInput{Note: "线路仍裸露，请重新整改"}}}},
		{reporter: "citizen-3", in: hazard.SubmitInput{Category: "special_equipment", Description: "电梯检验合格证过期", Location: loc("龙山小区5号楼", 36.4750, 115.9650)},
			steps: []demoStep{dispatch("market")}},
		{reporter: "citizen-1", in: hazard.SubmitInput{Category: "hazardous_chemicals", Severity: hazard.SeverityMajor, Description: "居民区内违规存放大量危化品", Location: loc("工业路102号仓库", 36.4300, 116.0300)}},
	}
}

// seedReport submits one demo report and takes its steps.
func (s *Server) seedReport(ctx context.Context, photos *hazard.Photos, i int, r demoReport) error {
	rep, err := s.users.get(ctx, r.reporter)
	if err != nil {
		return err
	}
	in := r.in
	if in.Severity == "" {
		in.Severity = hazard.SeverityGeneral
	}
	key, err := seedPhoto(ctx, photos, rep.User(), i*8)
	if err != nil {
		return err
	}
	in.Source = hazard.SourceCitizen
	h, err := photos.Submit(ctx, rep.User(), in, []string{key}, fmt.Sprintf("demo-%d", i))
	if err != nil {
		return err
	}
	for j, st := range r.steps {
		// Step j takes the report from version j+1 to j+2. Over a shared
		// database another process may have seeded it already (the
		// idempotent Submit above returned its report): skip what is done.
		if h.Version >= int64(j)+2 {
			continue
		}
		u, err := s.users.get(ctx, st.user)
		if err != nil {
			return err
		}
		act := st.in
		act.ExpectedVersion = h.Version
		var keys []string
		for k := 0; k < st.photos; k++ {
			key, err := seedPhoto(ctx, photos, u.User(), i*8+j+1)
			if err != nil {
				return err
			}
			keys = append(keys, key)
		}
		next, err := photos.Act(ctx, u.User(), h.ID, st.action, act, keys)
		if errors.Is(err, hazard.ErrConflict) {
			// Another process seeding at the same time took the step.
			if cur, gerr := s.store.Get(ctx, h.ID); gerr == nil && cur.Version >= int64(j)+2 {
				h = cur
				continue
			}
		}
		if err != nil {
			return fmt.Errorf("%s by %s: %w", st.action, st.user, err)
		}
		h = next
	}
	return nil
}

// seedPhoto uploads a small generated PNG as user and returns its key.
func seedPhoto(ctx context.Context, photos *hazard.Photos, user hazard.User, n int) (string, error) {
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	c := color.RGBA{R: uint8(40 + n*23), G: uint8(200 - n*11), B: uint8(90 + n*37), A: 255}
	for y := 0; y < 24; y++ {
		for x := 0; x < 32; x++ {
			if (x/4+y/4)%2 == 0 {
				img.Set(x, y, c)
			} else {
				img.Set(x, y, color.White)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	u, err := photos.Upload(ctx, user, &buf)
	if err != nil {
		return "", err
	}
	return u.Key, nil
}

// demoArticleSpace is the UUID namespace of the demo articles' IDs.
var demoArticleSpace = uuid.MustParse("6f1c0b5e-2d4a-4e0f-9a51-3c7d2b8e4a10")

type demoArticle struct {
	in      ArticleInput
	publish bool
}

func demoArticles() []demoArticle {
	return []demoArticle{
		{publish: true, in: ArticleInput{Kind: KindLaw, Title: "中华人民共和国安全生产法（节选）",
			Source: "中华人民共和国安全生产法",
			Body: "# 第七十四条\n任何单位或者个人对事故隐患或者安全生产违法行为，均有权向负有安全生产监督管理职责的部门报告或者举报。\n\n" +
				"# 第七十六条\n县级以上各级人民政府及其有关部门对报告重大事故隐患或者举报安全生产违法行为的有功人员，给予奖励。"}},
		{publish: true, in: ArticleInput{Kind: KindRule, Title: "安全生产领域举报奖励办法（要点）",
			Source: "安监总财〔2018〕19号",
			Body: "- 举报重大事故隐患和安全生产违法行为，经查证属实的，按行政处罚金额的15%给予奖励，最低3000元，最高30万元。\n" +
				"- 多人举报同一事项的，由最先受理的实名举报人领取奖励。\n" +
				"- 举报人应在接到奖励通知之日起60日内领取奖励，逾期视为放弃。\n" +
				"- 举报人的身份信息予以保密。"}},
		{publish: true, in: ArticleInput{Kind: KindKnowledge, Title: "家庭燃气安全小常识",
			Body: "使用燃气时人不离火，用后关闭灶前阀门。\n\n" +
				"- 定期检查燃气软管，发现老化、开裂及时更换。\n- 闻到燃气味时，不要开关电器，立即开窗通风并到室外拨打燃气抢修电话。"}},
		{publish: false, in: ArticleInput{Kind: KindKnowledge, Title: "电动自行车充电安全（草稿）",
			Body: "不要在楼道、安全出口充电或停放电动自行车。"}},
	}
}
