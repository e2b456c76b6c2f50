package follow

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Limits of subscriptions.
const (
	// DefaultMaxFollows is how many reports one citizen may follow at once
	// by default (Config.MaxFollows).
	DefaultMaxFollows = 100
	// DefaultMaxAreas is how many areas one citizen may watch at once by
	// default (Config.MaxAreas).
	DefaultMaxAreas = 5
	// MaxSubscriptions bounds Config.MaxFollows and Config.MaxAreas: a
	// citizen's subscriptions are listed in one page.
	MaxSubscriptions = 1000
	// MaxAreaRadius is the largest radius of a watched area, in metres.
	MaxAreaRadius = 5000.0
	// MaxAreaBatch is the most areas Store.AreasAt returns at once.
	MaxAreaBatch = 500
	// MaxFollowerBatch is the most followers Store.Followers returns at
	// once.
	MaxFollowerBatch = 500
)

// Follow is a citizen following a report: they get its public updates.
// A me-too is a follow that also counts the citizen as having seen the
// hazard; it counts once per citizen and report, even after an unfollow.
type Follow struct {
	UserID   string    `json:"-"`
	HazardID uuid.UUID `json:"-"`
	// Ref is the report's reference number, for listing.
	Ref string `json:"ref"`
	// MeToo is set once the citizen said "me too"; it is never unset.
	MeToo bool `json:"me_too"`
	// Active is false once the citizen unfollowed: the follow stays so
	// that a me-too is never counted twice.
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate reports every problem with f as one CodeInvalid error.
func (f *Follow) Validate() error {
	var p hazard.Problems
	hazard.CheckLine(&p, "user_id", f.UserID, 1, hazard.MaxUserIDLen)
	if f.HazardID == uuid.Nil {
		p.Add("hazard_id", "is required")
	}
	hazard.CheckLine(&p, "ref", f.Ref, 1, hazard.MaxRefLen)
	if f.CreatedAt.IsZero() {
		p.Add("created_at", "is required")
	}
	return p.Err("follow")
}

// Area is a watched area: new reports within RadiusMeters of Center, or in
// District, optionally of one Category, are announced to its citizen.
type Area struct {
	ID     uuid.UUID `json:"id"`
	UserID string    `json:"-"`
	// Category, when set, keeps reports of that category only.
	Category string `json:"category,omitempty"`
	// Center and RadiusMeters describe a circle; or District names a
	// district: exactly one of the two.
	Center       *hazard.Point `json:"center,omitempty"`
	RadiusMeters float64       `json:"radius_meters,omitempty"`
	District     string        `json:"district,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`
}

// Validate reports every problem with a as one CodeInvalid error: exactly
// one of a circle (a valid center and a radius above 0 and at most
// MaxAreaRadius) and a district.
func (a *Area) Validate() error {
	var p hazard.Problems
	if a.ID == uuid.Nil {
		p.Add("id", "is required")
	}
	hazard.CheckLine(&p, "user_id", a.UserID, 1, hazard.MaxUserIDLen)
	hazard.CheckLine(&p, "category", a.Category, 0, 64)
	hazard.CheckLine(&p, "district", a.District, 0, hazard.MaxDistrictLen)
	switch {
	case a.Center == nil && a.District == "":
		p.Add("center", "a center and radius, or a district, is required")
	case a.Center != nil && a.District != "":
		p.Add("district", "is for areas without a center")
	case a.Center != nil:
		p.Merge("center", hazard.Location{Address: "-", Point: a.Center}.Validate())
		if !(a.RadiusMeters > 0) || a.RadiusMeters > MaxAreaRadius || math.IsInf(a.RadiusMeters, 0) {
			p.Add("radius", "must be above 0 and at most %g metres", MaxAreaRadius)
		}
	}
	if a.Center == nil && a.RadiusMeters != 0 {
		p.Add("radius", "is for areas with a center")
	}
	if a.CreatedAt.IsZero() {
		p.Add("created_at", "is required")
	}
	return p.Err("area")
}

// Covers reports whether the area takes in a report of category at loc:
// the category matches (or the area names none), and loc's point lies
// within the circle or loc's district is the area's.
func (a *Area) Covers(category string, loc hazard.Location) bool {
	if a.Category != "" && a.Category != category {
		return false
	}
	if a.Center != nil {
		return loc.Point != nil && a.Center.DistanceMeters(*loc.Point) <= a.RadiusMeters
	}
	return a.District != "" && a.District == loc.District
}

// Box returns the WGS-84 box around the area's circle; false for a
// district.
func (a *Area) Box() (hazard.BBox, bool) {
	if a.Center == nil {
		return hazard.BBox{}, false
	}
	return a.Center.Around(a.RadiusMeters), true
}

// Store keeps follows and watched areas. followtest.TestStore pins every
// promise below. Values are copied in and out; a Store is safe for
// concurrent use. Errors are *hazard.Error with a code.
type Store interface {
	// Follow makes f.UserID follow f.HazardID (Active), in one atomic
	// step, and returns the stored follow and whether this call set its
	// MeToo. A stored follow keeps its CreatedAt and Ref, becomes Active,
	// and gets MeToo when f.MeToo is set. meToo events are appended with
	// it only when the call sets MeToo (else they are dropped), so that a
	// citizen's me-too is counted once; they must be empty when f.MeToo is
	// not set (CodeInvalid). When the follow is not already active and the
	// user has max active follows, it is CodeConflict on the field
	// "follows" and nothing changes. An invalid follow or event is
	// CodeInvalid.
	Follow(ctx context.Context, f Follow, max int, meToo []hazard.Event) (Follow, bool, error)

	// Unfollow makes the user's follow of the hazard inactive (it stays,
	// with its MeToo); no follow is CodeNotFound. An inactive one stays so.
	Unfollow(ctx context.Context, userID string, hazardID uuid.UUID) error

	// Follows returns the user's active follows, newest first.
	Follows(ctx context.Context, userID string) ([]Follow, error)

	// Followers returns up to limit active follows of the hazard whose
	// UserID is above after ("" for the first page), in UserID order.
	// limit <= 0 or above MaxFollowerBatch means MaxFollowerBatch.
	Followers(ctx context.Context, hazardID uuid.UUID, after string, limit int) ([]Follow, error)

	// AddArea stores a, or is CodeConflict on the field "areas" when its
	// user watches max areas already, or on "id" when the ID is taken. An
	// invalid area is CodeInvalid. Nothing is stored on error.
	AddArea(ctx context.Context, a Area, max int) (Area, error)

	// RemoveArea deletes the user's area id; a missing area or another
	// user's is CodeNotFound.
	RemoveArea(ctx context.Context, userID string, id uuid.UUID) error

	// Areas returns the user's areas, oldest first.
	Areas(ctx context.Context, userID string) ([]Area, error)

	// AreasAt returns up to limit areas with ID above after (uuid.Nil for
	// the first page), in ID order, among which every area whose circle's
	// Box holds loc's point or whose district is loc's non-empty district
	// (others may come too: callers check Area.Covers). limit <= 0 or above
	// MaxAreaBatch means MaxAreaBatch.
	AreasAt(ctx context.Context, loc hazard.Location, after uuid.UUID, limit int) ([]Area, error)
}

// CheckFollow validates the arguments of Store.Follow: adapters call it
// first, so that every adapter refuses the same input.
func CheckFollow(f *Follow, max int, meToo []hazard.Event) error {
	if err := f.Validate(); err != nil {
		return err
	}
	var p hazard.Problems
	if max < 1 {
		p.Add("max", "must be at least 1")
	}
	if !f.MeToo && len(meToo) > 0 {
		p.Add("events", "are only for a me-too")
	}
	for i := range meToo {
		if err := meToo[i].Validate(); err != nil {
			p.Merge("events", err)
		}
	}
	return p.Err("follow")
}

// CheckArea validates the arguments of Store.AddArea.
func CheckArea(a *Area, max int) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if max < 1 {
		return &hazard.Error{Code: hazard.CodeInvalid, Op: "area", Field: "max", Message: "must be at least 1"}
	}
	return nil
}

// BatchLimit returns limit bounded to 1..max (0 or less means max).
func BatchLimit(limit, max int) int {
	if limit <= 0 || limit > max {
		return max
	}
	return limit
}

// CapReached returns the CodeConflict error adapters give when a user
// already has max follows (field "follows") or areas (field "areas").
func CapReached(op, field string, max int) error {
	return &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: field, Message: "at most " + strconv.Itoa(max) + " at once: remove one first"}
}
