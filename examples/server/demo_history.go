package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/risk"
)

// demoQuietPeriod keeps the demo's history out of the last hours before
// the start: what happens "now" is the users'.
const demoQuietPeriod = 3 * time.Hour

// demoSeeders are the services that write the demo's history: the
// library's use cases over the server's stores, with the demo clock and
// the demo's IDs.
type demoSeeders struct {
	clock   *demoClock
	ids     *demoIDs
	hazards *hazard.Service
	photos  *hazard.Photos
	risk    *risk.Service
	insp    *inspection.Service
	// until is when the history ends: the start, less demoQuietPeriod.
	until time.Time
	// photos are the acting users' demo photos, shared by the workers.
	shots *demoShots
}

// demoShots are the upload key of each acting user's demo photo and the
// photo held for inspection results, made once and shared by the seeding
// workers.
type demoShots struct {
	mu   sync.Mutex
	keys map[string]string
	held map[string][]hazard.Photo
}

// newDemoSeeders builds the seeding services.
func (s *Server) newDemoSeeders(now time.Time, worker int, shots *demoShots) (*demoSeeders, error) {
	clock := &demoClock{t: now}
	// The seeders' logs would tell of every step of the history.
	quiet := slog.New(slog.DiscardHandler)
	ids := &demoIDs{clock: clock, rng: rand.New(rand.NewPCG(demoSeed, uint64(2+worker)))}
	cats := s.svc.Categories()
	hz, err := hazard.NewService(hazard.ServiceConfig{Store: s.store, Clock: clock.now, NewID: ids.id, SubmitsPerDay: -1,
		Categories: cats, Departments: s.svc.Departments(), Logger: quiet, PublicCoordDecimals: s.cfg.PublicCoordDecimals})
	if err != nil {
		return nil, err
	}
	photos, err := hazard.NewPhotos(hazard.PhotosConfig{Service: hz, Uploads: s.uploads, Blobs: s.blobs, TTL: s.cfg.UploadTTL})
	if err != nil {
		return nil, err
	}
	policy := s.city.Policy
	rs, err := risk.New(risk.Config{Store: s.regs.store, Hazards: s.store, Policy: &policy, Clock: clock.now, NewID: ids.id, Logger: quiet})
	if err != nil {
		return nil, err
	}
	is, err := inspection.New(inspection.Config{Store: s.regs.istore, Units: s.regs.store, Hazards: hz, HazardStore: s.store, Risk: rs,
		Clock: clock.now, NewID: ids.id, Logger: quiet})
	if err != nil {
		return nil, err
	}
	return &demoSeeders{clock: clock, ids: ids, hazards: hz, photos: photos, risk: rs, insp: is,
		until: now.Add(-demoQuietPeriod), shots: shots}, nil
}

// demoInspectors returns the two inspectors of a department's visits: the
// demo accounts where the department has them, else the department's
// inspectors by name.
func demoInspectors(dept string) []hazard.User {
	var out []hazard.User
	for _, d := range DemoUsers() {
		if d.Role == string(hazard.RoleInspector) && d.Department == dept {
			out = append(out, hazard.User{ID: d.ID, Role: d.Role, Department: dept})
		}
	}
	for i := len(out) + 1; len(out) < inspection.MinEnforcementInspectors; i++ {
		out = append(out, hazard.User{ID: fmt.Sprintf("%s-inspector-%d", dept, i), Role: string(hazard.RoleInspector), Department: dept})
	}
	return out[:inspection.MinEnforcementInspectors]
}

// photoKey returns user's upload of a demo photo, uploaded once.
func (d *demoSeeders) photoKey(ctx context.Context, s *Server, user hazard.User) (string, error) {
	d.shots.mu.Lock()
	k, ok := d.shots.keys[user.ID]
	n := len(d.shots.keys)
	d.shots.mu.Unlock()
	if ok {
		return k, nil
	}
	// Two workers may upload one user's photo at once: the same content
	// is the same upload.
	k, err := seedPhoto(ctx, s.photos, user, n%32)
	if err != nil {
		return "", err
	}
	d.shots.mu.Lock()
	d.shots.keys[user.ID] = k
	d.shots.mu.Unlock()
	return k, nil
}

