package inspection

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Level is a rung of a supervision order's escalation ladder.
type Level string

// The levels, lowest first.
const (
	LevelDepartment Level = "department"
	LevelDistrict   Level = "district"
	LevelCity       Level = "city"
)

// Levels is the ladder, lowest first.
var Levels = []Level{LevelDepartment, LevelDistrict, LevelCity}

// Valid reports whether l is a rung of Levels.
func (l Level) Valid() bool { return slices.Contains(Levels, l) }

// next returns the rung above l, and false at the top.
func (l Level) next() (Level, bool) {
	i := slices.Index(Levels, l)
	if i < 0 || i+1 == len(Levels) {
		return l, false
	}
	return Levels[i+1], true
}

// OrderStatus is where a supervision order stands.
type OrderStatus string

// The order statuses.
const (
	OrderOpen OrderStatus = "open"
	OrderDone OrderStatus = "done"
)

// Limits of supervision orders.
const (
	MaxRequirementLen = 1000
	// MaxOrderDeadline is the furthest deadline an order may set.
	MaxOrderDeadline = 365 * hazard.Day
	// DefaultEscalationStep is the deadline a climbed order gets.
	DefaultEscalationStep = 7 * hazard.Day
)

// OrderStep is one step of an order's history: its issue, each
// escalation, its completion.
type OrderStep struct {
	Level  Level     `json:"level"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason,omitempty"`
	// Seq is the log sequence of the hazard escalation the step came from,
	// 0 for others; a redelivered escalation is recognised by it.
	Seq int64 `json:"seq,omitempty"`
}

// Order is a supervision order (督办): the city safety office or a
// supervision group orders a department to act on a hazard or a unit by a
// deadline; an overdue order climbs the ladder of Levels.
type Order struct {
	ID          uuid.UUID   `json:"id"`
	HazardID    uuid.UUID   `json:"hazard_id,omitzero"`
	UnitID      uuid.UUID   `json:"unit_id,omitzero"`
	Department  string      `json:"department"`
	Requirement string      `json:"requirement"`
	Deadline    time.Time   `json:"deadline"`
	Level       Level       `json:"level"`
	Status      OrderStatus `json:"status"`
	Steps       []OrderStep `json:"steps"`
	IssuedBy    string      `json:"issued_by"`
	IssuedAt    time.Time   `json:"issued_at"`
	DoneAt      time.Time   `json:"done_at,omitzero"`
	Version     int64       `json:"version"`
}

// Clone returns a deep copy of o.
func (o Order) Clone() Order {
	o.Steps = slices.Clone(o.Steps)
	return o
}

// Validate reports every problem of a stored order as one CodeInvalid
// error: an ID, a hazard or a unit, a department, a requirement, a
// deadline, a known level and status, an issuer, and at least one step.
func (o *Order) Validate() error {
	var p hazard.Problems
	if o.ID == uuid.Nil {
		p.Add("id", "is required")
	}
	if o.HazardID == uuid.Nil && o.UnitID == uuid.Nil {
		p.Add("hazard_id", "an order is about a hazard or a unit")
	}
	hazard.CheckText(&p, "department", o.Department, 1, MaxChecklistIDLen)
	hazard.CheckText(&p, "requirement", o.Requirement, 1, MaxRequirementLen)
	if o.Deadline.IsZero() {
		p.Add("deadline", "is required")
	}
	if !o.Level.Valid() {
		p.Add("level", "must be department, district or city")
	}
	if o.Status != OrderOpen && o.Status != OrderDone {
		p.Add("status", "must be open or done")
	}
	if o.IssuedBy == "" || o.IssuedAt.IsZero() || len(o.Steps) == 0 {
		p.Add("issued_by", "an order has an issuer, a time and its first step")
	}
	return p.Err("order")
}

// OrderFilter selects orders; zero fields do not filter.
type OrderFilter struct {
	HazardID   uuid.UUID
	UnitID     uuid.UUID
	Department string
	Status     OrderStatus
	// DeadlineBefore keeps orders whose deadline is before it.
	DeadlineBefore time.Time
}

// Matches reports whether o passes f.
func (f *OrderFilter) Matches(o *Order) bool {
	return (f.HazardID == uuid.Nil || o.HazardID == f.HazardID) &&
		(f.UnitID == uuid.Nil || o.UnitID == f.UnitID) &&
		(f.Department == "" || o.Department == f.Department) &&
		(f.Status == "" || o.Status == f.Status) &&
		(f.DeadlineBefore.IsZero() || o.Deadline.Before(f.DeadlineBefore))
}

// OrderList is one page of orders, newest first (by ID).
type OrderList struct {
	Items []Order
	Next  string
}

// The subject kind and event types of orders.
const (
	SubjectOrder        hazard.SubjectKind = "order"
	EventOrderIssued    hazard.EventType   = "order_issued"
	EventOrderEscalated hazard.EventType   = "order_escalated"
	EventOrderDone      hazard.EventType   = "order_done"
	DataLevel                              = "level"
)

