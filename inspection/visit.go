package inspection

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

// StartInput starts a visit.
type StartInput struct {
	Kind   Kind
	UnitID uuid.UUID
	// Inspectors are the user IDs of an enforcement visit's inspectors,
	// the acting user among them; at least MinEnforcementInspectors. A
	// self-check's inspector is its safety manager, whatever is given.
	Inspectors []string
	// Checklist and ChecklistVersion name the list (0: its latest version).
	Checklist        string
	ChecklistVersion int
}

// Start opens a visit of the unit against a checklist version and returns
// it. An enforcement visit is started by staff who are among its
// inspectors and in scope of the unit (risk.InScope: an inspector of
// another department is CodeForbidden on "unit_id"); a self-check by the unit's own safety manager (role
// enterprise whose User.UnitID is the unit), CodeForbidden otherwise. Bad
// input is CodeInvalid naming every field; an unknown unit or checklist
// CodeNotFound. The visit and its EventStarted are stored in one step.
func (s *Service) Start(ctx context.Context, user hazard.User, in StartInput) (Inspection, error) {
	const op = "start inspection"
	if err := signedIn(op, user); err != nil {
		return Inspection{}, err
	}
	var p hazard.Problems
	switch in.Kind {
	case KindEnforcement:
		if !user.Staff() {
			return Inspection{}, &hazard.Error{Code: hazard.CodeForbidden, Op: op, Field: "kind", Message: "only staff inspect"}
		}
		checkInspectors(&p, user, in.Inspectors)
	case KindSelfCheck:
		if user.Role != string(hazard.RoleEnterprise) || user.UnitID != in.UnitID.String() {
			return Inspection{}, &hazard.Error{Code: hazard.CodeForbidden, Op: op, Field: "unit_id", Message: "a self-check is by the unit's own safety manager"}
		}
		in.Inspectors = []string{user.ID}
	default:
		p.Add("kind", "must be enforcement or self_check")
	}
	if in.UnitID == uuid.Nil {
		p.Add("unit_id", "is required")
	}
	if in.Checklist == "" {
		p.Add("checklist", "is required")
	}
	if in.ChecklistVersion < 0 {
		p.Add("checklist_version", "must not be negative")
	}
	if err := p.Err(op); err != nil {
		return Inspection{}, err
	}
	unit, err := s.units.GetUnit(ctx, in.UnitID)
	if err != nil {
		return Inspection{}, hazard.Wrap(op, err)
	}
	if in.Kind == KindEnforcement && !risk.InScope(user, &unit) {
		return Inspection{}, &hazard.Error{Code: hazard.CodeForbidden, Op: op, Field: "unit_id", Message: "the unit is not your department's"}
	}
	cl, err := s.store.GetChecklist(ctx, in.Checklist, in.ChecklistVersion)
	if err != nil {
		return Inspection{}, hazard.Wrap(op, err)
	}
	now := s.now()
	dept := user.Department
	if in.Kind == KindSelfCheck || dept == "" {
		dept = cl.Department
	}
	v := Inspection{
		ID: s.newID(), Kind: in.Kind, UnitID: unit.ID,
		Unit:       UnitInfo{Name: unit.Name, Industry: unit.Industry, Location: unit.Location},
		Department: dept, Inspectors: slices.Clone(in.Inspectors),
		Checklist: cl.ID, ChecklistVersion: cl.Version, Status: StatusOpen,
		StartedAt: now, Version: 1,
	}
	v = v.Clone()
	ev := hazard.Event{Subject: Subject(v.ID), Type: EventStarted, Actor: user.Actor(), Time: now,
		Data: map[string]string{DataKind: string(v.Kind), DataUnitID: v.UnitID.String()}}
	stored, err := s.store.CreateInspection(ctx, v, []hazard.Event{ev})
	if err != nil {
		return Inspection{}, hazard.Wrap(op, err)
	}
	s.metrics.started(v.Kind)
	return stored, nil
}

func checkInspectors(p *hazard.Problems, user hazard.User, ids []string) {
	switch {
	case len(ids) < MinEnforcementInspectors:
		p.Add("inspectors", "an enforcement visit needs at least %d inspectors", MinEnforcementInspectors)
	case len(ids) > MaxInspectors:
		p.Add("inspectors", "must be at most %d", MaxInspectors)
	}
	for i, id := range ids {
		if id == "" || utf8.RuneCountInString(id) > hazard.MaxUserIDLen {
			p.Add("inspectors["+strconv.Itoa(i)+"]", "must be a user ID")
		} else if slices.Index(ids, id) != i {
			p.Add("inspectors["+strconv.Itoa(i)+"]", "is listed twice")
		}
	}
	if !slices.Contains(ids, user.ID) {
		p.Add("inspectors", "must include you")
	}
}

// FinishInput is what the inspector records when finishing a visit.
type FinishInput struct {
	// ExpectedVersion is the visit's version the inspector saw; required.
	ExpectedVersion int64
	// Results has one entry per item of the checklist version.
	Results []Result
	Trained Trained
}