// heldPhoto returns user's demo photo as a held photo, for inspection
// results.
func (d *demoSeeders) heldPhoto(ctx context.Context, s *Server, user hazard.User) ([]hazard.Photo, error) {
	d.shots.mu.Lock()
	p, ok := d.shots.held[user.ID]
	d.shots.mu.Unlock()
	if ok {
		return p, nil
	}
	k, err := d.photoKey(ctx, s, user)
	if err != nil {
		return nil, err
	}
	p, err = s.heldPhotos(ctx, user, []string{k})
	if err != nil {
		return nil, err
	}
	d.shots.mu.Lock()
	d.shots.held[user.ID] = p
	d.shots.mu.Unlock()
	return p, nil
}

// demoNotes are what inspectors write on a failed item.
var demoNotes = []string{"现场检查发现问题，已拍照取证", "责令立即整改", "未建立相关管理台账", "设施损坏未及时维修", "作业人员未按规程操作", "安全警示标志缺失"}

// demoTopics are the topics of the on-site training of a visit.
var demoTopics = []string{"重大事故隐患判定标准解读", "有限空间作业安全", "消防设施使用与疏散演练", "动火作业审批流程", "特种设备日常检查", "燃气泄漏应急处置"}

// seedUnitHistory gives a generated unit (not the demo enterprises') a
// history through the library's use cases: enforcement visits against
// its industry's checklist cl, now and then a self-check, the hazards of
// the failed items, and each hazard taken along the rectification process
// as far as its age and its luck take it, so that every state has
// hazards. Each unit's history is drawn from its own generator; visits
// have fixed IDs, so that over a shared database and on restart a visit
// already made is found (CodeConflict), finished if it is not, and its
// hazards' steps already taken are skipped.
func (s *Server) seedUnitHistory(ctx context.Context, d *demoSeeders, u *demoUnit, cl *inspection.Checklist) error {
	rng := rand.New(rand.NewPCG(demoSeed, uint64(1000+u.n)))
	visits := []int{0, 0, 1, 1, 1, 2}[rng.IntN(6)]
	var days []int
	for range visits {
		days = append(days, 2+rng.IntN(300))
	}
	// Oldest first.
	for i := range days {
		for j := i + 1; j < len(days); j++ {
			if days[j] > days[i] {
				days[i], days[j] = days[j], days[i]
			}
		}
	}
	manager := demoManager(u.n)
	for k, ago := range days {
		at := d.until.AddDate(0, 0, -ago).Add(time.Duration(rng.IntN(8)) * time.Hour)
		if err := s.seedVisit(ctx, d, u, cl, rng, k, inspection.KindEnforcement, demoInspectors(u.in.Departments[0]), manager, at); err != nil {
			return err
		}
	}
	if rng.IntN(5) == 0 {
		at := d.until.AddDate(0, 0, -1-rng.IntN(60))
		if err := s.seedVisit(ctx, d, u, cl, rng, len(days), inspection.KindSelfCheck, []hazard.User{manager}, manager, at); err != nil {
			return err
		}
	}
	// The unit's grade and due date with its hazards as they now are
	// (when the history ends).
	d.clock.set(d.until)
	_, err := d.risk.Recompute(ctx, demoUnitUUID(u.n))
	return err
}