// OrderSubject returns the subject of the order id's events.
func OrderSubject(id uuid.UUID) hazard.Subject {
	return hazard.Subject{Kind: SubjectOrder, ID: id.String()}
}

// orderIssuer reports whether u may issue orders: the city safety office
// (reviewer), a supervision group (supervisor) or an admin.
func orderIssuer(op string, u hazard.User) error { return supervisor(op, u) }

// OrderInput is a new supervision order.
type OrderInput struct {
	HazardID    uuid.UUID
	UnitID      uuid.UUID
	Department  string
	Requirement string
	Deadline    time.Time
}

// IssueOrder issues a supervision order at the department level. A
// reviewer, supervisor or admin only (CodeForbidden). The hazard or unit
// must exist (CodeNotFound); for a hazard the unit is the hazard's.
// Bad input is CodeInvalid naming every field; the deadline must be after
// now and within MaxOrderDeadline. The order and its EventOrderIssued are
// stored together.
func (s *Service) IssueOrder(ctx context.Context, user hazard.User, in OrderInput) (Order, error) {
	const op = "issue order"
	if err := orderIssuer(op, user); err != nil {
		return Order{}, err
	}
	now := s.now()
	in.Department, in.Requirement = hazard.NormalizeText(in.Department), hazard.NormalizeText(in.Requirement)
	var p hazard.Problems
	if in.HazardID == uuid.Nil && in.UnitID == uuid.Nil {
		p.Add("hazard_id", "name a hazard or a unit")
	}
	hazard.CheckText(&p, "department", in.Department, 1, MaxChecklistIDLen)
	hazard.CheckText(&p, "requirement", in.Requirement, 1, MaxRequirementLen)
	if !in.Deadline.After(now) || in.Deadline.Sub(now) > MaxOrderDeadline {
		p.Add("deadline", "must be after now and within %d days", int(MaxOrderDeadline/hazard.Day))
	}
	if err := p.Err(op); err != nil {
		return Order{}, err
	}
	if in.HazardID != uuid.Nil {
		h, err := s.reader.Get(ctx, in.HazardID)
		if err != nil {
			return Order{}, hazard.Wrap(op, err)
		}
		if id, err := uuid.Parse(h.UnitID); err == nil {
			in.UnitID = id
		}
	} else if _, err := s.units.GetUnit(ctx, in.UnitID); err != nil {
		return Order{}, hazard.Wrap(op, err)
	}
	o := s.newOrder(in, user.ID, now, 0)
	return s.createOrder(ctx, op, o, user.Actor())
}

func (s *Service) newOrder(in OrderInput, by string, now time.Time, seq int64) Order {
	return Order{ID: s.newID(), HazardID: in.HazardID, UnitID: in.UnitID, Department: in.Department, Requirement: in.Requirement,
		Deadline: in.Deadline.UTC(), Level: LevelDepartment, Status: OrderOpen, IssuedBy: by, IssuedAt: now, Version: 1,
		Steps: []OrderStep{{Level: LevelDepartment, At: now, By: by, Reason: in.Requirement, Seq: seq}}}
}

func (s *Service) createOrder(ctx context.Context, op string, o Order, actor hazard.Actor) (Order, error) {
	ev := hazard.Event{Subject: OrderSubject(o.ID), Type: EventOrderIssued, Actor: actor, Time: o.IssuedAt,
		Data: map[string]string{DataLevel: string(o.Level), "department": o.Department}}
	if o.HazardID != uuid.Nil {
		ev.Data[DataHazardID] = o.HazardID.String()
	}
	stored, err := s.store.CreateOrder(ctx, o, []hazard.Event{ev})
	return stored, hazard.Wrap(op, err)
}

// CompleteOrder marks the order id done: staff of its department, or a
// reviewer, supervisor or admin (CodeForbidden otherwise), at the version
// they saw (CodeConflict otherwise). A done order is CodeConflict.
func (s *Service) CompleteOrder(ctx context.Context, user hazard.User, id uuid.UUID, note string, expectedVersion int64) (Order, error) {
	const op = "complete order"
	if err := staffOnly(op, user); err != nil {
		return Order{}, err
	}
	o, err := s.store.GetOrder(ctx, id)
	if err != nil {
		return Order{}, hazard.Wrap(op, err)
	}
	if user.Department != o.Department && orderIssuer(op, user) != nil {
		return Order{}, &hazard.Error{Code: hazard.CodeForbidden, Op: op, Message: "the order is for another department"}
	}
	note = hazard.NormalizeText(note)
	var p hazard.Problems
	hazard.CheckText(&p, "note", note, 1, MaxNoteLen)
	if err := p.Err(op); err != nil {
		return Order{}, err
	}
	if o.Status != OrderOpen || o.Version != expectedVersion {
		return Order{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "expected_version", Message: "the order changed or is done", Version: o.Version}
	}
	now := s.now()
	o.Status, o.DoneAt = OrderDone, now
	o.Steps = append(o.Steps, OrderStep{Level: o.Level, At: now, By: user.ID, Reason: note})
	ev := hazard.Event{Subject: OrderSubject(o.ID), Type: EventOrderDone, Actor: user.Actor(), Time: now, PublicNote: note,
		Data: map[string]string{DataLevel: string(o.Level)}}
	stored, err := s.store.UpdateOrder(ctx, o, expectedVersion, []hazard.Event{ev})
	return stored, hazard.Wrap(op, err)
}

