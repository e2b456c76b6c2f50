package hazard

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strings"
	"time"
)

// Anonymous reports (匿名举报): the national reward rule lets a reporter
// stay anonymous and still be rewarded. A report submitted without an
// account is filed by an anonymous reporter whose user ID is derived from
// the client's device ID (AnonymousUser), and its answer carries a
// one-time claim code. With the code, the reporter follows the report
// (FollowClaim), reopens it or answers "is it fixed?" once it is closed as
// fixed (ReopenClaim, AnswerFixedClaim), and later binds a verified
// identity to it (BindClaim), which the reward service re-evaluates then. An anonymous report never earns a
// reward without that binding.

// AnonymousPrefix begins the user ID of every anonymous reporter
// (AnonymousUser); no account of the integrator's may use it.
const AnonymousPrefix = "anon-"

// Limits of an Origin and of claim codes.
const (
	// MinDeviceIDLen and MaxDeviceIDLen bound Origin.Device, in bytes.
	MinDeviceIDLen = 16
	MaxDeviceIDLen = 128
	// MaxOriginAddressLen bounds Origin.Address (a network address), in bytes.
	MaxOriginAddressLen = 64
	// ClaimSecretBytes is the randomness of a claim code: 112 bits.
	ClaimSecretBytes = 14
	// MaxClaimCodeLen is the longest claim code accepted, in bytes.
	MaxClaimCodeLen = 128
	// DefaultClaimWindow is how long after its closure an anonymous report
	// may be bound to an identity (ServiceConfig.ClaimWindow): the national
	// rule's 60 days to claim a reward.
	DefaultClaimWindow = 60 * Day
)

// Event type and data keys of anonymous reports.
const (
	// EventClaimBound records that a verified identity was bound to an
	// anonymous report with its claim code: Data[DataReporterID] is the
	// user, Data[DataBoundVerified] "true". It is not public.
	EventClaimBound EventType = "claim_bound"
	// DataClaimHash is the submitted event's hash of the claim code's
	// secret (hex SHA-256): the code itself is never stored.
	DataClaimHash = "claim_hash"
	// DataBoundVerified is "true" when the bound user was real-name
	// verified at binding.
	DataBoundVerified = "bound_verified"
)

// ErrClaimWindowPassed is the cause of the CodeConflict error of a binding
// later than the claim window after the report's closure.
var ErrClaimWindowPassed = errors.New("the time to claim this report has passed")

// AnonymousLimits are the rate limits of anonymous use, each applied
// through ServiceConfig.Limiter (so that they hold across processes
// sharing the limiter's state). A zero Limit takes its default.
type AnonymousLimits struct {
	// SubmitsPerAddress and SubmitsPerDevice limit anonymous reports per
	// network address (default 10 an hour) and per device (default 5 a
	// day).
	SubmitsPerAddress Limit
	SubmitsPerDevice  Limit
	// UploadsPerAddress limits anonymous photo uploads per network address
	// (default 60 an hour); the pending uploads of one device are capped
	// as an account's are.
	UploadsPerAddress Limit
	// ClaimAttemptsPerAddress and ClaimAttemptsPerReport limit the uses of
	// claim codes (following, reopening, answering "is it fixed?",
	// binding) per network address (default 20 in
	// 15 minutes) and per report (default 30 an hour). Every attempt
	// counts, so failed ones are limited whoever makes them.
	ClaimAttemptsPerAddress Limit
	ClaimAttemptsPerReport  Limit
}

// DefaultAnonymousLimits returns the defaults of AnonymousLimits.
func DefaultAnonymousLimits() AnonymousLimits {
	return AnonymousLimits{
		SubmitsPerAddress:       Limit{Max: 10, Per: time.Hour},
		SubmitsPerDevice:        Limit{Max: 5, Per: Day},
		UploadsPerAddress:       Limit{Max: 60, Per: time.Hour},
		ClaimAttemptsPerAddress: Limit{Max: 20, Per: 15 * time.Minute},
		ClaimAttemptsPerReport:  Limit{Max: 30, Per: time.Hour},
	}
}

