package hazard

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/workflow"
)

// Moderation before and after publishing: when a report appears on the
// plaza (PublishPolicy), which reports are held for a moderator first
// (ModerationConfig.HoldPatterns), and what a moderator changed of its
// public view (Moderation). The original report stays as it was for staff
// and audit; the plaza, Open311 and public photos show the moderated
// version. Every moderation is an event of the hazard (EventModerated,
// with who, when and why) in the one log.

// PublishPolicy says when a report appears on the plaza.
type PublishPolicy string

// The publication policies.
const (
	// PublishOnSubmit shows a report from its submission.
	PublishOnSubmit PublishPolicy = "on_submit"
	// PublishOnForward shows a report once it belongs to a department: a
	// citizen's report once a dispatcher forwarded it (an action that
	// assigned a department), a finding of staff or a unit from its
	// submission. A report rejected or withdrawn before it was forwarded
	// is never shown. The default.
	PublishOnForward PublishPolicy = "on_forward"
)

// Valid reports whether p is a known policy.
func (p PublishPolicy) Valid() bool { return p == PublishOnSubmit || p == PublishOnForward }

// Event types of moderation.
const (
	// EventHeld records that a report's text matched a hold pattern when
	// it was submitted: it stays off the plaza until a moderator releases
	// it. Data[DataHoldPattern] is the index of the first pattern matched.
	EventHeld EventType = "held"
	// EventModerated records one moderation: Data[DataModeration] is the
	// ModerationAction, PrivateNote the moderator's reason.
	EventModerated EventType = "moderated"
)

// Keys of the Data of moderation events.
const (
	DataModeration  = "moderation"   // the ModerationAction
	DataPhoto       = "photo"        // the photo's blob key
	DataRedacted    = "redacted"     // the blob key of the redacted public copy
	DataDescription = "description"  // the public description a moderator set
	DataHoldPattern = "hold_pattern" // the index of the hold pattern matched
)

// Limits of moderation.
const (
	// MaxHoldPatterns is the most hold patterns a configuration takes.
	MaxHoldPatterns = 200
	// MaxHoldPatternLen is the longest hold pattern, in bytes.
	MaxHoldPatternLen = 200
	// MaxHeldQueue is the most held reports HeldQueue returns.
	MaxHeldQueue = MaxPageLimit
	// MaxPublicListReads is how many pages of the store PublicList reads at
	// most to fill one page of the plaza with published reports; a page
	// may then hold fewer items than asked, and its Next goes on.
	MaxPublicListReads = 5
)

// DefaultHoldPatterns are the hold patterns of a ModerationConfig that sets
// none: a mainland mobile phone number, a resident ID number and a few
// common insults.
var DefaultHoldPatterns = []string{
	`(^|[^0-9])1[3-9][0-9]{9}([^0-9]|$)`,
	`(^|[^0-9])[1-9][0-9]{5}(19|20)[0-9]{2}[01][0-9][0-3][0-9]{4}[0-9Xx]([^0-9]|$)`,
	`傻[逼比屄]|操你|草你|他妈的|王八蛋|去死`,
	`(?i)\b(fuck|shit|bastard|asshole)\b`,
}

// ModerationConfig configures moderation in a ServiceConfig. The zero value
// is the default: publish on forward, reviewers and admins moderate, the
// DefaultHoldPatterns hold.
type ModerationConfig struct {
	// Publish is when a report appears on the plaza; "" means
	// PublishOnForward.
	Publish PublishPolicy
	// Moderators are the roles that hold the moderator right; nil means
	// reviewer and admin.
	Moderators []workflow.Role
	// HoldPatterns are regular expressions (RE2 syntax) of text that holds
	// a citizen's report for moderation before it appears on the plaza:
	// phone numbers, ID numbers, insults. nil means DefaultHoldPatterns;
	// an empty, non-nil list holds nothing. At most MaxHoldPatterns of at
	// most MaxHoldPatternLen bytes each.
	HoldPatterns []string
}

// moderation is a ModerationConfig made ready for use.
type moderation struct {
	publish    PublishPolicy
	moderators []workflow.Role
	hold       []*regexp.Regexp
	// anyHold matches where one of hold does: one scan of a text that
	// matches none (almost every report) instead of one per pattern.
	anyHold *regexp.Regexp
}