// seedVisit makes the visit k of the unit at the time at, raises its
// findings and moves each along.
func (s *Server) seedVisit(ctx context.Context, d *demoSeeders, u *demoUnit, cl *inspection.Checklist, rng *rand.Rand,
	k int, kind inspection.Kind, inspectors []hazard.User, manager hazard.User, at time.Time) error {
	lead := inspectors[0]
	ids := make([]string, len(inspectors))
	for i, in := range inspectors {
		ids[i] = in.ID
	}
	vid := demoV7(at, rand.New(rand.NewPCG(demoSeed, uint64(u.n*16+k))))
	d.clock.set(at)
	d.ids.set(vid)
	v, err := d.insp.Start(ctx, lead, inspection.StartInput{Kind: kind, UnitID: demoUnitUUID(u.n), Inspectors: ids, Checklist: cl.ID, ChecklistVersion: cl.Version})
	d.ids.set(uuid.Nil)
	if errors.Is(err, hazard.ErrConflict) {
		v, err = d.insp.Inspection(ctx, configUser, vid)
	}
	if err != nil {
		return fmt.Errorf("start visit %d: %w", k, err)
	}
	// Draw every result even when the visit is finished: the generator
	// then draws the same for what follows.
	fin := inspection.FinishInput{ExpectedVersion: v.Version}
	major := 10
	for _, it := range cl.Items {
		r := inspection.Result{Item: it.Code, Outcome: inspection.Compliant}
		p := 14
		if it.Major() {
			p = major
		}
		switch x := rng.IntN(100); {
		case x < p:
			r.Outcome, r.Note = inspection.NonCompliant, demoNotes[rng.IntN(len(demoNotes))]
			photos, err := d.heldPhoto(ctx, s, lead)
			if err != nil {
				return err
			}
			r.Photos = photos
		case x > 94:
			r.Outcome = inspection.NotApplicable
		}
		fin.Results = append(fin.Results, r)
	}
	if kind == inspection.KindEnforcement && rng.IntN(10) < 6 {
		fin.Trained = inspection.Trained{Count: 3 + rng.IntN(28), Topic: demoTopics[rng.IntN(len(demoTopics))]}
	}
	if v.Status != inspection.StatusFinished {
		d.clock.set(at.Add(2 * time.Hour))
		v, err = d.insp.Finish(ctx, lead, vid, fin)
		if errors.Is(err, hazard.ErrConflict) {
			// Another process seeding at the same time finished it.
			v, err = d.insp.Inspection(ctx, configUser, vid)
		}
		if err != nil {
			return fmt.Errorf("finish visit %d: %w", k, err)
		}
	}
	// What the relay's consumers do with the finished visit, at once, so
	// that the plan and the grades are right from the start: the unit's
	// last inspection, and its findings' hazards.
	if kind == inspection.KindEnforcement {
		if _, err := d.risk.RecordInspection(ctx, lead, v.UnitID, v.FinishedAt); err != nil {
			return fmt.Errorf("record visit %d: %w", k, err)
		}
	}
	hs, err := d.insp.RaiseFindings(ctx, v)
	if err != nil {
		return fmt.Errorf("findings of visit %d: %w", k, err)
	}
	staff := demoInspectors(u.in.Departments[0])[0]
	for _, h := range hs {
		if err := s.seedRectification(ctx, d, h, rng, staff, manager, v.FinishedAt); err != nil {
			return fmt.Errorf("hazard %s: %w", h.Ref, err)
		}
	}
	return nil
}

// demoAct is one step of a hazard's rectification in the demo's history.
type demoAct struct {
	user   hazard.User
	action string
	in     hazard.ActInput
	photos bool
	// after is how long after the previous step it is taken.
	after time.Duration
}