// withDefaults fills in zero limits and adds the problems of the others.
func (l AnonymousLimits) withDefaults(p *Problems) AnonymousLimits {
	d := DefaultAnonymousLimits()
	for _, f := range []struct {
		name     string
		got, def *Limit
	}{
		{"submits_per_address", &l.SubmitsPerAddress, &d.SubmitsPerAddress},
		{"submits_per_device", &l.SubmitsPerDevice, &d.SubmitsPerDevice},
		{"uploads_per_address", &l.UploadsPerAddress, &d.UploadsPerAddress},
		{"claim_attempts_per_address", &l.ClaimAttemptsPerAddress, &d.ClaimAttemptsPerAddress},
		{"claim_attempts_per_report", &l.ClaimAttemptsPerReport, &d.ClaimAttemptsPerReport},
	} {
		if *f.got == (Limit{}) {
			*f.got = *f.def
			continue
		}
		p.Merge("anonymous."+f.name, f.got.Validate())
	}
	return l
}

// Origin is where an anonymous request comes from: a network address and
// the random device ID the client keeps (the report page makes one and
// saves it). Anonymous limits count per address and per device; the
// device scopes an anonymous reporter's uploads and idempotency keys.
type Origin struct {
	Address string
	Device  string
}

// Validate returns CodeInvalid naming "address" (1 to MaxOriginAddressLen bytes)
// or "device_id" (MinDeviceIDLen to MaxDeviceIDLen printable ASCII bytes).
func (o Origin) Validate() error {
	var p Problems
	if o.Address == "" || len(o.Address) > MaxOriginAddressLen || containsControl(o.Address) {
		p.Add("address", "must be 1 to %d bytes", MaxOriginAddressLen)
	}
	if len(o.Device) < MinDeviceIDLen || len(o.Device) > MaxDeviceIDLen || strings.ContainsFunc(o.Device, func(r rune) bool { return r <= ' ' || r > '~' }) {
		p.Add("device_id", "must be %d to %d printable ASCII characters", MinDeviceIDLen, MaxDeviceIDLen)
	}
	return p.Err("origin")
}

// AnonymousUser returns the anonymous reporter of o's device: role
// reporter, not verified, with a user ID of AnonymousPrefix and a hash of
// the device ID, so that two devices never share an ID (nor their uploads
// and idempotency keys) and the device ID itself is not stored.
func AnonymousUser(o Origin) User {
	sum := sha256.Sum256([]byte("hazardloop-device\x00" + o.Device))
	return User{ID: AnonymousPrefix + hex.EncodeToString(sum[:16]), Role: string(RoleReporter)}
}

// IsAnonymous reports whether userID is an anonymous reporter's.
func IsAnonymous(userID string) bool { return strings.HasPrefix(userID, AnonymousPrefix) }

// BoundReporter returns the user bound to an anonymous report by its
// events (the latest EventClaimBound), and whether there is one.
func BoundReporter(events []Event) (string, bool) {
	for _, e := range slices.Backward(events) {
		if e.Type == EventClaimBound && e.Data[DataReporterID] != "" {
			return e.Data[DataReporterID], true
		}
	}
	return "", false
}

// claimEncoding is Crockford's base32: no I, L, O or U to misread.
var claimEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// claimHash returns the stored hash of a claim code's secret.
func claimHash(secret []byte) string {
	sum := sha256.Sum256(append([]byte("hazardloop-claim\x00"), secret...))
	return hex.EncodeToString(sum[:])
}

// parseClaimCode splits a claim code, "<ref>.<secret>", into the report's
// reference number and the secret's bytes. Letter case, and spaces and
// dashes within the secret, do not matter (reference numbers are upper
// case).
func parseClaimCode(code string) (ref string, secret []byte, ok bool) {
	code = strings.TrimSpace(code)
	i := strings.LastIndexByte(code, '.')
	if len(code) > MaxClaimCodeLen || i <= 0 {
		return "", nil, false
	}
	ref = strings.ToUpper(code[:i])
	s := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code[i+1:]))
	secret, err := claimEncoding.DecodeString(s)
	if err != nil || len(secret) != ClaimSecretBytes {
		return "", nil, false
	}
	return ref, secret, true
}

