package hazard

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"github.com/google/uuid"
)

// The event types of a citizen's exchanges about a report that already
// exists. None of them changes the report's state; none shows on the
// plaza's timeline (a me-too is counted in PublicHazard.MeToo, the others
// are between the reporter and staff).
const (
	// EventMeToo: another citizen reports the same hazard ("me too")
	// instead of filing a duplicate; written by the follow package, once
	// per citizen and report.
	EventMeToo EventType = "me_too"
	// EventInfoAdded: the reporter added a note and photos (PrivateNote,
	// Attachments) for the handling department.
	EventInfoAdded EventType = "info_added"
	// EventQuestion: staff asked the reporter a question (PrivateNote).
	EventQuestion EventType = "question"
	// EventAnswer: the reporter answered a question (PrivateNote); Data
	// DataQuestion holds the question's sequence number.
	EventAnswer EventType = "answer"
)

// DataQuestion is the Data key of an EventAnswer naming the Seq of the
// EventQuestion it answers.
const DataQuestion = "question"

// Limits of the exchanges between a reporter and staff.
const (
	// MaxInfoPerReport is how many times a reporter may add information
	// to one report.
	MaxInfoPerReport = 20
	// MaxQuestionsPerReport is how many questions staff may ask about
	// one report.
	MaxQuestionsPerReport = 20
	// MaxOpenQuestions is how many questions may wait for an answer at
	// once on one report.
	MaxOpenQuestions = 3
)

// Bounds of a public nearby search.
const (
	// DefaultNearbyRadius is the radius of NearbyPublic when the query
	// names none, in metres.
	DefaultNearbyRadius = 200.0
	// MaxNearbyRadius is the largest radius of NearbyPublic, in metres.
	MaxNearbyRadius = 2000.0
	// DefaultNearbyLimit is how many reports NearbyPublic returns when
	// the query names no limit.
	DefaultNearbyLimit = 5
	// MaxNearbyLimit is the most reports NearbyPublic returns.
	MaxNearbyLimit = 20
	// nearbyPages is how many plaza pages NearbyPublic reads at most.
	nearbyPages = 5
)

// PublicNearbyQuery asks for the public open reports of a category near a
// point: "is it one of these?" while a citizen fills in a report.
type PublicNearbyQuery struct {
	// Category is required.
	Category string
	// Center is required.
	Center Point
	// RadiusMeters is 0 (DefaultNearbyRadius) up to MaxNearbyRadius.
	RadiusMeters float64
	// Limit is 0 (DefaultNearbyLimit) up to MaxNearbyLimit.
	Limit int
}

// Validate reports every problem with q as one CodeInvalid error.
func (q *PublicNearbyQuery) Validate() error {
	n := NearbyQuery{Category: q.Category, Center: q.Center, RadiusMeters: cmp.Or(q.RadiusMeters, DefaultNearbyRadius), Limit: q.Limit}
	var p Problems
	p.Merge("", n.Validate())
	if q.RadiusMeters > MaxNearbyRadius {
		p.Add("radius", "must be at most %g metres", MaxNearbyRadius)
	}
	if q.Limit > MaxNearbyLimit {
		p.Add("limit", "must be at most %d", MaxNearbyLimit)
	}
	return p.Err("nearby")
}

// NearbyPublic returns the open reports of q.Category within the radius of
// q.Center that the plaza shows, nearest first, at most q.Limit. It reads
// them through PublicList, so that a report the plaza does not show is
// never offered, and it needs no user. An unknown category is CodeInvalid.
func (s *Service) NearbyPublic(ctx context.Context, q PublicNearbyQuery) ([]PublicHazard, error) {
	const op = "nearby"
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if _, ok := s.categories.Lookup(q.Category); !ok {
		var p Problems
		p.Add("category", "is not a known category")
		return nil, p.Err(op)
	}
	radius := cmp.Or(q.RadiusMeters, DefaultNearbyRadius)
	limit := cmp.Or(q.Limit, DefaultNearbyLimit)
	box := q.Center.Around(radius)
	open := true
	type near struct {
		p PublicHazard
		d float64
	}
	var found []near
	page := Page{Limit: MaxPageLimit}
	for range nearbyPages {
		l, err := s.PublicList(ctx, PublicFilter{Category: q.Category, Open: &open, Box: &box}, page)
		if err != nil {
			return nil, Wrap(op, err)
		}
		for _, p := range l.Items {
			h, err := s.store.Get(ctx, p.ID)
			if err != nil || h.Location.Point == nil {
				continue // gone meanwhile, or no point to measure
			}
			if d := h.Location.Point.DistanceMeters(q.Center); d <= radius {
				p.Timeline = nil
				found = append(found, near{p, d})
			}
		}
		if len(found) >= limit || l.Next == "" {
			break
		}
		page.Cursor = l.Next
	}
	slices.SortStableFunc(found, func(a, b near) int { return cmp.Compare(a.d, b.d) })
	out := make([]PublicHazard, 0, min(limit, len(found)))
	for i := 0; i < len(found) && i < limit; i++ {
		out = append(out, found[i].p)
	}
	return out, nil
}

