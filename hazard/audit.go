package hazard

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/workflow"
)

// RoleAuditor is the role of whoever audits access to personal data: it may
// read the access log (Service.AccessLog) and nothing else; it is not a
// staff role (StaffRole) and has no hazard in scope.
const RoleAuditor workflow.Role = "auditor"

// SubjectAudit is the kind of the access log's events, and AccessLogSubject
// the one subject they share: every reading of personal data that the
// library logs (a reporter's contact revealed, an export, a person's data
// downloaded or erased) is an event of that subject in the one event log,
// with who (Actor), when (Time) and what (Data).
const SubjectAudit SubjectKind = "audit"

// AccessLogSubject is the subject of the access log's events.
var AccessLogSubject = Subject{Kind: SubjectAudit, ID: "personal_data"}

// Event types of the access log.
const (
	// EventContactRevealed: a staff member read a reporter's contact.
	EventContactRevealed EventType = "contact_revealed"
	// EventExported: someone exported records (Data[DataExport] says which).
	EventExported EventType = "exported"
)

// Keys of the Data of the access log's events.
const (
	DataHazardID  = "hazard_id"
	DataHazardRef = "hazard_ref"
	DataReason    = "reason"
	DataExport    = "export" // what was exported: reports, rewards, ...
	DataSince     = "since"  // RFC 3339, UTC
	DataUntil     = "until"  // RFC 3339, UTC
	DataRows      = "rows"
)

// Limits of the access log.
const (
	// MaxReasonLen is the longest reason, in runes, given to read
	// personal data.
	MaxReasonLen = 200
	// MaxAccessLogPage is the most entries AccessLog returns at once.
	MaxAccessLogPage = MaxEventBatch
)

// MayAudit reports whether u may read the access log: an auditor or an
// administrator.
func MayAudit(u User) bool {
	return u.ID != "" && (u.Role == string(RoleAuditor) || u.Role == string(RoleAdmin))
}

// RevealContact returns the contact that the reporter of hazard id left,
// for staff who need to reach them, and logs the access (who, when, which
// report, why) as an EventContactRevealed of AccessLogSubject, before it
// answers: there is no reading without its entry. StaffView leaves the
// contact out.
//
// The user must be staff with the hazard in scope (else CodeForbidden, or
// CodeNotFound out of scope); reason is required,
// one line of at most MaxReasonLen runes (CodeInvalid on field "reason").
func (s *Service) RevealContact(ctx context.Context, user User, id uuid.UUID, reason string) (Contact, error) {
	const op = "reveal contact"
	if err := staffOnly(op, user); err != nil {
		return Contact{}, err
	}
	reason = NormalizeText(reason)
	var p Problems
	CheckLine(&p, "reason", reason, 1, MaxReasonLen)
	if err := p.Err(op); err != nil {
		return Contact{}, err
	}
	h, err := s.visibleHazard(ctx, op, user, id, inScope)
	if err != nil {
		return Contact{}, err
	}
	e := Event{
		Subject: AccessLogSubject, Type: EventContactRevealed, Actor: user.Actor(), Time: s.now(),
		Data: map[string]string{DataHazardID: h.ID.String(), DataHazardRef: h.Ref, DataReason: reason},
	}
	if _, err := s.store.Append(ctx, e); err != nil {
		return Contact{}, Wrap(op, err)
	}
	return h.Reporter.Contact, nil
}

// ExportLog describes one export for the access log (LogExport).
type ExportLog struct {
	// Export names what was exported ("reports", "rewards", ...).
	Export     string
	Department string
	Since      time.Time
	Until      time.Time
	Rows       int
}

// Event returns the access log's entry of the export x by user at a time:
// an EventExported of AccessLogSubject. Export use cases of the packages
// built on this one append it to the event log; this package's call
// LogExport.
func (x ExportLog) Event(user User, at time.Time) Event {
	data := map[string]string{DataExport: x.Export, DataRows: strconv.Itoa(x.Rows)}
	if x.Department != "" {
		data[DataDepartment] = x.Department
	}
	if !x.Since.IsZero() {
		data[DataSince] = x.Since.UTC().Format(time.RFC3339)
	}
	if !x.Until.IsZero() {
		data[DataUntil] = x.Until.UTC().Format(time.RFC3339)
	}
	return Event{Subject: AccessLogSubject, Type: EventExported, Actor: user.Actor(), Time: at.UTC(), Data: data}
}

// LogExport records in the access log that user exported records (see
// ExportLog.Event).
func (s *Service) LogExport(ctx context.Context, user User, x ExportLog) error {
	_, err := s.store.Append(ctx, x.Event(user, s.now()))
	return Wrap("log export", err)
}

// AccessLog returns up to limit entries of the access log after the
// sequence number after, oldest first (pass the last entry's Seq to read
// on). Only an auditor or an administrator may read it (MayAudit);
// limit <= 0 or above MaxAccessLogPage reads MaxAccessLogPage.
func (s *Service) AccessLog(ctx context.Context, user User, after int64, limit int) ([]Event, error) {
	const op = "access log"
	if err := authenticated(op, user); err != nil {
		return nil, err
	}
	if !MayAudit(user) {
		return nil, &Error{Code: CodeForbidden, Op: op, Message: "auditors and administrators only"}
	}
	if after < 0 {
		return nil, &Error{Code: CodeInvalid, Op: op, Field: "after", Message: "must not be negative"}
	}
	if limit <= 0 || limit > MaxAccessLogPage {
		limit = MaxAccessLogPage
	}
	evs, err := s.store.SubjectEvents(ctx, AccessLogSubject, after, limit)
	return evs, Wrap(op, err)
}