// seedRectification takes the hazard h along the rectification process:
// the path its severity takes, with now and then a failed re-inspection,
// a return, a dismissal or a reopening by a supervision group, as far as
// its age (steps stop before the quiet period) and a stall drawn for some
// hazards let it go.
func (s *Server) seedRectification(ctx context.Context, d *demoSeeders, h hazard.Hazard, rng *rand.Rand,
	inspector, manager hazard.User, found time.Time) error {
	reviewer := hazard.User{ID: "reviewer-1", Role: string(hazard.RoleReviewer)}
	supervisor := hazard.User{ID: "supervisor-1", Role: string(hazard.RoleSupervisor)}
	day := 24 * time.Hour
	days := func(lo, hi int) time.Duration {
		return time.Duration(lo+rng.IntN(hi-lo+1))*day + time.Duration(rng.IntN(8))*time.Hour
	}
	order := demoAct{user: inspector, action: hazard.ActionOrder, in: hazard.ActInput{Note: "下达整改指令书，限期整改"}, after: days(0, 1)}
	rectify := demoAct{user: manager, action: hazard.ActionRectify, in: hazard.ActInput{Note: "已按要求完成整改，附整改照片"}, photos: true, after: days(2, 12)}
	var steps []demoAct
	major := h.Severity == hazard.SeverityMajor
	switch {
	case rng.IntN(20) == 0:
		steps = append(steps, demoAct{user: inspector, action: hazard.ActionDismiss, in: hazard.ActInput{Note: "经复核不构成隐患"}, after: days(0, 2)})
	case major:
		steps = append(steps, demoAct{user: reviewer, action: hazard.ActionList, in: hazard.ActInput{Note: "重大事故隐患挂牌督办"}, after: days(0, 1)},
			order, rectify)
		if rng.IntN(5) == 0 {
			steps = append(steps, demoAct{user: inspector, action: hazard.ActionPassMajor, in: hazard.ActInput{Verdict: "复查合格"}, after: days(1, 3)},
				demoAct{user: reviewer, action: hazard.ActionReturn, in: hazard.ActInput{Note: "整改材料不全，退回补充"}, after: days(1, 3)}, rectify)
		}
		steps = append(steps, demoAct{user: inspector, action: hazard.ActionPassMajor, in: hazard.ActInput{Verdict: "复查合格"}, after: days(1, 3)},
			demoAct{user: reviewer, action: hazard.ActionSignOff, in: hazard.ActInput{Verdict: "准予销号"}, after: days(1, 5)})
	default:
		steps = append(steps, order, rectify)
		if rng.IntN(6) == 0 {
			steps = append(steps, demoAct{user: inspector, action: hazard.ActionFail, in: hazard.ActInput{Note: "复查不合格，继续整改"}, after: days(1, 3)}, rectify)
		}
		steps = append(steps, demoAct{user: inspector, action: hazard.ActionPass, in: hazard.ActInput{Verdict: "复查合格"}, after: days(1, 3)})
	}
	if len(steps) > 1 && rng.IntN(15) == 0 {
		steps = append(steps, demoAct{user: supervisor, action: hazard.ActionReopen, in: hazard.ActInput{Note: "督查组复核发现整改不到位"}, after: days(5, 30)})
	}
	// Some hazards stall: their unit or their inspector is late; a major
	// one more often, as it waits for more people, and never before the
	// reviewer lists it.
	switch {
	case major && len(steps) > 2 && rng.IntN(2) == 0:
		steps = steps[:1+rng.IntN(len(steps)-1)]
	case !major && rng.IntN(6) == 0:
		steps = steps[:rng.IntN(len(steps))]
	}
	at := found
	for j, st := range steps {
		at = at.Add(st.after)
		if at.After(d.until) {
			return nil
		}
		// Step j takes the hazard from version j+1 to j+2: on restart or
		// over a shared database, skip what is done.
		if h.Version >= int64(j)+2 {
			continue
		}
		var keys []string
		if st.photos {
			k, err := d.photoKey(ctx, s, st.user)
			if err != nil {
				return err
			}
			keys = []string{k}
		}
		d.clock.set(at)
		in := st.in
		in.ExpectedVersion = h.Version
		next, err := d.photos.Act(ctx, st.user, h.ID, st.action, in, keys)
		if errors.Is(err, hazard.ErrConflict) {
			// Another process seeding at the same time took the step.
			if cur, gerr := s.store.Get(ctx, h.ID); gerr == nil && cur.Version >= int64(j)+2 {
				h = cur
				continue
			}
		}
		if err != nil {
			return fmt.Errorf("%s by %s: %w", st.action, st.user.ID, err)
		}
		h = next
	}
	return nil
}

// demoWorkers is how many units are seeded at once: each step is a short
// transaction, and a database commits many at once about as fast as one.
const demoWorkers = 8

// seedRegulators registers the demo city's units and gives them a
// history, demoWorkers units at a time, each worker with its own seeding
// services and clock. The history is placed relative to the first start
// over the database: demo unit 1 is registered demoHistoryDays before it,
// and a later start (a restart, another process) reads that date back, so
// that it makes the same history with the same IDs, finds it made, and
// adds nothing.
func (s *Server) seedRegulators(ctx context.Context) (err error) {
	anchor, fresh := s.now(), false
	switch u, err := s.regs.store.GetUnit(ctx, demoUnitUUID(1)); {
	case err == nil:
		anchor = u.CreatedAt.AddDate(0, 0, demoHistoryDays)
	case errors.Is(err, hazard.ErrNotFound):
		fresh = true
	default:
		return err
	}
	if fresh {
		// What happened before the history (the checklists published) is
		// delivered first: see skipHistory.
		if err := s.loop.flush(ctx); err != nil {
			return err
		}
	}
	units, err := demoCity(&s.city, anchor)
	if err != nil {
		return err
	}
	units = units[:s.cfg.DemoUnits]
	defer func() {
		if fresh && err == nil {
			err = s.loop.skipHistory(ctx, anchor.Add(-demoQuietPeriod))
		}
	}()
	if err := s.seedInspectors(ctx, units); err != nil {
		return err
	}
	lists := map[string]inspection.Checklist{}
	for _, ind := range s.city.Industries {
		if ind.Checklist == "" {
			continue
		}
		cl, err := s.regs.insp.Checklist(ctx, configUser, ind.Checklist, 0)
		if err != nil {
			return fmt.Errorf("checklist %s: %w", ind.Checklist, err)
		}
		lists[ind.Code] = cl
	}
	shots := &demoShots{keys: map[string]string{}, held: map[string][]hazard.Photo{}}
	g, gctx := errgroup.WithContext(ctx)
	for w := range demoWorkers {
		d, err := s.newDemoSeeders(anchor, w, shots)
		if err != nil {
			return err
		}
		g.Go(func() error {
			for i := w; i < len(units); i += demoWorkers {
				u := &units[i]
				if err := seedUnit(gctx, u, d); err != nil {
					return fmt.Errorf("unit %d: %w", u.n, err)
				}
				if u.n <= 2 {
					continue
				}
				if err := s.seedManager(gctx, u); err != nil {
					return err
				}
				if cl, ok := lists[u.in.Industry]; ok {
					if err := s.seedUnitHistory(gctx, d, u, &cl); err != nil {
						return fmt.Errorf("unit %d: %w", u.n, err)
					}
				}
			}
			return nil
		})
	}
	err = g.Wait()
	return err
}

