package hazard

import (
	"context"
	"strconv"
	"time"
)

// Limits of a reporter's contact data, in runes.
const (
	MaxContactNameLen  = 50
	MaxContactPhoneLen = 32
)

// SubmitInput is what a reporter supplies with a new report. Photos must
// already be in the blob store.
type SubmitInput struct {
	// Category is a code of the service's category registry.
	Category string
	// Severity defaults to SeverityGeneral when empty.
	Severity    Severity
	Description string
	Location    Location
	Photos      []Photo
	// Unit is the receiving unit the reporter chose (free text); optional.
	Unit string
	// UnitID is the unit (enterprise) the hazard was found at. Only staff
	// set it (an inspection, a supervision visit); an enterprise's
	// self-check is at its own unit (User.UnitID) whatever is given, and a
	// reporter may not set it (CodeForbidden): a citizen naming a company
	// in Unit gives that company no access to the report.
	UnitID string
	// Source defaults to SourceCitizen when empty. A user of role
	// "reporter" may only submit citizen reports.
	Source Source
	// Contact is how staff may reach the reporter; optional, never public.
	Contact Contact
}

// Data keys of the events Submit writes.
const (
	DataWorkflow       = "workflow"        // submitted: the workflow name and version, "citizen_report@1"
	DataIdempotencyKey = "idempotency_key" // submitted: the client's key, when given
	DataDuplicateOf    = "duplicate_of"    // duplicate: the ID of the earlier hazard
	DataDuplicateRef   = "duplicate_ref"   // duplicate: its reference number
	DataDistance       = "distance_m"      // duplicate: the distance in whole metres
)

// Submit records a new report by user and returns the stored hazard.
//
// It validates in (every problem at once, CodeInvalid), normalises its text,
// assigns an ID (ServiceConfig.NewID) and a reference number (RefFormat on
// the store's counter), and starts the workflow: citizen_report for a
// citizen's report, rectification for an inspection, a self-check or a
// supervision visit, in its initial state with that state's deadline. A
// rectification hazard is assigned to the submitter's department when it is
// a configured one, or else to its category's; an enterprise's self-check
// is found at the enterprise's unit (User.UnitID; a user of role
// enterprise without one is CodeForbidden).
//
// When an open hazard of the same category lies within the duplicate radius
// and window, the new hazard is linked to the earliest such one
// (DuplicateOf) and an EventDuplicate is recorded: a duplicate is flagged,
// never refused. The hazard is stored with its first events
// (EventSubmitted, then EventDuplicate) in one atomic step.
//
// With a non-empty idempotencyKey (at most MaxIdempotencyKeyLen bytes), a
// second Submit by the same reporter with the same key returns the hazard
// the first one created and changes nothing, even when both run
// concurrently: the store decides. The same key with another input (any
// field of in after normalisation) is CodeConflict naming
// "idempotency_key": the submitted event records a hash of the input
// (DataRequestHash) beside the key.
//
// A user of role "reporter" may submit at most SubmitsPerDay reports in any
// 24 hours; one more is CodeRateLimited (a retry with the key of a report
// accepted within those 24 hours still returns that report). When the
// store is a LimitedCreator (memstore and pgstore are), it counts and
// inserts in one atomic step, so the limit is exact across every process
// sharing the store. Otherwise ServiceConfig.Limiter takes one unit per
// report before the insert (a retry with a known key takes none), which is
// exact wherever the limiter's state is shared, and the error carries the
// wait (Error.RetryAfter). No lock is held across store calls.
func (s *Service) Submit(ctx context.Context, user User, in SubmitInput, idempotencyKey string) (Hazard, error) {
	h, _, err := s.submit(ctx, user, in, idempotencyKey, "", nil)
	return h, err
}