// newModeration checks cfg and fills in its defaults, adding problems to p.
func newModeration(cfg ModerationConfig, p *Problems) moderation {
	m := moderation{publish: cfg.Publish, moderators: slices.Clone(cfg.Moderators)}
	if m.publish == "" {
		m.publish = PublishOnForward
	}
	if !m.publish.Valid() {
		p.Add("moderation.publish", "must be %q or %q", PublishOnSubmit, PublishOnForward)
	}
	if m.moderators == nil {
		m.moderators = []workflow.Role{RoleReviewer, RoleAdmin}
	}
	for i, r := range m.moderators {
		if !StaffRole(r) {
			p.Add(fmt.Sprintf("moderation.moderators[%d]", i), "must be a staff role")
		}
	}
	pats := cfg.HoldPatterns
	if pats == nil {
		pats = DefaultHoldPatterns
	}
	if len(pats) > MaxHoldPatterns {
		p.Add("moderation.hold_patterns", "takes at most %d patterns", MaxHoldPatterns)
		return m
	}
	for i, s := range pats {
		f := fmt.Sprintf("moderation.hold_patterns[%d]", i)
		if s == "" || len(s) > MaxHoldPatternLen {
			p.Add(f, "must be 1 to %d bytes", MaxHoldPatternLen)
			continue
		}
		re, err := regexp.Compile(s)
		if err != nil {
			p.Add(f, "is not a regular expression: %v", err)
			continue
		}
		m.hold = append(m.hold, re)
	}
	if len(m.hold) > 0 && len(m.hold) == len(pats) {
		alt := make([]string, len(pats))
		for i, s := range pats {
			alt[i] = "(?:" + s + ")"
		}
		// Each pattern compiled alone, so their alternation does too; if
		// it did not, HoldMatch would try them one by one.
		m.anyHold, _ = regexp.Compile(strings.Join(alt, "|"))
	}
	return m
}

// Moderator reports whether u holds the moderator right: signed in with
// one of ModerationConfig.Moderators.
func (s *Service) Moderator(u User) bool {
	return u.ID != "" && slices.Contains(s.mod.moderators, workflow.Role(u.Role))
}

// PublishPolicy returns the service's publication policy.
func (s *Service) PublishPolicy() PublishPolicy { return s.mod.publish }

// HoldMatch returns the index of the first hold pattern that text matches,
// and false when none does.
func (s *Service) HoldMatch(text string) (int, bool) {
	if s.mod.anyHold != nil && !s.mod.anyHold.MatchString(text) {
		return 0, false
	}
	for i, re := range s.mod.hold {
		if re.MatchString(text) {
			return i, true
		}
	}
	return 0, false
}

// heldEvent returns the EventHeld of a new citizen's report h submitted
// by actor, and false when its text matches no hold pattern. Staff's and
// units' findings are not held.
func (s *Service) heldEvent(h *Hazard) (Event, bool) {
	if h.Source != SourceCitizen {
		return Event{}, false
	}
	for _, text := range []string{h.Description, h.Location.Address, h.Unit} {
		if i, ok := s.HoldMatch(text); ok {
			return Event{HazardID: h.ID, Type: EventHeld, Actor: System, Time: h.CreatedAt,
				Data: map[string]string{DataHoldPattern: fmt.Sprint(i)}}, true
		}
	}
	return Event{}, false
}