// Finish records the visit's results and finishes it, in one atomic step
// with its EventFinished: the decision. The hazards of its non-compliant
// items are raised afterwards from the event log by Consumer, so that a
// retried finish or a crash never loses or doubles one.
//
// Only an inspector of the visit may finish it (CodeForbidden on
// "inspectors"). The results recorded item by item (RecordResult) and the
// people trained (RecordTrained) count: a result given here replaces the
// recorded one of its item, and a zero Trained keeps the recorded one.
// Together they must answer every item of the checklist version exactly
// once (CodeInvalid on "results[i].item" for an item not on it,
// on "results" for one unanswered); a non-compliant item needs 1 to
// MaxResultPhotos photos; its severity defaults to the item's (major under
// a criterion) and may be raised, but lowering a criterion's major needs a
// SeverityReason. Every problem is reported at once and nothing is stored.
// Finishing a finished visit again returns it unchanged (an idempotent
// retry); a stale ExpectedVersion on an open one is CodeConflict.
func (s *Service) Finish(ctx context.Context, user hazard.User, id uuid.UUID, in FinishInput) (Inspection, error) {
	const op = "finish inspection"
	if err := signedIn(op, user); err != nil {
		return Inspection{}, err
	}
	v, err := s.store.GetInspection(ctx, id)
	if err != nil {
		return Inspection{}, hazard.Wrap(op, err)
	}
	if err := mayFill(op, user, &v); err != nil {
		return Inspection{}, err
	}
	if v.Status == StatusFinished {
		return v, nil
	}
	cl, err := s.store.GetChecklist(ctx, v.Checklist, v.ChecklistVersion)
	if err != nil {
		return Inspection{}, hazard.Wrap(op, err)
	}
	in.Results = withRecorded(in.Results, v.Results)
	if in.Trained == (Trained{}) {
		in.Trained = v.Trained
	}
	results, err := checkResults(op, &cl, in)
	if err != nil {
		return Inspection{}, err
	}
	if in.ExpectedVersion != v.Version {
		return Inspection{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "expected_version", Message: "the inspection changed: reload it", Version: v.Version}
	}
	now := s.now()
	v.Results, v.Trained = results, Trained{Count: in.Trained.Count, Topic: hazard.NormalizeText(in.Trained.Topic)}
	v.Status, v.FinishedAt, v.FinishedBy = StatusFinished, now, user
	failed := len(v.NonCompliant())
	ev := hazard.Event{Subject: Subject(v.ID), Type: EventFinished, Actor: user.Actor(), Time: now,
		Data: map[string]string{DataKind: string(v.Kind), DataUnitID: v.UnitID.String(), DataNonCompliant: strconv.Itoa(failed)}}
	stored, err := s.store.UpdateInspection(ctx, v, in.ExpectedVersion, []hazard.Event{ev})
	if err != nil {
		return Inspection{}, hazard.Wrap(op, err)
	}
	s.metrics.finished(v.Kind, failed)
	return stored, nil
}

// checkResults validates in against the checklist and returns the results
// in checklist order with their severities resolved.
func checkResults(op string, cl *Checklist, in FinishInput) ([]Result, error) {
	var p hazard.Problems
	if in.ExpectedVersion < 1 {
		p.Add("expected_version", "is required")
	}
	byItem := make(map[string]Result, len(in.Results))
	for i, r := range in.Results {
		at := "results[" + strconv.Itoa(i) + "]"
		r, ok := checkResult(&p, at, cl, r)
		if ok && hasKey(byItem, r.Item) {
			p.Add(at+".item", "is answered twice")
		} else if ok {
			byItem[r.Item] = r
		}
	}
	var missing []string
	out := make([]Result, 0, len(cl.Items))
	for _, it := range cl.Items {
		r, ok := byItem[it.Code]
		if !ok {
			missing = append(missing, it.Code)
			continue
		}
		out = append(out, r)
	}
	if len(missing) > 0 {
		p.Add("results", "has no result for the items %s", strings.Join(missing, ", "))
	}
	checkTrained(&p, "trained.", in.Trained)
	if err := p.Err(op); err != nil {
		return nil, err
	}
	return out, nil
}

func hasKey[K comparable, V any](m map[K]V, k K) bool { _, ok := m[k]; return ok }

// Inspection returns the visit id to staff, or to the safety manager of its
// unit; CodeNotFound when missing, CodeForbidden for anyone else.
func (s *Service) Inspection(ctx context.Context, user hazard.User, id uuid.UUID) (Inspection, error) {
	const op = "inspection"
	if err := signedIn(op, user); err != nil {
		return Inspection{}, err
	}
	v, err := s.store.GetInspection(ctx, id)
	if err != nil {
		return Inspection{}, hazard.Wrap(op, err)
	}
	if !user.Staff() && user.UnitID != v.UnitID.String() {
		return Inspection{}, &hazard.Error{Code: hazard.CodeForbidden, Op: op, Message: "not your unit's inspection"}
	}
	return v, nil
}

