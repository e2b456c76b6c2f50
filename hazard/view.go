package hazard

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// PublicFilter selects hazards on the report plaza. Zero fields do not
// filter; all set fields must match.
type PublicFilter struct {
	Category string
	State    string
	// Open, when non-nil, keeps only open (true) or closed (false) hazards.
	Open *bool
	// CreatedSince and CreatedUntil bound the creation time:
	// since <= created_at < until.
	CreatedSince time.Time
	CreatedUntil time.Time
}

// PublicList is one page of the plaza, newest first.
type PublicList struct {
	Items []PublicHazard `json:"items"`
	// Next is the cursor of the following page; empty on the last page.
	Next string `json:"next,omitempty"`
}

// ReporterEvent is one step of a hazard's timeline as its reporter sees it:
// the public step, plus a private note when it is addressed to the reporter,
// and the facts of reward events.
type ReporterEvent struct {
	PublicEvent
	// Message is a staff note addressed to the reporter.
	Message string `json:"message,omitempty"`
	// Data holds the facts of reward events (IDs, amounts); empty otherwise.
	Data map[string]string `json:"data,omitempty"`
}

// ReporterView is what a reporter sees of their own report.
type ReporterView struct {
	Hazard   Hazard          `json:"hazard"`
	Timeline []ReporterEvent `json:"timeline"`
	// Actions are what the reporter may do now (withdraw).
	Actions []ActionInfo `json:"actions"`
}

// StaffView is what staff see of a hazard in their scope: everything. A
// unit's safety manager (role enterprise) gets it without the reporter's
// identity and contact, private notes or reward events (see
// Hazard.ForUnit and EventsForUnit).
type StaffView struct {
	Hazard Hazard  `json:"hazard"`
	Events []Event `json:"events"`
	// Actions are what the user may do now.
	Actions []ActionInfo `json:"actions"`
	// ContactOnFile says that the reporter left a contact. The view never
	// carries it (Hazard.Reporter.Contact is zero): staff who need it read
	// it with Service.RevealContact, which logs the access.
	ContactOnFile bool `json:"contact_on_file"`
}

// PublicView returns the plaza's view of the hazard with the reference
// number, with its public timeline, or CodeNotFound. It needs no user. It
// carries nothing of the reporter (by construction of PublicHazard) and no
// private note.
func (s *Service) PublicView(ctx context.Context, ref string) (PublicHazard, error) {
	h, err := s.store.GetByRef(ctx, ref)
	if err != nil {
		return PublicHazard{}, Wrap("public view", err)
	}
	events, err := s.store.HazardEvents(ctx, h.ID)
	if err != nil {
		return PublicHazard{}, Wrap("public view", err)
	}
	return s.publicOf(&h, events), nil
}

// publicOf returns the public view of h with its public status and the
// public timeline of its events.
func (s *Service) publicOf(h *Hazard, events []Event) PublicHazard {
	p := h.PublicAt(s.publicDecimals)
	if pr, err := s.processes.Of(h); err == nil {
		m, _ := pr.Meaning(h.State)
		p.Status = m.Public
	}
	if events != nil {
		p.Timeline = PublicTimeline(events)
	}
	return p
}

// PublicList returns one page of the plaza, newest first, each hazard with
// its public timeline as PublicView gives it. The timelines are read in one
// call when the store is an EventsBatcher.
func (s *Service) PublicList(ctx context.Context, f PublicFilter, p Page) (PublicList, error) {
	sf := Filter{Category: f.Category, Open: f.Open, CreatedSince: f.CreatedSince, CreatedUntil: f.CreatedUntil}
	if f.State != "" {
		sf.States = []string{f.State}
	}
	l, err := s.store.List(ctx, sf, p)
	if err != nil {
		return PublicList{}, Wrap("public list", err)
	}
	ids := make([]uuid.UUID, len(l.Items))
	for i := range l.Items {
		ids[i] = l.Items[i].ID
	}
	events, err := eventsOf(ctx, s.store, ids)
	if err != nil {
		return PublicList{}, Wrap("public list", err)
	}
	out := PublicList{Items: make([]PublicHazard, len(l.Items)), Next: l.Next}
	for i := range l.Items {
		out.Items[i] = s.publicOf(&l.Items[i], events[l.Items[i].ID])
	}
	return out, nil
}