// Moderation is what moderators changed of a hazard's public view. The
// zero value (Version 0) is an unmoderated hazard. The hazard itself is
// never changed: staff see the original.
type Moderation struct {
	HazardID uuid.UUID `json:"hazard_id"`
	// Version counts the moderations, from 1; a change names the version
	// it read (optimistic concurrency).
	Version int64 `json:"version"`
	// Hidden keeps the hazard off the plaza, Open311 and public photos.
	Hidden bool `json:"hidden,omitempty"`
	// Released is set when a moderator reviewed a held report and let it
	// appear (subject to the publication policy).
	Released bool `json:"released,omitempty"`
	// Description replaces the reporter's description in public views;
	// empty keeps it.
	Description string `json:"description,omitempty"`
	// Photos are the photos moderated, each once, by blob key.
	Photos []PhotoModeration `json:"photos,omitempty"`
	// UpdatedAt is when the last moderation was made.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// PhotoModeration is what a moderator did to one photo's public copy.
type PhotoModeration struct {
	// Key is the photo's blob key (its original's).
	Key string `json:"key"`
	// Hidden keeps the photo out of public views.
	Hidden bool `json:"hidden,omitempty"`
	// Redacted is the blob key of the redacted public copy shown instead
	// of the photo's public copy; empty for none.
	Redacted string `json:"redacted,omitempty"`
}

// Clone returns a deep copy of m.
func (m Moderation) Clone() Moderation {
	m.Photos = slices.Clone(m.Photos)
	return m
}

// Photo returns the moderation of the photo with the key, and false when
// it has none.
func (m *Moderation) Photo(key string) (PhotoModeration, bool) {
	for _, p := range m.Photos {
		if p.Key == key {
			return p, true
		}
	}
	return PhotoModeration{}, false
}

// setPhoto replaces the moderation of pm.Key, dropping it when it does
// nothing.
func (m *Moderation) setPhoto(pm PhotoModeration) {
	m.Photos = slices.DeleteFunc(m.Photos, func(p PhotoModeration) bool { return p.Key == pm.Key })
	if pm.Hidden || pm.Redacted != "" {
		m.Photos = append(m.Photos, pm)
	}
}

// Validate reports every problem with m: a hazard ID, a description within
// the text policy and MaxDescriptionLen, at most one entry per photo of
// valid keys, and at most MaxPhotos*3 photos (photos, evidence and
// attachments may be moderated).
func (m *Moderation) Validate() error {
	var p Problems
	if m.HazardID == uuid.Nil {
		p.Add("hazard_id", "is required")
	}
	CheckText(&p, "description", m.Description, 0, MaxDescriptionLen)
	if len(m.Photos) > MaxModeratedPhotos {
		p.Add("photos", "takes at most %d photos", MaxModeratedPhotos)
	}
	seen := map[string]bool{}
	for i, ph := range m.Photos {
		f := fmt.Sprintf("photos[%d]", i)
		if !ValidKey(ph.Key) {
			p.Add(f+".key", "is not a blob key")
		}
		if ph.Redacted != "" && !ValidKey(ph.Redacted) {
			p.Add(f+".redacted", "is not a blob key")
		}
		if seen[ph.Key] {
			p.Add(f+".key", "is moderated twice")
		}
		seen[ph.Key] = true
	}
	return p.Err("moderation")
}

// MaxModeratedPhotos is the most photos of one hazard a Moderation lists.
const MaxModeratedPhotos = 3 * MaxPhotos

// ModerationStore keeps the moderations of hazards beside the event log,
// so that a moderation and its event are stored in one atomic step. It is
// an optional capability of a Store (found by type assertion):
// memstore.Store and pgstore.HazardStore have it, and
// hazardtest.TestModerationStore pins its promises. Without it the
// moderation use cases answer CodeInternal, and the public views apply the
// publication policy alone. Moderations are values, copied in and out.
type ModerationStore interface {
	// Moderation returns the moderation of the hazard id, or the zero
	// Moderation with HazardID id (Version 0) when it has none, whether or
	// not the hazard exists.
	Moderation(ctx context.Context, id uuid.UUID) (Moderation, error)

	// ModerationsOf returns the moderations of those of ids that have one;
	// a repeated ID counts once. More than MaxEventsBatch IDs is
	// CodeInvalid.
	ModerationsOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]Moderation, error)

	// SaveModeration stores m with Version expectedVersion+1 when the
	// stored moderation of m.HazardID has version expectedVersion (0: none
	// is stored), and appends events, in one atomic step; it returns the
	// stored moderation. An invalid moderation or event is CodeInvalid; a
	// missing hazard is CodeNotFound; another stored version is
	// CodeConflict with Error.Version the stored version. Nothing is
	// stored on error.
	SaveModeration(ctx context.Context, m Moderation, expectedVersion int64, events []Event) (Moderation, error)

	// HeldHazards returns up to limit hazards that have an EventHeld and
	// whose moderation is not Released, oldest first. limit must be 1 to
	// MaxHeldQueue, else CodeInvalid.
	HeldHazards(ctx context.Context, limit int) ([]Hazard, error)
}

// moderationOf returns the moderation of h from the store, or the zero one
// when the store keeps none.
func (s *Service) moderationOf(ctx context.Context, id uuid.UUID) (Moderation, error) {
	ms, ok := s.store.(ModerationStore)
	if !ok {
		return Moderation{HazardID: id}, nil
	}
	return ms.Moderation(ctx, id)
}