// demoManager is the safety manager of the generated demo unit n.
func demoManager(n int) hazard.User {
	return hazard.User{ID: fmt.Sprintf("unit-%d-manager", n), Role: string(hazard.RoleEnterprise), UnitID: demoUnitUUID(n).String()}
}

// seedInspectors adds the accounts of the inspectors of the demo's
// history where the demo users have none: two of each industry's
// department ("<department>-inspector-<i>").
func (s *Server) seedInspectors(ctx context.Context, units []demoUnit) error {
	seen := map[string]bool{}
	for _, d := range DemoUsers() {
		seen[d.ID] = true
	}
	for i := range units {
		for _, in := range demoInspectors(units[i].in.Departments[0]) {
			if seen[in.ID] {
				continue
			}
			seen[in.ID] = true
			if err := s.addDemoAccount(ctx, Account{ID: in.ID, Role: in.Role, Department: in.Department, Name: in.ID}); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedManager adds the account of the generated unit's safety manager
// ("unit-<n>-manager", role enterprise).
func (s *Server) seedManager(ctx context.Context, u *demoUnit) error {
	m := demoManager(u.n)
	return s.addDemoAccount(ctx, Account{ID: m.ID, Role: m.Role, Unit: m.UnitID, Name: u.in.Name + "安全员"})
}

// addDemoAccount adds a, which another process over the database may have
// added already.
func (s *Server) addDemoAccount(ctx context.Context, a Account) error {
	a.CreatedAt = s.now()
	if err := s.users.add(ctx, a); err != nil && !errors.Is(err, hazard.ErrConflict) {
		return fmt.Errorf("account %s: %w", a.ID, err)
	}
	return nil
}

// skipHistory moves every relay consumer's cursor past the events of the
// demo's history that lead its backlog: those that happened before until
// (the history's end; everything else, a demo report or a user's action,
// happens later). Their effects are made already: the seeders recorded the
// visits, raised their findings and regraded the units themselves, and a
// history has no notices to send (nobody would want hundreds of messages
// about last year's hazards at every demo start), no reward and no
// figure. Cursors never move back (relay.Cursors), so that a process
// seeding at the same time, or a consumer already past them, loses
// nothing.
func (l *loop) skipHistory(ctx context.Context, until time.Time) error {
	log, ok := l.s.store.(hazard.EventLog)
	if !ok {
		return nil
	}
	for _, name := range l.consumers {
		cur, err := l.s.cursors.Cursor(ctx, name)
		if err != nil {
			return err
		}
		last := cur
	read:
		for {
			evs, err := log.Events(ctx, last, 0)
			if err != nil {
				return err
			}
			for _, e := range evs {
				if e.Time.After(until) {
					break read
				}
				last = e.Seq
			}
			if len(evs) == 0 {
				break
			}
		}
		if last == cur {
			continue
		}
		if err := l.s.cursors.SaveCursor(ctx, name, last); err != nil && !errors.Is(err, hazard.ErrConflict) {
			return err
		}
	}
	return nil
}
