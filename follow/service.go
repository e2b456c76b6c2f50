package follow

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Defaults of a Config.
const (
	// DefaultMessagesPerDay is how many follow messages (updates and area
	// alerts together) one citizen gets in any 24 hours by default.
	DefaultMessagesPerDay = 20
	// MinSecretLen is the shortest Config.Secret, in bytes.
	MinSecretLen = 32
	// MaxTokenLen is the longest unsubscribe token, in bytes.
	MaxTokenLen = 512
)

// HazardGetter reads a hazard by ID (hazard.Store has this method).
type HazardGetter interface {
	Get(ctx context.Context, id uuid.UUID) (hazard.Hazard, error)
}

// Config configures a Service. Store, Hazards, HazardStore and Secret are required.
type Config struct {
	Store Store
	// Hazards gives the public views: only a report the plaza shows can be
	// followed, me-tooed or announced.
	Hazards *hazard.Service
	// HazardStore reads the hazards of the log's events; required.
	HazardStore HazardGetter
	// Secret signs unsubscribe tokens: at least MinSecretLen bytes, the
	// same in every process.
	Secret []byte
	// MaxFollows and MaxAreas cap a citizen's subscriptions; 0 means
	// DefaultMaxFollows and DefaultMaxAreas, at most MaxSubscriptions.
	MaxFollows int
	MaxAreas   int
	// MessagesPerDay caps the follow messages one citizen gets in any 24
	// hours; 0 means DefaultMessagesPerDay, at most hazard.MaxLimitMax.
	// Limiter applies it (required for alerts); share it between processes
	// for the cap to hold across them.
	MessagesPerDay int
	Limiter        hazard.Limiter
	// Clock returns the current time; default time.Now.
	Clock func() time.Time
	// NewID returns new area IDs; default UUIDv7.
	NewID func() uuid.UUID
	// Logger logs messages dropped by the daily cap; default discard.
	Logger *slog.Logger
}

// Service runs the use cases of following: me-too, following reports,
// watching areas, unsubscribing by token, and the alerts (Consumer). It
// keeps no state beyond its configuration and is safe for concurrent use.
//
// Who follows a report is private: no public view names a follower, and
// the me-too count is all the plaza shows of them.
type Service struct {
	cfg   Config
	limit hazard.Limit
}

// New checks cfg (CodeInvalid naming every problem) and returns a Service.
func New(cfg Config) (*Service, error) {
	var p hazard.Problems
	if cfg.Store == nil {
		p.Add("store", "is required")
	}
	if cfg.Hazards == nil {
		p.Add("hazards", "is required")
	}
	if cfg.HazardStore == nil {
		p.Add("hazard_store", "is required")
	}
	if len(cfg.Secret) < MinSecretLen {
		p.Add("secret", "needs at least %d bytes", MinSecretLen)
	}
	if cfg.MaxFollows == 0 {
		cfg.MaxFollows = DefaultMaxFollows
	}
	if cfg.MaxAreas == 0 {
		cfg.MaxAreas = DefaultMaxAreas
	}
	if cfg.MaxFollows < 1 || cfg.MaxFollows > MaxSubscriptions {
		p.Add("max_follows", "must be 1 to %d", MaxSubscriptions)
	}
	if cfg.MaxAreas < 1 || cfg.MaxAreas > MaxSubscriptions {
		p.Add("max_areas", "must be 1 to %d", MaxSubscriptions)
	}
	if cfg.MessagesPerDay == 0 {
		cfg.MessagesPerDay = DefaultMessagesPerDay
	}
	if cfg.MessagesPerDay < 1 || cfg.MessagesPerDay > hazard.MaxLimitMax {
		p.Add("messages_per_day", "must be 1 to %d", hazard.MaxLimitMax)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = func() uuid.UUID { return uuid.Must(uuid.NewV7()) }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := p.Err("follow.new"); err != nil {
		return nil, err
	}
	cfg.Secret = append([]byte(nil), cfg.Secret...)
	return &Service{cfg: cfg, limit: hazard.Limit{Max: cfg.MessagesPerDay, Per: 24 * time.Hour}}, nil
}

func (s *Service) now() time.Time { return s.cfg.Clock().UTC() }

// citizen returns CodeUnauthenticated for nobody and CodeForbidden for a
// user who is not a citizen (role reporter): following is for citizens.
func citizen(op string, u hazard.User) error {
	if u.ID == "" || u.Role == "" {
		return &hazard.Error{Code: hazard.CodeUnauthenticated, Op: op, Message: "sign in first"}
	}
	if u.Role != string(hazard.RoleReporter) {
		return &hazard.Error{Code: hazard.CodeForbidden, Op: op, Message: "only citizens follow reports"}
	}
	return nil
}

// public returns the public view of the report ref: CodeNotFound when the
// plaza does not show it.
func (s *Service) public(ctx context.Context, op, ref string) (hazard.PublicHazard, error) {
	if ref == "" || len(ref) > hazard.MaxRefLen {
		return hazard.PublicHazard{}, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: hazard.NoSuchHazard}
	}
	p, err := s.cfg.Hazards.PublicView(ctx, ref)
	if err != nil {
		return hazard.PublicHazard{}, hazard.Wrap(op, err)
	}
	return p, nil
}