// moderationsOf is moderationOf for a page of hazards.
func (s *Service) moderationsOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]Moderation, error) {
	ms, ok := s.store.(ModerationStore)
	if !ok || len(ids) == 0 {
		return nil, nil
	}
	return ms.ModerationsOf(ctx, ids)
}

// Published reports whether the public may see h, given its events and its
// moderation: not hidden by a moderator, not held (an EventHeld without a
// release), and published by the policy. The one decision of visibility
// that the plaza, Open311 and public photos share.
func (s *Service) Published(h *Hazard, events []Event, m *Moderation) bool {
	if m != nil && m.Hidden {
		return false
	}
	if m == nil || !m.Released {
		for i := range events {
			if events[i].Type == EventHeld {
				return false
			}
		}
	}
	switch s.mod.publish {
	case PublishOnSubmit:
		return true
	default:
		return h.Department != ""
	}
}

// MayChangePublication reports whether e may change whether its hazard is
// Published: a moderation, a hold, or, under PublishOnForward, a
// transition that assigned a department. Caches of public views (the
// example server's plaza) drop what such an event may change.
func (s *Service) MayChangePublication(e *Event) bool {
	switch e.Type {
	case EventModerated, EventHeld:
		return true
	case EventTransition:
		return s.mod.publish == PublishOnForward && e.Data[DataDepartment] != ""
	}
	return false
}

// ModerationAction names what a moderator does.
type ModerationAction string

// The moderation actions.
const (
	ModHide        ModerationAction = "hide"         // keep the report off the plaza
	ModShow        ModerationAction = "show"         // undo hide
	ModRelease     ModerationAction = "release"      // let a held report appear
	ModEdit        ModerationAction = "edit"         // set the public description ("" restores the original)
	ModHidePhoto   ModerationAction = "hide_photo"   // keep a photo out of public views
	ModShowPhoto   ModerationAction = "show_photo"   // undo hide_photo and redact_photo
	ModRedactPhoto ModerationAction = "redact_photo" // show a redacted copy of a photo (Photos.Redact)
)

// ModerateInput is one moderation of a hazard.
type ModerateInput struct {
	Action ModerationAction
	// Reason says why, for the audit; required, 1 to MaxNoteLen runes.
	Reason string
	// Description is the public description of ModEdit.
	Description string
	// Photo is the blob key of the photo of a photo action.
	Photo string
	// ExpectedVersion is the version of the moderation read (0: none).
	ExpectedVersion int64

	// redacted is the redacted copy's key of ModRedactPhoto, set by
	// Photos.Redact only.
	redacted string
}

// ModerationView is what a moderator sees of a hazard: the original, its
// moderation, the public view as it is now, and whether it is held.
type ModerationView struct {
	Hazard     Hazard       `json:"hazard"`
	Moderation Moderation   `json:"moderation"`
	Public     PublicHazard `json:"public"`
	// Published says whether the public sees the hazard now.
	Published bool `json:"published"`
	// Held says whether it is held for moderation (not released yet).
	Held bool `json:"held"`
	// Photos are every photo that may be moderated: the report's, the
	// evidence and the attachments of its events.
	Photos []string `json:"photos"`
	// Events are its moderation events (EventHeld, EventModerated).
	Events []Event `json:"events"`
}

// moderatorOnly returns nil for a moderator, CodeUnauthenticated for no
// user and CodeForbidden for anyone else.
func (s *Service) moderatorOnly(op string, u User) error {
	if err := authenticated(op, u); err != nil {
		return err
	}
	if !s.Moderator(u) {
		return &Error{Code: CodeForbidden, Op: op, Message: "moderators only"}
	}
	return nil
}

// ModerationView returns what a moderator sees of the hazard id:
// CodeForbidden for anyone without the moderator right, CodeNotFound for a
// missing hazard or one out of the moderator's scope.
func (s *Service) ModerationView(ctx context.Context, user User, id uuid.UUID) (ModerationView, error) {
	const op = "moderation view"
	if err := s.moderatorOnly(op, user); err != nil {
		return ModerationView{}, err
	}
	h, err := s.visibleHazard(ctx, op, user, id, inScope)
	if err != nil {
		return ModerationView{}, err
	}
	return s.moderationView(ctx, op, &h)
}