// Inspections lists the visits matching f to staff, newest first; to a
// unit's safety manager (role enterprise) those of their own unit, asking
// for another's being CodeForbidden on "unit_id".
func (s *Service) Inspections(ctx context.Context, user hazard.User, f InspectionFilter, p hazard.Page) (InspectionList, error) {
	const op = "inspections"
	if user.ID != "" && user.Role == string(hazard.RoleEnterprise) {
		own, err := uuid.Parse(user.UnitID)
		if err != nil || (f.UnitID != uuid.Nil && f.UnitID != own) {
			return InspectionList{}, &hazard.Error{Code: hazard.CodeForbidden, Op: op, Field: "unit_id", Message: "not your unit"}
		}
		f.UnitID = own
	} else if err := staffOnly(op, user); err != nil {
		return InspectionList{}, err
	}
	l, err := s.store.ListInspections(ctx, f, p)
	return l, hazard.Wrap(op, err)
}

// checkResult normalizes one result r, adds its problems to p under the
// field prefix at, resolves a non-compliant item's severity, and reports
// whether its item is on the checklist version: the one rule of a result,
// for Finish and RecordResult.
func checkResult(p *hazard.Problems, at string, cl *Checklist, r Result) (Result, bool) {
	r.Item, r.Note, r.SeverityReason = strings.TrimSpace(r.Item), hazard.NormalizeText(r.Note), hazard.NormalizeText(r.SeverityReason)
	item, ok := cl.Item(r.Item)
	if !ok {
		p.Add(at+".item", "is not an item of checklist %s version %d", cl.ID, cl.Version)
	}
	if !r.Outcome.Valid() {
		p.Add(at+".outcome", "must be compliant, non_compliant or not_applicable")
	}
	hazard.CheckText(p, at+".note", r.Note, 0, MaxNoteLen)
	hazard.CheckText(p, at+".severity_reason", r.SeverityReason, 0, MaxReasonLen)
	switch {
	case r.Outcome == NonCompliant && len(r.Photos) == 0:
		p.Add(at+".photos", "a non-compliant item needs at least 1 photo")
	case len(r.Photos) > MaxResultPhotos:
		p.Add(at+".photos", "takes at most %d photos", MaxResultPhotos)
	}
	for j, ph := range r.Photos {
		p.Merge(at+".photos["+strconv.Itoa(j)+"]", ph.Validate())
	}
	if r.Outcome == NonCompliant {
		if r.Severity == "" {
			r.Severity = hazard.SeverityGeneral
			if item.Major() {
				r.Severity = hazard.SeverityMajor
			}
		}
		if !r.Severity.Valid() {
			p.Add(at+".severity", "must be general or major")
		} else if ok && item.Major() && r.Severity != hazard.SeverityMajor && r.SeverityReason == "" {
			p.Add(at+".severity_reason", "is required to lower the severity the criterion %q sets", item.Criterion)
		}
	} else {
		r.Severity, r.SeverityReason = "", ""
	}
	r.Photos = slices.Clone(r.Photos)
	return r, ok
}

// checkTrained adds the problems of t to p under the field prefix at
// ("trained."): 0 to MaxTrainedCount people, a topic of at most
// MaxTopicLen runes, required when anyone was trained.
func checkTrained(p *hazard.Problems, at string, t Trained) {
	if t.Count < 0 || t.Count > MaxTrainedCount {
		p.Add(at+"count", "must be 0 to %d", MaxTrainedCount)
	}
	hazard.CheckText(p, at+"topic", hazard.NormalizeText(t.Topic), 0, MaxTopicLen)
	if t.Count > 0 && strings.TrimSpace(t.Topic) == "" {
		p.Add(at+"topic", "is required when people were trained")
	}
}

// withRecorded returns the given results followed by the recorded ones of
// the items not given: a given result replaces its item's recorded one.
func withRecorded(given, recorded []Result) []Result {
	if len(recorded) == 0 {
		return given
	}
	out := slices.Clone(given)
	for _, r := range recorded {
		if !slices.ContainsFunc(given, func(g Result) bool { return strings.TrimSpace(g.Item) == r.Item }) {
			out = append(out, r)
		}
	}
	return out
}

// mayFill returns CodeForbidden on "inspectors" unless user may record the
// results of the visit v: one of its inspectors, and for a self-check the
// safety manager of its unit.
func mayFill(op string, user hazard.User, v *Inspection) error {
	if !v.Inspector(user.ID) || v.Kind == KindSelfCheck && user.UnitID != v.UnitID.String() {
		return &hazard.Error{Code: hazard.CodeForbidden, Op: op, Field: "inspectors", Message: "you are not an inspector of this visit"}
	}
	return nil
}