// FollowResult is the answer of Follow and MeToo.
type FollowResult struct {
	Ref string `json:"ref"`
	// MeToo is the report's me-too count after the call.
	MeToo int `json:"me_too"`
	// Counted is true when this call counted the citizen's me-too (false
	// for a follow, and for a me-too the citizen had given before).
	Counted bool `json:"counted"`
	// Following is true: the citizen now gets the report's updates.
	Following bool `json:"following"`
}

// MeToo records that the citizen user sees the hazard of the open public
// report ref too, instead of filing a duplicate report: the citizen
// follows it and, once per citizen and report, an EventMeToo is written
// with the follow (the plaza counts it; it names nobody in public). Their
// own report, or a closed one, is CodeConflict; a report the plaza does
// not show is CodeNotFound. The reward's duplicate rules are untouched: a
// me-too is no report and earns nothing.
func (s *Service) MeToo(ctx context.Context, user hazard.User, ref string) (FollowResult, error) {
	const op = "me too"
	if err := citizen(op, user); err != nil {
		return FollowResult{}, err
	}
	p, err := s.public(ctx, op, ref)
	if err != nil {
		return FollowResult{}, err
	}
	if !p.ClosedAt.IsZero() {
		return FollowResult{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Message: "the report is closed"}
	}
	own, err := s.cfg.Hazards.SightOf(ctx, user, p.ID)
	if err != nil {
		return FollowResult{}, hazard.Wrap(op, err)
	}
	if own == hazard.SightFull { // a citizen sees in full only their own reports
		return FollowResult{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Message: "this is your own report"}
	}
	now := s.now()
	ev := hazard.Event{HazardID: p.ID, Type: hazard.EventMeToo, Actor: user.Actor(), Time: now}
	_, counted, err := s.cfg.Store.Follow(ctx, Follow{UserID: user.ID, HazardID: p.ID, Ref: p.Ref, MeToo: true, Active: true, CreatedAt: now},
		s.cfg.MaxFollows, []hazard.Event{ev})
	if err != nil {
		return FollowResult{}, hazard.Wrap(op, err)
	}
	n := p.MeToo
	if counted {
		n++
	}
	return FollowResult{Ref: p.Ref, MeToo: n, Counted: counted, Following: true}, nil
}

// Follow makes the citizen user follow the public report ref: they get its
// public updates on their channels. Following again is no error. More than
// the cap of follows is CodeConflict on "follows"; a report the plaza does
// not show is CodeNotFound.
func (s *Service) Follow(ctx context.Context, user hazard.User, ref string) (FollowResult, error) {
	const op = "follow"
	if err := citizen(op, user); err != nil {
		return FollowResult{}, err
	}
	p, err := s.public(ctx, op, ref)
	if err != nil {
		return FollowResult{}, err
	}
	if _, _, err := s.cfg.Store.Follow(ctx, Follow{UserID: user.ID, HazardID: p.ID, Ref: p.Ref, Active: true, CreatedAt: s.now()},
		s.cfg.MaxFollows, nil); err != nil {
		return FollowResult{}, hazard.Wrap(op, err)
	}
	return FollowResult{Ref: p.Ref, MeToo: p.MeToo, Following: true}, nil
}

// Unfollow stops the citizen's updates of the report ref. Not following it
// is CodeNotFound.
func (s *Service) Unfollow(ctx context.Context, user hazard.User, ref string) error {
	const op = "unfollow"
	if err := citizen(op, user); err != nil {
		return err
	}
	p, err := s.public(ctx, op, ref)
	if err != nil {
		return err
	}
	return hazard.Wrap(op, s.cfg.Store.Unfollow(ctx, user.ID, p.ID))
}

// AreaInput is a new watched area: a center and radius, or a district, and
// optionally a category.
type AreaInput struct {
	Category     string        `json:"category,omitempty"`
	Center       *hazard.Point `json:"center,omitempty"`
	RadiusMeters float64       `json:"radius_meters,omitempty"`
	District     string        `json:"district,omitempty"`
}

// Watch makes the citizen user watch an area: new public reports in it are
// announced to them. An invalid area (Area.Validate) or an unknown category
// is CodeInvalid; more than the cap of areas is CodeConflict on "areas".
func (s *Service) Watch(ctx context.Context, user hazard.User, in AreaInput) (Area, error) {
	const op = "watch"
	if err := citizen(op, user); err != nil {
		return Area{}, err
	}
	a := Area{ID: s.cfg.NewID(), UserID: user.ID, Category: in.Category, RadiusMeters: in.RadiusMeters, District: in.District, CreatedAt: s.now()}
	if in.Center != nil {
		c := *in.Center
		a.Center = &c
	}
	var p hazard.Problems
	p.Merge("", a.Validate())
	if a.Category != "" {
		if _, ok := s.cfg.Hazards.Categories().Lookup(a.Category); !ok {
			p.Add("category", "is not a known category")
		}
	}
	if err := p.Err(op); err != nil {
		return Area{}, err
	}
	stored, err := s.cfg.Store.AddArea(ctx, a, s.cfg.MaxAreas)
	return stored, hazard.Wrap(op, err)
}

