package inspection

import (
	"context"
	"slices"
	"strconv"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

// The event types of results recorded item by item on an open visit
// (subject kind "inspection").
const (
	// EventResultRecorded records one item's result (Data: DataItem,
	// DataOutcome).
	EventResultRecorded hazard.EventType = "inspection_result_recorded"
	// EventTrainedRecorded records the people trained on site (Data:
	// DataTrainedCount).
	EventTrainedRecorded hazard.EventType = "inspection_trained_recorded"
)

// Keys of the Data of the recording events.
const (
	DataItem         = "item"
	DataOutcome      = "outcome"
	DataTrainedCount = "trained_count"
)

// RecordInput is one item's result, recorded on an open visit.
type RecordInput struct {
	// ExpectedVersion is the visit's version the inspector saw; required.
	ExpectedVersion int64
	// Result is the item's finding; Result.Item names the item.
	Result Result
}

// RecordResult records the result of one item of the open visit id and
// returns the visit: the way a phone fills a checklist item by item, each
// result kept by the server as soon as it is given, so that a reload or a
// lost connection loses nothing. A result recorded again for the same item
// replaces the earlier one; Results stay in checklist order. Finish then
// takes the recorded results.
//
// Only an inspector of the visit, and for a self-check the unit's own
// safety manager, may record (CodeForbidden on "inspectors"). The item must
// be on the visit's checklist version (CodeInvalid on "result.item"); the
// result follows the rules of Finish (a non-compliant item needs 1 to
// MaxResultPhotos photos, severities as there), every problem reported at
// once on its field ("result.photos") and nothing stored. A finished visit
// is CodeConflict on "status"; a stale ExpectedVersion CodeConflict with
// the stored version. The visit and its EventResultRecorded are stored in
// one step.
func (s *Service) RecordResult(ctx context.Context, user hazard.User, id uuid.UUID, in RecordInput) (Inspection, error) {
	const op = "record result"
	v, cl, err := s.openVisit(ctx, op, user, id)
	if err != nil {
		return Inspection{}, err
	}
	var p hazard.Problems
	if in.ExpectedVersion < 1 {
		p.Add("expected_version", "is required")
	}
	r, _ := checkResult(&p, "result", &cl, in.Result)
	if err := p.Err(op); err != nil {
		return Inspection{}, err
	}
	if err := checkVersion(op, &v, in.ExpectedVersion); err != nil {
		return Inspection{}, err
	}
	v.Results = placeResult(&cl, v.Results, r)
	ev := hazard.Event{Subject: Subject(v.ID), Type: EventResultRecorded, Actor: user.Actor(), Time: s.now(),
		Data: map[string]string{DataItem: r.Item, DataOutcome: string(r.Outcome)}}
	stored, err := s.store.UpdateInspection(ctx, v, in.ExpectedVersion, []hazard.Event{ev})
	return stored, hazard.Wrap(op, err)
}

// TrainedInput is the people trained on site, recorded on an open visit.
type TrainedInput struct {
	// ExpectedVersion is the visit's version the inspector saw; required.
	ExpectedVersion int64
	Trained         Trained
}

// RecordTrained records the people trained on site (现场培训) during the
// open visit id, replacing what was recorded before, and returns the visit.
// Who may record, a finished visit and a stale version are as in
// RecordResult; 0 to MaxTrainedCount people and a topic of at most
// MaxTopicLen runes, required when anyone was trained (CodeInvalid on
// "trained.count", "trained.topic").
func (s *Service) RecordTrained(ctx context.Context, user hazard.User, id uuid.UUID, in TrainedInput) (Inspection, error) {
	const op = "record trained"
	v, _, err := s.openVisit(ctx, op, user, id)
	if err != nil {
		return Inspection{}, err
	}
	var p hazard.Problems
	if in.ExpectedVersion < 1 {
		p.Add("expected_version", "is required")
	}
	checkTrained(&p, "trained.", in.Trained)
	if err := p.Err(op); err != nil {
		return Inspection{}, err
	}
	if err := checkVersion(op, &v, in.ExpectedVersion); err != nil {
		return Inspection{}, err
	}
	v.Trained = Trained{Count: in.Trained.Count, Topic: hazard.NormalizeText(in.Trained.Topic)}
	ev := hazard.Event{Subject: Subject(v.ID), Type: EventTrainedRecorded, Actor: user.Actor(), Time: s.now(),
		Data: map[string]string{DataTrainedCount: strconv.Itoa(v.Trained.Count)}}
	stored, err := s.store.UpdateInspection(ctx, v, in.ExpectedVersion, []hazard.Event{ev})
	return stored, hazard.Wrap(op, err)
}

// openVisit loads the visit id and its checklist version for a recording
// by user: CodeForbidden unless user may fill it, CodeConflict on "status"
// when it is finished.
func (s *Service) openVisit(ctx context.Context, op string, user hazard.User, id uuid.UUID) (Inspection, Checklist, error) {
	if err := signedIn(op, user); err != nil {
		return Inspection{}, Checklist{}, err
	}
	v, err := s.store.GetInspection(ctx, id)
	if err != nil {
		return Inspection{}, Checklist{}, hazard.Wrap(op, err)
	}
	if err := mayFill(op, user, &v); err != nil {
		return Inspection{}, Checklist{}, err
	}
	if v.Status == StatusFinished {
		return Inspection{}, Checklist{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "status", Message: "the inspection is finished", Version: v.Version}
	}
	cl, err := s.store.GetChecklist(ctx, v.Checklist, v.ChecklistVersion)
	if err != nil {
		return Inspection{}, Checklist{}, hazard.Wrap(op, err)
	}
	return v, cl, nil
}

// checkVersion returns CodeConflict with the stored version when expected
// is not v's.
func checkVersion(op string, v *Inspection, expected int64) error {
	if expected != v.Version {
		return &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "expected_version", Message: "the inspection changed: reload it", Version: v.Version}
	}
	return nil
}