// ReporterView returns the reporter's view of their own report: the hazard,
// its timeline with the notes addressed to them and their reward events,
// and what they may do. Another user's report, or a missing one, is
// CodeNotFound (a report's existence is not disclosed).
func (s *Service) ReporterView(ctx context.Context, user User, id uuid.UUID) (ReporterView, error) {
	const op = "reporter view"
	if err := authenticated(op, user); err != nil {
		return ReporterView{}, err
	}
	h, err := s.visibleHazard(ctx, op, user, id, ownReport)
	if err != nil {
		return ReporterView{}, err
	}
	events, err := s.store.HazardEvents(ctx, h.ID)
	if err != nil {
		return ReporterView{}, Wrap(op, err)
	}
	v := ReporterView{Hazard: h, Timeline: make([]ReporterEvent, 0, len(events))}
	for _, e := range events {
		re := ReporterEvent{PublicEvent: PublicEvent{
			Type: e.Type, Action: e.Action, From: e.From, To: e.To,
			Role: e.Actor.Role, Note: e.PublicNote, Photos: keys(e.Attachments), Time: e.Time,
		}}
		if e.Data[DataPrivateNoteTo] == "reporter" {
			re.Message = e.PrivateNote
		}
		switch e.Type {
		case EventRewardIssued, EventRewardClaimed, EventRewardExpired:
			re.Data = e.Clone().Data
		}
		v.Timeline = append(v.Timeline, re)
	}
	u := user
	u.Role = string(RoleReporter) // the reporter acts as such on their own report
	if v.Actions, err = s.actionsFor(u, &h); err != nil {
		return ReporterView{}, err
	}
	return v, nil
}

// Sight is how much of a hazard a user may see.
type Sight int

// The sights, from least to most.
const (
	SightNone   Sight = iota // the hazard does not exist
	SightPublic              // its public view only, as on the plaza
	SightFull                // all of it: its reporter, or staff whose scope covers it
)

// SightOf returns how much of the hazard id user may see: SightFull for
// its reporter and for staff whose role and department cover it,
// SightPublic for anyone else (every hazard is on the plaza; an enterprise
// sees its unit's hazards through StaffView, but never a reporter's
// originals, which may carry who took them) and SightNone when there is no
// such hazard. user may be the zero User (nobody signed in). It reads the
// hazard only, so callers deciding access (who gets a photo's original)
// need not build a view.

func (s *Service) SightOf(ctx context.Context, user User, id uuid.UUID) (Sight, error) {
	h, err := s.store.Get(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return SightNone, nil
	case err != nil:
		return SightNone, Wrap("sight", err)
	}
	if authenticated("sight", user) == nil && seesReporter(user) && inScope(user, &h) {
		return SightFull, nil
	}
	return SightPublic, nil
}

// StaffView returns the hazard with every event and the user's actions.
// Reporters are CodeForbidden; a hazard that is missing or that the
// user's scope (role, department, unit) does not cover is CodeNotFound,
// the same answer in both cases (NoSuchHazard). An enterprise user gets the
// view without the reporter (Hazard.ForUnit); no one gets the reporter's
// contact, which RevealContact gives with an entry in the access log.
func (s *Service) StaffView(ctx context.Context, user User, id uuid.UUID) (StaffView, error) {
	const op = "staff view"
	if err := workOnly(op, user); err != nil {
		return StaffView{}, err
	}
	h, err := s.visibleHazard(ctx, op, user, id, inScope)
	if err != nil {
		return StaffView{}, err
	}
	events, err := s.store.HazardEvents(ctx, h.ID)
	if err != nil {
		return StaffView{}, Wrap(op, err)
	}
	acts, err := s.actionsFor(user, &h)
	if err != nil {
		return StaffView{}, err
	}
	if !seesReporter(user) {
		return StaffView{Hazard: h.ForUnit(), Events: EventsForUnit(events), Actions: acts}, nil
	}
	onFile := h.Reporter.Contact != (Contact{})
	h.Reporter.Contact = Contact{}
	return StaffView{Hazard: h, Events: events, Actions: acts, ContactOnFile: onFile}, nil
}

// Mine returns one page of the user's own reports, newest first.
func (s *Service) Mine(ctx context.Context, user User, p Page) (List, error) {
	if err := authenticated("mine", user); err != nil {
		return List{}, err
	}
	l, err := s.store.List(ctx, Filter{Reporter: user.ID}, p)
	return l, Wrap("mine", err)
}