// newClaimSecret returns a fresh secret and its text.
func newClaimSecret(r io.Reader) ([]byte, string, error) {
	secret := make([]byte, ClaimSecretBytes)
	if _, err := io.ReadFull(r, secret); err != nil {
		return nil, "", err
	}
	return secret, claimEncoding.EncodeToString(secret), nil
}

// anonymousOn returns nil when anonymous use is possible (the service has
// a Limiter to apply its limits), CodeForbidden otherwise.
func (s *Service) anonymousOn(op string) error {
	if s.limiter == nil {
		return &Error{Code: CodeForbidden, Op: op, Message: "anonymous reports are not enabled: sign in"}
	}
	return nil
}

// take takes one unit of rule for key from the service's limiter; a
// refusal is CodeRateLimited with the wait.
func (s *Service) take(ctx context.Context, op, key string, rule Limit, message string) error {
	d, err := s.limiter.Take(ctx, key, rule, 1)
	if err != nil {
		return Wrap(op, err)
	}
	return d.Err(op, message)
}

// SubmitAnonymous is Submit by the anonymous reporter of from's device
// (AnonymousUser), with the same validation, and returns the hazard and its
// claim code, "<ref>.<secret>" with a secret of ClaimSecretBytes random
// bytes in Crockford's base32. The code is shown once: only a hash of its
// secret is stored (in the submitted event, DataClaimHash).
//
// from must be valid (CodeInvalid naming "address" or "device_id"). The
// service needs a Limiter (otherwise anonymous reports are off,
// CodeForbidden), which applies AnonymousLimits.SubmitsPerAddress and
// SubmitsPerDevice before the report is stored (CodeRateLimited with the
// wait). An idempotency key is scoped to the device: a retry from the same
// device with the same key and input returns the report it created,
// without a code (the code was shown once) and without taking from the
// limits; another device's key never collides with it.
func (s *Service) SubmitAnonymous(ctx context.Context, from Origin, in SubmitInput, idempotencyKey string) (Hazard, string, error) {
	const op = "submit"
	if err := from.Validate(); err != nil {
		return Hazard{}, "", err
	}
	if err := s.anonymousOn(op); err != nil {
		return Hazard{}, "", err
	}
	user := AnonymousUser(from)
	if idempotencyKey != "" && len(idempotencyKey) <= MaxIdempotencyKeyLen {
		_, ok, err := s.priorWithKey(ctx, user.ID, idempotencyKey, s.now())
		if err != nil {
			return Hazard{}, "", err
		}
		if ok { // a retry: the store returns the prior report (or a conflict for another input)
			h, _, err := s.submit(ctx, user, in, idempotencyKey, "", nil)
			return h, "", err
		}
	}
	const busy = "too many anonymous reports from here: try again later or sign in"
	// The device first: a device past its limit does not spend its
	// address's room for others.
	if err := s.take(ctx, op, "anon-submit-device:"+user.ID, s.anon.SubmitsPerDevice, busy); err != nil {
		return Hazard{}, "", err
	}
	if err := s.take(ctx, op, "anon-submit-address:"+from.Address, s.anon.SubmitsPerAddress, busy); err != nil {
		return Hazard{}, "", err
	}
	secret, text, err := newClaimSecret(rand.Reader)
	if err != nil {
		return Hazard{}, "", Wrap(op, err)
	}
	h, created, err := s.submit(ctx, user, in, idempotencyKey, claimHash(secret), nil)
	if err != nil || !created {
		return h, "", err
	}
	return h, h.Ref + "." + text, nil
}

// errNoClaim is the answer to a claim code that is malformed, unknown or
// wrong: the same in every case.
func errNoClaim(op string) *Error {
	return &Error{Code: CodeNotFound, Op: op, Field: "claim_code", Message: "no report has this claim code"}
}