// placeResult returns results with r in place of its item's result, or
// added, in the order of the checklist's items.
func placeResult(cl *Checklist, results []Result, r Result) []Result {
	out := make([]Result, 0, len(results)+1)
	for _, x := range results {
		if x.Item != r.Item {
			out = append(out, x)
		}
	}
	out = append(out, r)
	pos := make(map[string]int, len(cl.Items))
	for i, it := range cl.Items {
		pos[it.Code] = i
	}
	slices.SortStableFunc(out, func(a, b Result) int { return pos[a.Item] - pos[b.Item] })
	return out
}

// SpotCheck returns the spot check id, or CodeNotFound: the sample drawn
// and each item's verdict so far. Staff read spot checks as they read the
// ledger: a supervision group member, a reviewer, an admin or other staff
// working across the city any; a confined user (risk.Confined: an
// inspector or handler of a department) only those drawn from their
// department's hazards (CodeForbidden on "department" otherwise); others
// none (CodeForbidden).
func (s *Service) SpotCheck(ctx context.Context, user hazard.User, id uuid.UUID) (SpotCheck, error) {
	const op = "spot check"
	if err := staffOnly(op, user); err != nil {
		return SpotCheck{}, err
	}
	sc, err := s.store.GetSpotCheck(ctx, id)
	if err != nil {
		return SpotCheck{}, hazard.Wrap(op, err)
	}
	if _, err := risk.DepartmentScope(op, user, sc.Query.Department); err != nil || risk.Confined(user) && sc.Query.Department == "" {
		return SpotCheck{}, &hazard.Error{Code: hazard.CodeForbidden, Op: op, Field: "department", Message: "not your department's spot check"}
	}
	return sc, nil
}

// SpotChecks returns one page of the spot checks matching f, newest first
// (at most SpotPageLimit(p)), to the staff SpotCheck serves: a confined
// user's are their department's (f.Department set to it; asking for
// another is CodeForbidden on "department"). An invalid filter is
// CodeInvalid naming each field.
func (s *Service) SpotChecks(ctx context.Context, user hazard.User, f SpotFilter, p hazard.Page) (SpotCheckList, error) {
	const op = "spot checks"
	if err := staffOnly(op, user); err != nil {
		return SpotCheckList{}, err
	}
	if err := f.Validate(); err != nil {
		return SpotCheckList{}, err
	}
	dept, err := risk.DepartmentScope(op, user, f.Department)
	if err != nil {
		return SpotCheckList{}, err
	}
	f.Department = dept
	l, err := s.store.ListSpotChecks(ctx, f, p)
	return l, hazard.Wrap(op, err)
}
