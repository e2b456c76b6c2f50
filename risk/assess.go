package risk

import (
	"context"
	"maps"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// AssessInput is one assessment of a risk point: a method's name with the
// values of its factors (keyed "l", "e", "c" or "l", "s", in tenths), or
// MethodManual with a grade and a reason.
type AssessInput struct {
	Method MethodName        `json:"method"`
	Values map[string]Tenths `json:"values,omitempty"`
	Grade  Grade             `json:"grade,omitempty"`
	Reason string            `json:"reason,omitempty"`
}

// PointInput is a new risk point with its first assessment.
type PointInput struct {
	Name   string      `json:"name"`
	Kind   PointKind   `json:"kind"`
	Assess AssessInput `json:"assess"`
}

// Method returns the service's method with the name, and false for none.
func (s *Service) Method(name MethodName) (Method, bool) {
	for _, m := range s.methods {
		if m.Name == name {
			return m, true
		}
	}
	return Method{}, false
}

// assessment scores in for the point p by user, or returns a CodeInvalid
// error naming the field at fault ("method", "values.<key>", "grade",
// "reason").
func (s *Service) assessment(in AssessInput, p *Point, user hazard.User) (Assessment, error) {
	a := Assessment{ID: s.newID(), PointID: p.ID, UnitID: p.UnitID, Method: in.Method,
		Reason: hazard.NormalizeText(in.Reason), By: user.Actor(), At: s.now()}
	if in.Method == MethodManual {
		var pr hazard.Problems
		if !in.Grade.Valid() {
			pr.Add("grade", "must be red, orange, yellow or blue")
		}
		if len(in.Values) > 0 {
			pr.Add("values", "are not taken by a grade set by hand")
		}
		hazard.CheckText(&pr, "reason", a.Reason, 1, MaxReasonLen)
		a.Grade = in.Grade
		return a, pr.Err("assess")
	}
	m, ok := s.Method(in.Method)
	if !ok {
		return Assessment{}, &hazard.Error{Code: hazard.CodeInvalid, Op: "assess", Field: "method", Message: "is not a known method"}
	}
	if in.Grade != "" {
		return Assessment{}, &hazard.Error{Code: hazard.CodeInvalid, Op: "assess", Field: "grade", Message: "is computed by the method: leave it empty"}
	}
	score, g, err := m.Score(in.Values)
	if err != nil {
		return Assessment{}, err
	}
	a.Values, a.Score, a.Grade = maps.Clone(in.Values), score, g
	return a, a.Validate()
}

// AddPoint adds a risk point to the unit unitID with its first assessment
// and regrades the unit: staff only. Bad input is CodeInvalid naming the
// field (an assessment's under "assess."), and nothing is stored; a
// missing unit is CodeNotFound.
func (s *Service) AddPoint(ctx context.Context, user hazard.User, unitID uuid.UUID, in PointInput) (Point, error) {
	const op = "add point"
	if err := staffOnly(op, user); err != nil {
		return Point{}, err
	}
	now := s.now()
	p := Point{ID: s.newID(), UnitID: unitID, Name: hazard.NormalizeText(in.Name), Kind: in.Kind, Version: 1, CreatedAt: now, UpdatedAt: now}
	var pr hazard.Problems
	hazard.CheckText(&pr, "name", p.Name, 1, MaxPointNameLen)
	if !p.Kind.Valid() {
		pr.Add("kind", "must be place, device, process or operation")
	}
	a, err := s.assessment(in.Assess, &p, user)
	if err != nil && !pr.Merge("assess", err) {
		return Point{}, hazard.Wrap(op, err)
	}
	if err := pr.Err(op); err != nil {
		return Point{}, err
	}
	p.Grade, p.Assessment = a.Grade, a.ID
	stored, err := s.store.CreatePoint(ctx, p, a)
	if err != nil {
		return Point{}, hazard.Wrap(op, err)
	}
	s.metrics.assessed(a.Method, a.Grade)
	_, err = s.Recompute(ctx, unitID)
	return stored, hazard.Wrap(op, err)
}

// Assess records a new assessment of the point id at expectedVersion
// (CodeConflict when stale) and regrades its unit: staff only. An
// assessment out of its method's tables is CodeInvalid naming the field
// ("values.l", ...), and nothing is stored. The point's history keeps
// every assessment (Assessments).
func (s *Service) Assess(ctx context.Context, user hazard.User, id uuid.UUID, in AssessInput, expectedVersion int64) (Point, error) {
	const op = "assess"
	if err := staffOnly(op, user); err != nil {
		return Point{}, err
	}
	p, err := s.store.GetPoint(ctx, id)
	if err != nil {
		return Point{}, hazard.Wrap(op, err)
	}
	a, err := s.assessment(in, &p, user)
	if err != nil {
		return Point{}, hazard.Wrap(op, err)
	}
	p.Grade, p.Assessment, p.UpdatedAt = a.Grade, a.ID, a.At
	stored, err := s.store.AssessPoint(ctx, p, expectedVersion, a)
	if err != nil {
		return Point{}, hazard.Wrap(op, err)
	}
	s.metrics.assessed(a.Method, a.Grade)
	_, err = s.Recompute(ctx, p.UnitID)
	return stored, hazard.Wrap(op, err)
}

// Points returns the risk points of the unit: staff, or the unit's safety
// manager.
func (s *Service) Points(ctx context.Context, user hazard.User, unitID uuid.UUID) ([]Point, error) {
	if _, err := s.GetUnit(ctx, user, unitID); err != nil {
		return nil, err
	}
	ps, err := s.store.Points(ctx, unitID)
	return ps, hazard.Wrap("points", err)
}

// Assessments returns one page of the point id's history, newest first:
// staff only.
func (s *Service) Assessments(ctx context.Context, user hazard.User, id uuid.UUID, p hazard.Page) (AssessmentList, error) {
	const op = "assessments"
	if err := staffOnly(op, user); err != nil {
		return AssessmentList{}, err
	}
	l, err := s.store.Assessments(ctx, id, p)
	return l, hazard.Wrap(op, err)
}