// submit is Submit; a non-empty claimHash is recorded in the submitted
// event (DataClaimHash) of a new hazard; with att, the store (an
// AttachingCreator) attaches the uploads in the step that creates the
// hazard. It also reports whether this call created the hazard (false for
// a retry with a known key).
func (s *Service) submit(ctx context.Context, user User, in SubmitInput, idempotencyKey, claimHash string, att *Attachment) (Hazard, bool, error) {
	const op = "submit"
	if err := authenticated(op, user); err != nil {
		return Hazard{}, false, err
	}
	if in.Source == "" {
		in.Source = SourceCitizen
	}
	if in.Severity == "" {
		in.Severity = SeverityGeneral
	}
	if user.Role == string(RoleReporter) && in.Source != SourceCitizen {
		return Hazard{}, false, &Error{Code: CodeForbidden, Op: op, Field: "source", Message: "citizens submit citizen reports only"}
	}
	switch {
	case user.Role == string(RoleEnterprise) && user.UnitID == "":
		return Hazard{}, false, &Error{Code: CodeForbidden, Op: op, Field: "unit_id", Message: "your account belongs to no unit"}
	case user.Role == string(RoleEnterprise):
		in.UnitID = user.UnitID // a self-check is at the unit itself
	case in.UnitID != "" && !user.Staff():
		return Hazard{}, false, &Error{Code: CodeForbidden, Op: op, Field: "unit_id", Message: "only staff name the unit a hazard was found at"}
	}
	now := s.now()
	h := Hazard{
		ID:          s.newID(),
		Ref:         "pending", // drawn below, once the input is valid
		Category:    in.Category,
		Severity:    in.Severity,
		Description: NormalizeText(in.Description),
		Photos:      clonePhotos(in.Photos),
		Location: Location{
			Address:  NormalizeText(in.Location.Address),
			District: NormalizeText(in.Location.District),
		},
		Reporter: Reporter{
			UserID:   user.ID,
			Verified: user.Verified,
			Contact:  Contact{Name: NormalizeText(in.Contact.Name), Phone: NormalizeText(in.Contact.Phone)},
		},
		Unit:      NormalizeText(in.Unit),
		UnitID:    NormalizeText(in.UnitID),
		Source:    in.Source,
		Version:   1,
		CreatedAt: now,
		UpdatedAt: now,
	}
	if in.Location.Point != nil {
		pt := *in.Location.Point
		h.Location.Point = &pt
	}
	def := s.starts[h.Source].Definition()
	h.Workflow, h.WorkflowVersion, h.State = def.Name(), def.Version(), def.Initial()
	if d := def.Deadline(h.State, &h); d > 0 {
		h.Deadline = now.Add(d)
	}
	// A hazard found by staff or a unit belongs to a department from the
	// start; a citizen's report waits for a dispatcher.
	if h.Source != SourceCitizen {
		if _, ok := s.deptByCode[user.Department]; ok {
			h.Department = user.Department
		} else if c, ok := s.categories.Lookup(h.Category); ok {
			h.Department = c.Department
		}
	}

	var p Problems
	p.Merge("", h.Validate(s.categories))
	CheckLine(&p, "contact.name", h.Reporter.Contact.Name, 0, MaxContactNameLen)
	CheckPhone(&p, "contact.phone", h.Reporter.Contact.Phone)
	if len(idempotencyKey) > MaxIdempotencyKeyLen {
		p.Add("idempotency_key", "must be at most %d bytes", MaxIdempotencyKeyLen)
	}
	if err := p.Err(op); err != nil {
		return Hazard{}, false, err
	}

	// The input's hash is only compared when a key is reused.
	var hash string
	if idempotencyKey != "" {
		hash = submissionHash(&h)
	}
	limited := user.Role == string(RoleReporter) && s.perDay > 0
	lc, exact := s.store.(LimitedCreator)
	if limited && !exact {
		if prior, ok, err := s.takeSubmit(ctx, user.ID, idempotencyKey, now); err != nil {
			return prior, false, err
		} else if ok {
			h, err := s.samePrior(ctx, prior, hash)
			return h, false, err
		}
	}

	var err error
	if h.Ref, err = s.refs.Next(ctx, s.store, now); err != nil {
		return Hazard{}, false, Wrap(op, err)
	}
	events := []Event{{
		HazardID: h.ID, Type: EventSubmitted, Actor: user.Actor(),
		Data: map[string]string{DataWorkflow: workflowTag(h.Workflow, h.WorkflowVersion)},
		Time: now,
	}}
	if idempotencyKey != "" {
		events[0].Data[DataIdempotencyKey] = idempotencyKey
		events[0].Data[DataRequestHash] = hash
	}
	if claimHash != "" {
		events[0].Data[DataClaimHash] = claimHash
	}
	if dup, dist, ok, err := s.findDuplicate(ctx, &h); err != nil {
		return Hazard{}, false, Wrap(op, err)
	} else if ok {
		h.DuplicateOf = dup.ID
		events = append(events, Event{
			HazardID: h.ID, Type: EventDuplicate, Actor: System,
			Data: map[string]string{DataDuplicateOf: dup.ID.String(), DataDuplicateRef: dup.Ref, DataDistance: strconv.FormatInt(int64(dist), 10)},
			Time: now,
		})
	}
	if held, ok := s.heldEvent(&h); ok {
		events = append(events, held) // off the plaza until a moderator releases it
	}
	var stored Hazard
	var created bool
	switch {
	case att != nil:
		var since time.Time
		limit := 0
		if limited && exact {
			since, limit = now.Add(-submitWindow), s.perDay
		}
		stored, created, err = s.store.(AttachingCreator).CreateAttached(ctx, h, events, idempotencyKey, since, limit, *att)
	case limited && exact:
		stored, created, err = lc.CreateLimited(ctx, h, events, idempotencyKey, now.Add(-submitWindow), s.perDay)
	default:
		stored, created, err = s.store.Create(ctx, h, events, idempotencyKey)
	}
	if err != nil {
		return Hazard{}, false, Wrap(op, err)
	}
	if created {
		s.metrics.submitted(stored.Category, stored.Source)
		return stored, true, nil
	}
	stored, err = s.samePrior(ctx, stored, hash)
	return stored, false, err
}

// findDuplicate returns the earliest open hazard of h's category within the
// duplicate radius and window, and its distance.
func (s *Service) findDuplicate(ctx context.Context, h *Hazard) (Hazard, float64, bool, error) {
	if h.Location.Point == nil || s.dupRadius < 0 {
		return Hazard{}, 0, false, nil
	}
	near, err := s.store.Nearby(ctx, NearbyQuery{
		Category: h.Category, Center: *h.Location.Point, RadiusMeters: s.dupRadius,
		Since: h.CreatedAt.Add(-s.dupWindow), Limit: MaxPageLimit,
	})
	if err != nil {
		return Hazard{}, 0, false, err
	}
	for _, n := range near { // oldest first
		if n.ID == h.ID || n.Location.Point == nil {
			continue
		}
		return n, n.Location.Point.DistanceMeters(*h.Location.Point), true, nil
	}
	return Hazard{}, 0, false, nil
}

func workflowTag(name string, version int) string { return name + "@" + strconv.Itoa(version) }