// ModerationViewByRef is ModerationView of the hazard with the reference
// number, for a moderator who was told of a report by its number.
func (s *Service) ModerationViewByRef(ctx context.Context, user User, ref string) (ModerationView, error) {
	const op = "moderation view"
	if err := s.moderatorOnly(op, user); err != nil {
		return ModerationView{}, err
	}
	h, err := s.store.GetByRef(ctx, ref)
	if errors.Is(err, ErrNotFound) {
		return ModerationView{}, errNoHazard(op)
	}
	if err != nil {
		return ModerationView{}, Wrap(op, err)
	}
	if !inScope(user, &h) {
		return ModerationView{}, errNoHazard(op)
	}
	return s.moderationView(ctx, op, &h)
}

func (s *Service) moderationView(ctx context.Context, op string, h *Hazard) (ModerationView, error) {
	events, err := s.store.HazardEvents(ctx, h.ID)
	if err != nil {
		return ModerationView{}, Wrap(op, err)
	}
	m, err := s.moderationOf(ctx, h.ID)
	if err != nil {
		return ModerationView{}, Wrap(op, err)
	}
	v := ModerationView{Hazard: *h, Moderation: m, Public: s.publicOf(h, events, &m),
		Published: s.Published(h, events, &m), Photos: moderatable(h, events), Events: []Event{}}
	for _, e := range events {
		switch e.Type {
		case EventHeld:
			v.Held = !m.Released
			v.Events = append(v.Events, e)
		case EventModerated:
			v.Events = append(v.Events, e)
		}
	}
	return v, nil
}

// moderatable returns the keys of every photo of h and its events, once,
// in order.
func moderatable(h *Hazard, events []Event) []string {
	out := append(keys(h.Photos), keys(h.Evidence)...)
	for i := range events {
		out = append(out, keys(events[i].Attachments)...)
	}
	seen := map[string]bool{}
	return slices.DeleteFunc(out, func(k string) bool {
		if seen[k] {
			return true
		}
		seen[k] = true
		return false
	})
}

// Moderate makes one moderation of the hazard id by a moderator and
// returns the new moderation view. The rules: the moderator right
// (CodeForbidden without it), the hazard in the moderator's scope
// (CodeNotFound otherwise), a reason, the moderation version read
// (CodeConflict with Error.Version when it changed), a photo of the hazard
// for photo actions, a description within the text policy for ModEdit, and
// ModRelease only for a held report (CodeConflict otherwise).
// ModRedactPhoto is Photos.Redact's. The moderation and its EventModerated
// (actor, time, reason as private note, action and its facts as data) are
// stored in one step.
func (s *Service) Moderate(ctx context.Context, user User, id uuid.UUID, in ModerateInput) (ModerationView, error) {
	const op = "moderate"
	if err := s.moderatorOnly(op, user); err != nil {
		return ModerationView{}, err
	}
	ms, ok := s.store.(ModerationStore)
	if !ok {
		return ModerationView{}, &Error{Code: CodeInternal, Op: op, Message: "the store keeps no moderations"}
	}
	in.Reason = NormalizeText(in.Reason)
	in.Description = NormalizeText(in.Description)
	var p Problems
	CheckText(&p, "reason", in.Reason, 1, MaxNoteLen)
	switch in.Action {
	case ModHide, ModShow, ModRelease:
	case ModEdit:
		CheckText(&p, "description", in.Description, 0, MaxDescriptionLen)
	case ModHidePhoto, ModShowPhoto:
		if !ValidKey(in.Photo) {
			p.Add("photo", "is not a photo's key")
		}
	case ModRedactPhoto:
		if in.redacted == "" {
			p.Add("action", "redact a photo with its region (Photos.Redact)")
		}
	default:
		p.Add("action", "is not a moderation action")
	}
	if in.ExpectedVersion < 0 {
		p.Add("expected_version", "must not be negative")
	}
	if err := p.Err(op); err != nil {
		return ModerationView{}, err
	}
	h, err := s.visibleHazard(ctx, op, user, id, inScope)
	if err != nil {
		return ModerationView{}, err
	}
	events, err := s.store.HazardEvents(ctx, h.ID)
	if err != nil {
		return ModerationView{}, Wrap(op, err)
	}
	m, err := ms.Moderation(ctx, h.ID)
	if err != nil {
		return ModerationView{}, Wrap(op, err)
	}
	if m.Version != in.ExpectedVersion {
		return ModerationView{}, &Error{Code: CodeConflict, Op: op, Field: "expected_version",
			Message: "the moderation changed: reload it", Version: m.Version}
	}
	data := map[string]string{DataModeration: string(in.Action)}
	if in.Photo != "" {
		if !slices.Contains(moderatable(&h, events), in.Photo) {
			return ModerationView{}, &Error{Code: CodeInvalid, Op: op, Field: "photo", Message: "is not a photo of the report"}
		}
		data[DataPhoto] = in.Photo
	}
	pm, _ := m.Photo(in.Photo)
	pm.Key = in.Photo
	switch in.Action {
	case ModHide:
		m.Hidden = true
	case ModShow:
		m.Hidden = false
	case ModRelease:
		held := slices.ContainsFunc(events, func(e Event) bool { return e.Type == EventHeld })
		if !held || m.Released {
			return ModerationView{}, &Error{Code: CodeConflict, Op: op, Field: "action", Message: "the report is not held"}
		}
		m.Released = true
	case ModEdit:
		m.Description = in.Description
		data[DataDescription] = in.Description
	case ModHidePhoto:
		pm.Hidden = true
		m.setPhoto(pm)
	case ModShowPhoto:
		m.setPhoto(PhotoModeration{Key: in.Photo})
	case ModRedactPhoto:
		pm.Redacted = in.redacted
		m.setPhoto(pm)
		data[DataRedacted] = in.redacted
	}
	now := s.now()
	m.HazardID, m.UpdatedAt = h.ID, now
	ev := Event{HazardID: h.ID, Type: EventModerated, Actor: user.Actor(), PrivateNote: in.Reason, Data: data, Time: now}
	if _, err := ms.SaveModeration(ctx, m, in.ExpectedVersion, []Event{ev}); err != nil {
		return ModerationView{}, Wrap(op, err)
	}
	return s.moderationView(ctx, op, &h)
}

