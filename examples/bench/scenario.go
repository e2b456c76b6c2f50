package bench

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/workflow"
)

// Hazard is the stored entity. It keeps its state, how long it may stay
// there and when that time is up (UTC) in a workflow.Status, as the
// workflow package recommends for stored subjects; every implementation
// reads and writes the same fields.
type Hazard struct {
	workflow.Status
	major bool
}

// setDeadline stores the deadline of h's new state, from the input's time:
// the work workflow.Definition.Fire does for the other implementations.
func setDeadline(h *Hazard, in *workflow.Input) {
	h.DeadlineIn, h.Deadline = deadline(h.State, h.major), time.Time{}
	if h.DeadlineIn > 0 && in != nil && !in.Now.IsZero() {
		h.Deadline = in.Now.UTC().Add(h.DeadlineIn)
	}
}

// Major reports whether the hazard is major (hazard.Severe).
func (h *Hazard) Major() bool { return h.major }

// Step is one action of the cycle, taken on a hazard in state From.
type Step struct {
	From   string // the hazard's state when the step is taken, as loaded from its row
	Action string
	Actor  workflow.Actor
	Input  *workflow.Input
}

// Cycle returns the four steps submitted → dispatched → accepted → resolved →
// closed_valid for h, with inputs built once (as a request handler would
// build them once per request). Their states and actions are string
// constants.
func Cycle(h *Hazard) []Step {
	now := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	plain := &workflow.Input{Subject: h, Now: now}
	return []Step{
		{"submitted", "dispatch", workflow.Actor{ID: "d1", Role: hazard.RoleDispatcher}, &workflow.Input{Department: "fire", Subject: h, Now: now}},
		{"dispatched", "accept", workflow.Actor{ID: "h1", Role: hazard.RoleHandler}, plain},
		{"accepted", "resolve", workflow.Actor{ID: "h1", Role: hazard.RoleHandler}, &workflow.Input{Reason: "exit cleared", Photos: []string{"blob:1"}, Subject: h, Now: now}},
		{"resolved", "approve", workflow.Actor{ID: "r1", Role: hazard.RoleReviewer}, plain},
	}
}

// NotAllowed is the step used by the not-allowed scenario: approving a
// hazard that is only submitted.
func NotAllowed(h *Hazard) Step {
	return Step{"submitted", "approve", workflow.Actor{ID: "r1", Role: hazard.RoleReviewer}, &workflow.Input{Subject: h}}
}

// Owned returns a copy of steps whose states and action names own their
// bytes, built from []byte as a row read from a database and a decoded
// request are: equal to the constants, never the same memory.
func Owned(steps []Step) []Step {
	out := make([]Step, len(steps))
	for i, s := range steps {
		s.From, s.Action = string([]byte(s.From)), string([]byte(s.Action))
		out[i] = s
	}
	return out
}

// Firer fires one step at a hazard and stores the outcome on it.
type Firer interface {
	Fire(ctx context.Context, h *Hazard, s Step) error
}

// deadline is the citizen preset's default deadline per state, written by
// hand for the implementations that do not compute deadlines.
func deadline(state string, major bool) time.Duration {
	switch state {
	case "submitted", "dispatched":
		return 24 * time.Hour
	case "accepted":
		if major {
			return 48 * time.Hour
		}
		return 120 * time.Hour
	case "resolved":
		return 72 * time.Hour
	}
	return 0
}

var (
	errConflict  = errors.New("action not allowed in this state")
	errForbidden = errors.New("role may not take this action")
	errInvalid   = errors.New("missing input")
)

func staff(actor workflow.Actor, role workflow.Role) bool {
	return actor.Role == role || actor.Role == hazard.RoleAdmin
}

// inputsOK checks the inputs the citizen preset requires for action.
func inputsOK(action string, in *workflow.Input) bool {
	switch action {
	case "dispatch":
		return in != nil && strings.TrimSpace(in.Department) != ""
	case "resolve":
		return in != nil && strings.TrimSpace(in.Reason) != "" && len(in.Photos) > 0
	case "reject", "send_back", "return":
		return in != nil && strings.TrimSpace(in.Reason) != ""
	}
	return true
}

// roleOK checks the citizen preset's roles for action.
func roleOK(action string, actor workflow.Actor) bool {
	switch action {
	case "dispatch", "reject":
		return staff(actor, hazard.RoleDispatcher)
	case "accept", "send_back", "resolve":
		return staff(actor, hazard.RoleHandler)
	case "approve", "return":
		return staff(actor, hazard.RoleReviewer)
	case "withdraw":
		return actor.Role == hazard.RoleReporter
	}
	return false
}