// checkClaim returns the anonymous report that code claims, with its
// events, after taking an attempt from the limits of address and of the
// report (CodeRateLimited when either is spent). A malformed, unknown or
// wrong code is errNoClaim; the secret's hash is compared in constant time.
func (s *Service) checkClaim(ctx context.Context, op, address, code string) (Hazard, []Event, error) {
	if err := s.anonymousOn(op); err != nil {
		return Hazard{}, nil, err
	}
	if address == "" || len(address) > MaxOriginAddressLen || containsControl(address) {
		return Hazard{}, nil, &Error{Code: CodeInvalid, Op: op, Field: "address", Message: "a network address is required"}
	}
	const busy = "too many claim code attempts: try again later"
	if err := s.take(ctx, op, "claim-attempt-address:"+address, s.anon.ClaimAttemptsPerAddress, busy); err != nil {
		return Hazard{}, nil, err
	}
	ref, secret, ok := parseClaimCode(code)
	if !ok {
		return Hazard{}, nil, errNoClaim(op)
	}
	if err := s.take(ctx, op, "claim-attempt-report:"+ref, s.anon.ClaimAttemptsPerReport, busy); err != nil {
		return Hazard{}, nil, err
	}
	h, err := s.store.GetByRef(ctx, ref)
	if errors.Is(err, ErrNotFound) {
		return Hazard{}, nil, errNoClaim(op)
	}
	if err != nil {
		return Hazard{}, nil, Wrap(op, err)
	}
	events, err := s.store.HazardEvents(ctx, h.ID)
	if err != nil {
		return Hazard{}, nil, Wrap(op, err)
	}
	want := ""
	if len(events) > 0 && events[0].Type == EventSubmitted {
		want = events[0].Data[DataClaimHash]
	}
	got := claimHash(secret)
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 || !IsAnonymous(h.Reporter.UserID) {
		return Hazard{}, nil, errNoClaim(op)
	}
	return h, events, nil
}

// ClaimView is what a claim code shows: the reporter's view of the
// anonymous report, and who it is bound to. Its Actions are those the
// holder of the code may take with it: the reopen action while the report
// may be reopened (ReopenClaim); whether "is it fixed?" awaits an answer
// (AnswerFixedClaim) is in Hazard.Aftercare.
type ClaimView struct {
	ReporterView
	// Bound is true once a verified identity was bound to the report.
	Bound bool `json:"bound"`
	// ClaimBy is when binding closes (the closure plus the claim window);
	// zero while the report is open.
	ClaimBy time.Time `json:"claim_by,omitzero"`
}

// FollowClaim returns the report the claim code claims, as its reporter
// sees it, for the holder of the code coming from address: the anonymous
// reporter follows the report's progress with it. See checkClaim for the
// limits; a malformed, unknown or wrong code is CodeNotFound naming
// "claim_code".
func (s *Service) FollowClaim(ctx context.Context, address, code string) (ClaimView, error) {
	const op = "follow claim"
	h, _, err := s.checkClaim(ctx, op, address, code)
	if err != nil {
		return ClaimView{}, err
	}
	return s.claimView(ctx, &h)
}

// claimView returns the anonymous report h as its claim code shows it now.
func (s *Service) claimView(ctx context.Context, h *Hazard) (ClaimView, error) {
	rv, err := s.ReporterView(ctx, claimReporter(h), h.ID)
	if err != nil {
		return ClaimView{}, err
	}
	rv.Actions = s.claimActions(&rv.Hazard, rv.Actions)
	bound := slices.ContainsFunc(rv.Timeline, func(e ReporterEvent) bool { return e.Type == EventClaimBound })
	v := ClaimView{ReporterView: rv, Bound: bound}
	if !rv.Hazard.Open() {
		v.ClaimBy = rv.Hazard.ClosedAt.Add(s.claimWindow)
	}
	return v, nil
}