// SweepOrders climbs every open order past its deadline one rung of the
// ladder (department, district, city), with a new deadline
// Config.EscalationStep from now, each step an EventOrderEscalated; an
// order at the city rung stays there. It returns how many climbed. An
// order changed meanwhile is left for the next sweep.
func (s *Service) SweepOrders(ctx context.Context) (int, error) {
	const op = "sweep orders"
	now := s.now()
	n := 0
	f := OrderFilter{Status: OrderOpen, DeadlineBefore: now}
	p := hazard.Page{Limit: hazard.MaxPageLimit}
	for {
		page, err := s.store.ListOrders(ctx, f, p)
		if err != nil {
			return n, hazard.Wrap(op, err)
		}
		for _, o := range page.Items {
			ok, err := s.climb(ctx, o, now, "overdue", 0)
			if err != nil {
				return n, hazard.Wrap(op, err)
			}
			if ok {
				n++
			}
		}
		if page.Next == "" {
			return n, nil
		}
		p.Cursor = page.Next
	}
}

// climb moves o one rung up; false when it is at the top or changed.
func (s *Service) climb(ctx context.Context, o Order, now time.Time, reason string, seq int64) (bool, error) {
	next, ok := o.Level.next()
	if !ok {
		return false, nil
	}
	expected := o.Version
	o.Level, o.Deadline = next, now.Add(s.escalationStep)
	o.Steps = append(o.Steps, OrderStep{Level: next, At: now, By: hazard.System.ID, Reason: reason, Seq: seq})
	ev := hazard.Event{Subject: OrderSubject(o.ID), Type: EventOrderEscalated, Actor: hazard.System, Time: now,
		Data: map[string]string{DataLevel: string(next), "department": o.Department}}
	_, err := s.store.UpdateOrder(ctx, o, expected, []hazard.Event{ev})
	if errors.Is(err, hazard.ErrConflict) {
		return false, nil
	}
	return err == nil, err
}

// escalated feeds a hazard's overdue escalation (hazard.EventEscalated, the
// automatic 督办) into the ladder: the hazard's open order climbs a rung,
// or a department-level order is opened when it has none. A redelivered
// event changes nothing (the step records its sequence number).
func (s *Service) escalated(ctx context.Context, e hazard.Event) error {
	h, err := s.reader.Get(ctx, e.HazardID)
	if errors.Is(err, hazard.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	unitID, err := uuid.Parse(h.UnitID)
	if err != nil || h.Department == "" {
		return nil // only hazards found at units are supervised by orders
	}
	l, err := s.store.ListOrders(ctx, OrderFilter{HazardID: h.ID, Status: OrderOpen}, hazard.Page{Limit: 1})
	if err != nil {
		return err
	}
	reason := "overdue in " + h.State + " (event " + strconv.FormatInt(e.Seq, 10) + ")"
	if len(l.Items) == 0 {
		seen, err := s.store.ListOrders(ctx, OrderFilter{HazardID: h.ID}, hazard.Page{Limit: hazard.MaxPageLimit})
		if err != nil {
			return err
		}
		for _, o := range seen.Items {
			if slices.ContainsFunc(o.Steps, func(st OrderStep) bool { return st.Seq == e.Seq }) {
				return nil
			}
		}
		o := s.newOrder(OrderInput{HazardID: h.ID, UnitID: unitID, Department: h.Department, Requirement: reason,
			Deadline: e.Time.Add(s.escalationStep)}, hazard.System.ID, e.Time.UTC(), e.Seq)
		_, err = s.createOrder(ctx, "escalate", o, hazard.System)
		return err
	}
	o := l.Items[0]
	if slices.ContainsFunc(o.Steps, func(st OrderStep) bool { return st.Seq == e.Seq }) {
		return nil
	}
	_, err = s.climb(ctx, o, e.Time.UTC(), reason, e.Seq)
	return err
}

// Orders lists the orders matching f to staff, newest first.
func (s *Service) Orders(ctx context.Context, user hazard.User, f OrderFilter, p hazard.Page) (OrderList, error) {
	const op = "orders"
	if err := staffOnly(op, user); err != nil {
		return OrderList{}, err
	}
	l, err := s.store.ListOrders(ctx, f, p)
	return l, hazard.Wrap(op, err)
}