// HeldQueue returns the reports held for moderation, oldest first, each as
// its moderation view: up to limit (1 to MaxHeldQueue; 0 means
// DefaultPageLimit) in the moderator's scope. CodeForbidden without the
// moderator right.
func (s *Service) HeldQueue(ctx context.Context, user User, limit int) ([]ModerationView, error) {
	const op = "held queue"
	if err := s.moderatorOnly(op, user); err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = DefaultPageLimit
	}
	if limit < 0 || limit > MaxHeldQueue {
		return nil, &Error{Code: CodeInvalid, Op: op, Field: "limit", Message: fmt.Sprintf("must be 1 to %d", MaxHeldQueue)}
	}
	ms, ok := s.store.(ModerationStore)
	if !ok {
		return []ModerationView{}, nil
	}
	hs, err := ms.HeldHazards(ctx, limit)
	if err != nil {
		return nil, Wrap(op, err)
	}
	out := make([]ModerationView, 0, len(hs))
	for i := range hs {
		if !inScope(user, &hs[i]) {
			continue
		}
		v, err := s.moderationView(ctx, op, &hs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// applyModeration changes the public view p of h as its moderation and
// outcome say: the moderated description, no hidden photo, redacted
// photos under their own keys (Photos.Open serves the redacted copy), and,
// for a report closed as invalid, nothing but the moderated text and the
// reason (Withheld).
func (s *Service) applyModeration(p *PublicHazard, h *Hazard, events []Event, m *Moderation) {
	if m != nil && m.Description != "" {
		p.Description = m.Description
	}
	hidden := func(k string) bool {
		if m == nil {
			return false
		}
		pm, ok := m.Photo(k)
		return ok && pm.Hidden
	}
	p.Photos = slices.DeleteFunc(p.Photos, hidden)
	p.Evidence = slices.DeleteFunc(p.Evidence, hidden)
	for i := range p.Timeline {
		p.Timeline[i].Photos = slices.DeleteFunc(p.Timeline[i].Photos, hidden)
	}
	pr, err := s.processes.Of(h)
	if err != nil || h.Open() || pr.Outcome(h.State) != OutcomeInvalid {
		return
	}
	p.Withheld = true
	if m == nil || m.Description == "" {
		p.Description = ""
	}
	p.Photos, p.Evidence = nil, nil
	for i := range p.Timeline {
		p.Timeline[i].Photos = nil
	}
	p.Reason = h.Verdict
	for i := len(events) - 1; i >= 0; i-- {
		if e := &events[i]; e.Type == EventTransition && e.To == h.State {
			if e.PublicNote != "" {
				p.Reason = e.PublicNote
			}
			break
		}
	}
}