// BindClaim binds user, a real-name verified citizen (otherwise
// CodeForbidden; an anonymous reporter cannot bind), to the anonymous
// report the claim code claims, so that the reward rules are evaluated for
// user (package reward re-evaluates them when it reads the
// EventClaimBound: the report may have closed long before). The report
// may be open, or closed at most ServiceConfig.ClaimWindow ago (otherwise
// CodeConflict with the cause ErrClaimWindowPassed). A report bound to
// another user is CodeConflict; binding the same user again returns the
// report and changes nothing. The binding is saved with the version read,
// so of concurrent bindings exactly one wins. See checkClaim for the
// limits and the answer to a wrong code.
func (s *Service) BindClaim(ctx context.Context, user User, address, code string) (Hazard, error) {
	const op = "bind claim"
	if err := authenticated(op, user); err != nil {
		return Hazard{}, err
	}
	if user.Role != string(RoleReporter) || IsAnonymous(user.ID) {
		return Hazard{}, &Error{Code: CodeForbidden, Op: op, Message: "sign in with your own citizen account to claim"}
	}
	h, events, err := s.checkClaim(ctx, op, address, code)
	if err != nil {
		return Hazard{}, err
	}
	if !user.Verified {
		return Hazard{}, &Error{Code: CodeForbidden, Op: op, Field: "verified", Message: "real-name verification is needed to claim a reward"}
	}
	if bound, ok := BoundReporter(events); ok {
		if bound == user.ID {
			return h, nil
		}
		return Hazard{}, &Error{Code: CodeConflict, Op: op, Field: "claim_code", Message: "this report was claimed already"}
	}
	now := s.now()
	if !h.Open() && now.Sub(h.ClosedAt) > s.claimWindow {
		return Hazard{}, &Error{Code: CodeConflict, Op: op, Field: "claim_code", Message: ErrClaimWindowPassed.Error(), Err: ErrClaimWindowPassed}
	}
	version := h.Version
	h.UpdatedAt = now
	ev := Event{HazardID: h.ID, Type: EventClaimBound, Actor: user.Actor(), Time: now,
		Data: map[string]string{DataReporterID: user.ID, DataBoundVerified: "true"}}
	stored, err := s.store.Update(ctx, h, version, []Event{ev})
	if err != nil {
		return Hazard{}, Wrap(op, err)
	}
	return stored, nil
}

// UploadAnonymous is Upload by the anonymous reporter of from's device,
// with the same sniffing, size limit and cap of pending uploads (per
// device), after taking one unit of AnonymousLimits.UploadsPerAddress
// (CodeRateLimited with the wait). from must be valid (CodeInvalid); the
// service needs a Limiter (CodeForbidden otherwise).
func (p *Photos) UploadAnonymous(ctx context.Context, from Origin, r io.Reader) (Upload, error) {
	const op = "upload"
	if err := from.Validate(); err != nil {
		return Upload{}, err
	}
	if err := p.svc.anonymousOn(op); err != nil {
		return Upload{}, err
	}
	if err := p.svc.take(ctx, op, "anon-upload-address:"+from.Address, p.svc.anon.UploadsPerAddress, "too many photos from here: try again later or sign in"); err != nil {
		return Upload{}, err
	}
	return p.Upload(ctx, AnonymousUser(from), r)
}

// SubmitAnonymous is Service.SubmitAnonymous with photos from the device's
// anonymous uploads (UploadAnonymous), as Submit takes an account's.
func (p *Photos) SubmitAnonymous(ctx context.Context, from Origin, in SubmitInput, uploads []string, idempotencyKey string) (Hazard, string, error) {
	const op = "submit"
	if err := from.Validate(); err != nil {
		return Hazard{}, "", err
	}
	user := AnonymousUser(from)
	photos, held, err := p.hold(ctx, op, user, uploads)
	if err != nil {
		return Hazard{}, "", err
	}
	in.Photos = append(slices.Clone(in.Photos), photos...)
	h, code, err := p.svc.SubmitAnonymous(ctx, from, in, idempotencyKey)
	if err != nil {
		p.release(ctx, user, held)
		return Hazard{}, "", err
	}
	if err := p.attach(ctx, op, user, h.ID, held); err != nil {
		return Hazard{}, "", err
	}
	return h, code, nil
}