// countMeToo returns how many EventMeToo events holds.
func countMeToo(events []Event) int {
	n := 0
	for i := range events {
		if events[i].Type == EventMeToo {
			n++
		}
	}
	return n
}

// AddInfoInput is what a reporter adds to their open report.
type AddInfoInput struct {
	// Note is 0 to MaxNoteLen runes; a note or a photo is required.
	Note string
	// Photos are at most MaxPhotos.
	Photos []Photo
}

// AddInfo records information the reporter adds to their open report (a
// note and photos) for the handling department, as an EventInfoAdded with
// the note private (staff and the reporter see it, the plaza never does).
// It writes the hazard with its expected version, so that it counts
// exactly: at most MaxInfoPerReport additions per report. Another user's
// report or a missing one is CodeNotFound; a closed one CodeConflict.
func (s *Service) AddInfo(ctx context.Context, user User, id uuid.UUID, in AddInfoInput) (Hazard, error) {
	const op = "add info"
	if err := authenticated(op, user); err != nil {
		return Hazard{}, err
	}
	var p Problems
	CheckText(&p, "note", in.Note, 0, MaxNoteLen)
	validatePhotos(&p, "photos", in.Photos, 0)
	if in.Note == "" && len(in.Photos) == 0 {
		p.Add("note", "a note or a photo is required")
	}
	if err := p.Err(op); err != nil {
		return Hazard{}, err
	}
	h, err := s.visibleHazard(ctx, op, user, id, ownReport)
	if err != nil {
		return Hazard{}, err
	}
	if !h.Open() {
		return Hazard{}, &Error{Code: CodeConflict, Op: op, Message: "the report is closed"}
	}
	events, err := s.store.HazardEvents(ctx, h.ID)
	if err != nil {
		return Hazard{}, Wrap(op, err)
	}
	if countType(events, EventInfoAdded) >= MaxInfoPerReport {
		return Hazard{}, &Error{Code: CodeConflict, Op: op, Message: "at most " + strconv.Itoa(MaxInfoPerReport) + " additions per report"}
	}
	u := user
	u.Role = string(RoleReporter)
	return s.exchange(ctx, op, h, Event{
		HazardID: h.ID, Type: EventInfoAdded, Actor: u.Actor(), PrivateNote: in.Note,
		Attachments: clonePhotos(in.Photos), Data: map[string]string{DataPrivateNoteTo: "reporter"},
	})
}

