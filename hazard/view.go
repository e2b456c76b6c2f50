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
	// Box keeps reports with a point inside the WGS-84 box.
	Box *BBox
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
	// Data holds the facts of reward events (IDs, amounts), and of a
	// question or an answer the question's number (DataQuestion); empty
	// otherwise.
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
// number, with its public timeline, as its moderation leaves it, or
// CodeNotFound, also for a hazard the public may not see (Published). It
// needs no user. It carries nothing of the reporter (by construction of
// PublicHazard) and no private note.
func (s *Service) PublicView(ctx context.Context, ref string) (PublicHazard, error) {
	h, events, m, err := s.publicHazard(ctx, "public view", ref)
	if err != nil {
		return PublicHazard{}, err
	}
	return s.publicOf(&h, events, &m), nil
}

// publicHazard reads the hazard with the reference number, its events and
// its moderation, and answers CodeNotFound when the public may not see it.
func (s *Service) publicHazard(ctx context.Context, op, ref string) (Hazard, []Event, Moderation, error) {
	h, err := s.store.GetByRef(ctx, ref)
	if err != nil {
		return Hazard{}, nil, Moderation{}, Wrap(op, err)
	}
	events, err := s.store.HazardEvents(ctx, h.ID)
	if err != nil {
		return Hazard{}, nil, Moderation{}, Wrap(op, err)
	}
	m, err := s.moderationOf(ctx, h.ID)
	if err != nil {
		return Hazard{}, nil, Moderation{}, Wrap(op, err)
	}
	if !s.Published(&h, events, &m) {
		return Hazard{}, nil, Moderation{}, &Error{Code: CodeNotFound, Op: op, Message: NoSuchHazard}
	}
	return h, events, m, nil
}

// publicOf returns the public view of h with its public status and the
// public timeline of its events, as its moderation m (nil for none)
// leaves them.
func (s *Service) publicOf(h *Hazard, events []Event, m *Moderation) PublicHazard {
	p := h.PublicAt(s.publicDecimals)
	if pr, err := s.processes.Of(h); err == nil {
		m, _ := pr.Meaning(h.State)
		p.Status = m.Public
	}
	if events != nil {
		p.Timeline = PublicTimeline(events)
		p.MeToo = countMeToo(events)
	}
	s.applyModeration(&p, h, events, m)
	return p
}

// PublicList returns one page of the plaza, newest first, each hazard with
// its public timeline as PublicView gives it; hazards the public may not
// see (Published) are left out, so that a page may hold fewer items than
// asked (PublicList reads at most MaxPublicListReads pages of the store to
// fill it) while Next goes on. The timelines are read in one call per page
// when the store is an EventsBatcher.
func (s *Service) PublicList(ctx context.Context, f PublicFilter, p Page) (PublicList, error) {
	sf := Filter{Category: f.Category, Open: f.Open, CreatedSince: f.CreatedSince, CreatedUntil: f.CreatedUntil, Box: f.Box}
	if f.State != "" {
		sf.States = []string{f.State}
	}
	want := p.Limit
	if want == 0 {
		want = DefaultPageLimit
	}
	want = min(want, MaxPageLimit)
	out := PublicList{Items: []PublicHazard{}}
	for range MaxPublicListReads {
		// Never read more than the page still needs: every visible item
		// read is kept, so the next cursor is where this page ends.
		p.Limit = want - len(out.Items)
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
		mods, err := s.moderationsOf(ctx, ids)
		if err != nil {
			return PublicList{}, Wrap("public list", err)
		}
		for i := range l.Items {
			h := &l.Items[i]
			m, ok := mods[h.ID]
			mp := &m
			if !ok {
				mp = nil
			}
			if s.Published(h, events[h.ID], mp) {
				out.Items = append(out.Items, s.publicOf(h, events[h.ID], mp))
			}
		}
		out.Next = l.Next
		if l.Next == "" || len(out.Items) >= want {
			break
		}
		p.Cursor = l.Next
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
		case EventQuestion, EventAnswer, EventInfoAdded:
			re.Data = exchangeData(e)
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
	SightPublic              // its public view only, as on the plaza (when Published)
	SightFull                // all of it: its reporter, or staff whose scope covers it
)

// SightOf returns how much of the hazard id user may see: SightFull for
// its reporter and for staff whose role and department cover it,
// SightPublic for anyone else (whether the public sees it now is
// Published's decision; an enterprise sees its unit's hazards through
// StaffView, but never a reporter's originals, which may carry who took
// them) and SightNone when there is no such hazard. user may be the zero User (nobody signed in). It reads the
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
	if IsAnonymous(h.Reporter.UserID) {
		events = eventsOfAnonymous(events)
	}
	return StaffView{Hazard: h, Events: events, Actions: acts, ContactOnFile: onFile}, nil
}

// eventsOfAnonymous returns a staff view's events of an anonymous report:
// who later bound their identity to it to claim its reward (the binding
// and the reward events) stays unknown to staff, as the reporter chose;
// each such event keeps its type, role and time.
func eventsOfAnonymous(events []Event) []Event {
	out := make([]Event, len(events))
	for i, e := range events {
		switch e.Type {
		case EventClaimBound, EventRewardIssued, EventRewardClaimed, EventRewardExpired:
			e = e.Clone()
			e.Actor = Actor{Role: e.Actor.Role}
			if e.Actor.Role == "system" {
				e.Actor = System
			}
			delete(e.Data, DataReporterID)
		}
		out[i] = e
	}
	return out
}

// Mine returns one page of the user's own reports, newest first.
func (s *Service) Mine(ctx context.Context, user User, p Page) (List, error) {
	if err := authenticated("mine", user); err != nil {
		return List{}, err
	}
	l, err := s.store.List(ctx, Filter{Reporter: user.ID}, p)
	return l, Wrap("mine", err)
}