// Unwatch removes the citizen's area id; another's or a missing one is
// CodeNotFound.
func (s *Service) Unwatch(ctx context.Context, user hazard.User, id uuid.UUID) error {
	const op = "unwatch"
	if err := citizen(op, user); err != nil {
		return err
	}
	return hazard.Wrap(op, s.cfg.Store.RemoveArea(ctx, user.ID, id))
}

// Subscriptions is what a citizen follows and watches.
type Subscriptions struct {
	Follows []Follow `json:"follows"`
	Areas   []Area   `json:"areas"`
	// MaxFollows, MaxAreas and MessagesPerDay are the caps that apply.
	MaxFollows     int `json:"max_follows"`
	MaxAreas       int `json:"max_areas"`
	MessagesPerDay int `json:"messages_per_day"`
}

// Subscriptions returns the citizen's active follows and areas.
func (s *Service) Subscriptions(ctx context.Context, user hazard.User) (Subscriptions, error) {
	const op = "subscriptions"
	if err := citizen(op, user); err != nil {
		return Subscriptions{}, err
	}
	fs, err := s.cfg.Store.Follows(ctx, user.ID)
	if err != nil {
		return Subscriptions{}, hazard.Wrap(op, err)
	}
	as, err := s.cfg.Store.Areas(ctx, user.ID)
	if err != nil {
		return Subscriptions{}, hazard.Wrap(op, err)
	}
	return Subscriptions{Follows: fs, Areas: as, MaxFollows: s.cfg.MaxFollows, MaxAreas: s.cfg.MaxAreas, MessagesPerDay: s.cfg.MessagesPerDay}, nil
}

// Token kinds.
const (
	tokenFollow = "f" // the subject is a hazard ID
	tokenArea   = "a" // the subject is an area ID
)

// Token returns the unsubscribe token of the user's follow of the hazard
// (area false) or of the user's area id (area true): it ends that
// subscription with no login (Unsubscribe). It is signed with
// Config.Secret (HMAC-SHA-256) and holds the user ID and the subject.
func (s *Service) Token(userID string, id uuid.UUID, area bool) string {
	kind := tokenFollow
	if area {
		kind = tokenArea
	}
	body := base64.RawURLEncoding.EncodeToString([]byte(kind + "|" + id.String() + "|" + userID))
	return body + "." + base64.RawURLEncoding.EncodeToString(s.sign(body))
}

func (s *Service) sign(body string) []byte {
	m := hmac.New(sha256.New, s.cfg.Secret)
	m.Write([]byte("hazardloop-unsubscribe\x00" + body))
	return m.Sum(nil)
}

// Unsubscribed says what Unsubscribe ended.
type Unsubscribed struct {
	// Kind is "follow" or "area".
	Kind string `json:"kind"`
	// Ref is the report of a follow.
	Ref string `json:"ref,omitempty"`
}

// Unsubscribe ends the subscription a token (Token) names, in one step and
// with no login: a follow becomes inactive, an area is removed. A token
// that is malformed or not signed by this service is CodeInvalid on the
// field "token"; one whose subscription ended already succeeds again.
func (s *Service) Unsubscribe(ctx context.Context, token string) (Unsubscribed, error) {
	const op = "unsubscribe"
	bad := &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "token", Message: "is not a valid unsubscribe token"}
	if len(token) > MaxTokenLen {
		return Unsubscribed{}, bad
	}
	body, sig, ok := strings.Cut(token, ".")
	if !ok {
		return Unsubscribed{}, bad
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, s.sign(body)) {
		return Unsubscribed{}, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return Unsubscribed{}, bad
	}
	parts := strings.SplitN(string(raw), "|", 3)
	if len(parts) != 3 {
		return Unsubscribed{}, bad
	}
	id, err := uuid.Parse(parts[1])
	if err != nil {
		return Unsubscribed{}, bad
	}
	user := parts[2]
	switch parts[0] {
	case tokenFollow:
		err := s.cfg.Store.Unfollow(ctx, user, id)
		if err != nil && !errors.Is(err, hazard.ErrNotFound) {
			return Unsubscribed{}, hazard.Wrap(op, err)
		}
		out := Unsubscribed{Kind: "follow"}
		if h, err := s.cfg.HazardStore.Get(ctx, id); err == nil {
			out.Ref = h.Ref
		}
		return out, nil
	case tokenArea:
		err := s.cfg.Store.RemoveArea(ctx, user, id)
		if err != nil && !errors.Is(err, hazard.ErrNotFound) {
			return Unsubscribed{}, hazard.Wrap(op, err)
		}
		return Unsubscribed{Kind: "area"}, nil
	}
	return Unsubscribed{}, bad
}