// Ask records a question staff ask the reporter of an open report, as an
// EventQuestion addressed to the reporter (ReporterView shows it; the plaza
// never does). The user must be staff (User.Staff) whose scope covers the
// report (else CodeNotFound, as for a missing one); the report needs a
// reporter to ask, and at most MaxQuestionsPerReport questions, of which
// MaxOpenQuestions unanswered (CodeConflict).
func (s *Service) Ask(ctx context.Context, user User, id uuid.UUID, question string) (Hazard, error) {
	const op = "ask"
	if err := authenticated(op, user); err != nil {
		return Hazard{}, err
	}
	if !user.Staff() {
		return Hazard{}, &Error{Code: CodeForbidden, Op: op, Message: "only staff ask the reporter"}
	}
	var p Problems
	CheckText(&p, "question", question, 1, MaxNoteLen)
	if err := p.Err(op); err != nil {
		return Hazard{}, err
	}
	h, err := s.visibleHazard(ctx, op, user, id, inScope)
	if err != nil {
		return Hazard{}, err
	}
	switch {
	case !h.Open():
		return Hazard{}, &Error{Code: CodeConflict, Op: op, Message: "the report is closed"}
	case h.Reporter.UserID == "" || h.Source != SourceCitizen:
		return Hazard{}, &Error{Code: CodeConflict, Op: op, Message: "the report has no citizen to ask"}
	}
	events, err := s.store.HazardEvents(ctx, h.ID)
	if err != nil {
		return Hazard{}, Wrap(op, err)
	}
	if countType(events, EventQuestion) >= MaxQuestionsPerReport {
		return Hazard{}, &Error{Code: CodeConflict, Op: op, Message: "at most " + strconv.Itoa(MaxQuestionsPerReport) + " questions per report"}
	}
	if len(OpenQuestions(events)) >= MaxOpenQuestions {
		return Hazard{}, &Error{Code: CodeConflict, Op: op, Message: "wait for the answers to the questions asked"}
	}
	return s.exchange(ctx, op, h, Event{
		HazardID: h.ID, Type: EventQuestion, Actor: user.Actor(), PrivateNote: question,
		Data: map[string]string{DataPrivateNoteTo: "reporter"},
	})
}

// Answer records the reporter's answer to the question with the sequence
// number question (an EventQuestion of their report not yet answered;
// otherwise CodeInvalid on the field "question"). Another user's report or
// a missing one is CodeNotFound.
func (s *Service) Answer(ctx context.Context, user User, id uuid.UUID, question int64, answer string) (Hazard, error) {
	const op = "answer"
	if err := authenticated(op, user); err != nil {
		return Hazard{}, err
	}
	var p Problems
	CheckText(&p, "answer", answer, 1, MaxNoteLen)
	if err := p.Err(op); err != nil {
		return Hazard{}, err
	}
	h, err := s.visibleHazard(ctx, op, user, id, ownReport)
	if err != nil {
		return Hazard{}, err
	}
	events, err := s.store.HazardEvents(ctx, h.ID)
	if err != nil {
		return Hazard{}, Wrap(op, err)
	}
	if !slices.Contains(OpenQuestions(events), question) {
		p.Add("question", "is no open question of this report")
		return Hazard{}, p.Err(op)
	}
	u := user
	u.Role = string(RoleReporter)
	return s.exchange(ctx, op, h, Event{
		HazardID: h.ID, Type: EventAnswer, Actor: u.Actor(), PrivateNote: answer,
		Data: map[string]string{DataQuestion: strconv.FormatInt(question, 10), DataPrivateNoteTo: "reporter"},
	})
}

// OpenQuestions returns the sequence numbers of the EventQuestion events of
// events that no EventAnswer answers, in order.
func OpenQuestions(events []Event) []int64 {
	answered := map[string]bool{}
	for i := range events {
		if events[i].Type == EventAnswer {
			answered[events[i].Data[DataQuestion]] = true
		}
	}
	var out []int64
	for i := range events {
		if events[i].Type == EventQuestion && !answered[strconv.FormatInt(events[i].Seq, 10)] {
			out = append(out, events[i].Seq)
		}
	}
	return out
}

func countType(events []Event, t EventType) int {
	n := 0
	for i := range events {
		if events[i].Type == t {
			n++
		}
	}
	return n
}

// exchange writes h, unchanged but for its update time, with its expected
// version and the event e, in one step: a concurrent exchange or action is
// CodeConflict, so that the counts checked before hold.
func (s *Service) exchange(ctx context.Context, op string, h Hazard, e Event) (Hazard, error) {
	now := s.now()
	e.Time = now
	if err := e.Validate(); err != nil {
		return Hazard{}, Wrap(op, err)
	}
	next := h.Clone()
	next.UpdatedAt = now
	stored, err := s.store.Update(ctx, next, h.Version, []Event{e})
	if err != nil {
		return Hazard{}, Wrap(op, err)
	}
	return stored, nil
}

// exchangeData is what the reporter's view keeps of an exchange's data:
// a question's own sequence number (so that an answer can name it) and
// the question an answer answers, under DataQuestion.
func exchangeData(e Event) map[string]string {
	switch e.Type {
	case EventQuestion:
		return map[string]string{DataQuestion: strconv.FormatInt(e.Seq, 10)}
	case EventAnswer:
		return map[string]string{DataQuestion: e.Data[DataQuestion]}
	}
	return nil
}
