package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
)

// Limits of accounts.
const (
	MaxNameLen = 64 // runes of a real name
)

// phonePattern matches a mainland mobile number.
var phonePattern = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// Account is a user of the server: a citizen (role reporter) or staff.
type Account struct {
	ID         string `json:"id"`
	Role       string `json:"role"`
	Department string `json:"department,omitempty"`
	// Unit is the unit (enterprise) an account of role enterprise works
	// for: its scope is the hazards found there.
	Unit       string    `json:"unit,omitempty"`
	Name       string    `json:"name,omitempty"`
	Phone      string    `json:"phone,omitempty"`
	Verified   bool      `json:"verified"`
	VerifiedAt time.Time `json:"verified_at,omitzero"`
	// residentHash is the SHA-256 of the resident ID number: enough to keep
	// one account per person without keeping the number in the clear.
	residentHash string
	// residentMasked is the number with all but its ends masked.
	residentMasked string
	// openID and unionID are the citizen's WeChat identity (the openid
	// under the mini-program's app ID, the unionid when WeChat gives one),
	// each bound to one account: how the citizen logs in through WeChat,
	// receives subscribe messages and is paid by WeChat Pay.
	openID, unionID string
	CreatedAt       time.Time `json:"created_at"`
}

// User returns the acting user the library's use cases take.
func (a Account) User() hazard.User {
	return hazard.User{ID: a.ID, Role: a.Role, Department: a.Department, UnitID: a.Unit, Verified: a.Verified}
}

// needsPhone reports whether the account is a citizen without a phone
// number (a WeChat login not yet bound to one), who may not file anything
// yet (Route.Phone).
func (a Account) needsPhone() bool { return a.Role == string(hazard.RoleReporter) && a.Phone == "" }

// Staff reports whether the account is a staff account (hazard.User.Staff).
func (a Account) Staff() bool { return a.User().Staff() }

// userStore keeps the accounts. The server uses memUsers, or pgUsers over
// PostgreSQL so that every process knows every account. Implementations
// are safe for concurrent use.
type userStore interface {
	// add stores a new account; a taken ID, phone or resident ID is
	// CodeConflict.
	add(ctx context.Context, a Account) error
	// get returns the account with the ID, or CodeNotFound.
	get(ctx context.Context, id string) (Account, error)
	// citizen returns the citizen with the phone, creating the account (a
	// new ID, newCitizenID) on first login.
	citizen(ctx context.Context, phone string, now time.Time) (Account, error)
	// verify records v on the account: see applyVerification. A resident
	// ID bound to another account is CodeConflict (field resident_id).
	verify(ctx context.Context, id string, v verification) (Account, error)
	// withRole returns the accounts with q's role (and department and
	// unit, when not empty), sorted by ID.
	withRole(ctx context.Context, q notify.UserQuery) ([]Account, error)
	// countCitizens returns the number of citizens.
	countCitizens(ctx context.Context) (int, error)
	// wechat returns the account of a WeChat identity: the account with
	// its unionid (given the openid if it had none), else the one with
	// its openid, else a new citizen account (a new ID, newCitizenID)
	// without a phone.
	wechat(ctx context.Context, id wxIdentity, now time.Time) (Account, error)
	// bindPhone binds a phone to the citizen id (see linkPhone): it
	// returns the account the person has now, which is another account
	// when the phone was already that account's.
	bindPhone(ctx context.Context, id, phone string) (Account, error)
	// remove deletes the account with the ID, with its phone, resident ID
	// hash and WeChat identity (an erasure); a missing account is no
	// error.
	remove(ctx context.Context, id string) error
}

// wxIdentity is who WeChat says a mini-program user is.
type wxIdentity struct {
	openID, unionID string
}

// linkPhone decides what binding phone to the account a does, owner being
// the account that has the phone already, if any: one person has one
// account, so when the phone is another citizen's, a's WeChat identity
// moves to that account (keep) and a keeps nothing of it (retired), so
// that rewards, the first-reporter rule and the daily limits stay on one
// account. Only a citizen binds a phone (CodeForbidden); an account with
// another phone, or a phone whose account has another WeChat identity or
// is staff, is CodeConflict. retired is nil when a is kept.
func linkPhone(a Account, owner *Account, phone string) (keep Account, retired *Account, err error) {
	if a.Role != string(hazard.RoleReporter) {
		return Account{}, nil, hazard.Errorf(hazard.CodeForbidden, "only citizens bind a phone number")
	}
	switch {
	case a.Phone == phone:
		return a, nil, nil
	case a.Phone != "":
		return Account{}, nil, &hazard.Error{Code: hazard.CodeConflict, Field: "phone", Message: "the account has another phone number"}
	case owner == nil || owner.ID == a.ID:
		a.Phone = phone
		return a, nil, nil
	case owner.Role != string(hazard.RoleReporter):
		return Account{}, nil, &hazard.Error{Code: hazard.CodeConflict, Field: "phone", Message: "the phone number belongs to a staff account"}
	case owner.openID != "" && owner.openID != a.openID:
		return Account{}, nil, &hazard.Error{Code: hazard.CodeConflict, Field: "phone", Message: "the phone number is bound to another WeChat user"}
	}
	keep = *owner
	keep.openID = a.openID
	if keep.unionID == "" {
		keep.unionID = a.unionID
	}
	a.openID, a.unionID = "", ""
	return keep, &a, nil
}

// newCitizenID returns the ID of a new citizen account: "citizen-" and 64
// random bits (prefix "citizen-w" for an account made by a WeChat login).
// Nothing derives it from the phone or the WeChat identity, so that an ID
// never leads back to a person and an account made again after an erasure
// is a new one: tokens of the erased account name an ID no account has.
// Of two processes making one person's account at once, one stores it and
// both read it back by the phone or openid (the stores' unique keys).
func newCitizenID(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Prefixes of citizens' IDs (newCitizenID).
const (
	phoneCitizenPrefix  = "citizen-"
	wechatCitizenPrefix = "citizen-w"
)

// verification is a checked real-name verification.
type verification struct {
	name, residentHash, residentMasked string
	at                                 time.Time
}

// checkVerification checks a real name and resident ID number
// (CodeInvalid with the fields at fault) and returns what is kept of them.
func checkVerification(name, residentID string, now time.Time) (verification, error) {
	var p hazard.Problems
	name = strings.TrimSpace(name)
	switch n := utf8.RuneCountInString(name); {
	case !utf8.ValidString(name) || n == 0:
		p.Add("name", "is required")
	case n > MaxNameLen:
		p.Add("name", "is longer than %d characters", MaxNameLen)
	case strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }):
		p.Add("name", "contains control characters")
	}
	residentID = strings.ToUpper(strings.TrimSpace(residentID))
	p.Merge("", CheckResidentID(residentID, now))
	if err := p.Err("verify"); err != nil {
		return verification{}, err
	}
	sum := sha256.Sum256([]byte(residentID))
	return verification{name: name, residentHash: hex.EncodeToString(sum[:]),
		residentMasked: maskResidentID(residentID), at: now}, nil
}

// applyVerification returns a verified with v: staff are verified by
// their organisation (CodeForbidden), and an account verified with another
// number stays so (CodeConflict). Verifying again with the same number
// updates the name.
func applyVerification(a Account, v verification) (Account, error) {
	if a.Role != string(hazard.RoleReporter) {
		return Account{}, hazard.Errorf(hazard.CodeForbidden, "staff and unit accounts are verified by their organisation")
	}
	if a.residentHash != "" && a.residentHash != v.residentHash {
		return Account{}, &hazard.Error{Code: hazard.CodeConflict, Field: "resident_id", Message: "the account is already verified with another ID number"}
	}
	a.Name, a.Verified, a.VerifiedAt = v.name, true, v.at
	a.residentHash, a.residentMasked = v.residentHash, v.residentMasked
	return a, nil
}

// errResidentTaken is the conflict of a resident ID bound to another
// account.
func errResidentTaken() error {
	return &hazard.Error{Code: hazard.CodeConflict, Field: "resident_id", Message: "the ID number is bound to another account"}
}

// memUsers is the in-memory user store: accounts by ID and citizens by
// phone. It is safe for concurrent use.
type memUsers struct {
	mu       sync.RWMutex
	byID     map[string]Account
	byPhone  map[string]string
	resident map[string]string // resident ID hash -> account ID
	byOpenID map[string]string
	byUnion  map[string]string
}

var _ userStore = (*memUsers)(nil)

func newMemUsers() *memUsers {
	return &memUsers{byID: map[string]Account{}, byPhone: map[string]string{}, resident: map[string]string{},
		byOpenID: map[string]string{}, byUnion: map[string]string{}}
}

func (u *memUsers) add(_ context.Context, a Account) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, ok := u.byID[a.ID]; ok {
		return hazard.Errorf(hazard.CodeConflict, "user %s already exists", a.ID)
	}
	if _, ok := u.byPhone[a.Phone]; ok && a.Phone != "" {
		return hazard.Errorf(hazard.CodeConflict, "the phone number is taken")
	}
	if _, ok := u.resident[a.residentHash]; ok && a.residentHash != "" {
		return errResidentTaken()
	}
	if _, ok := u.byOpenID[a.openID]; ok && a.openID != "" {
		return hazard.Errorf(hazard.CodeConflict, "the WeChat user is taken")
	}
	if a.Phone != "" {
		u.byPhone[a.Phone] = a.ID
	}
	u.index(a)
	if a.residentHash != "" {
		u.resident[a.residentHash] = a.ID
	}
	u.byID[a.ID] = a
	return nil
}

func (u *memUsers) get(_ context.Context, id string) (Account, error) {
	u.mu.RLock()
	defer u.mu.RUnlock()
	a, ok := u.byID[id]
	if !ok {
		return Account{}, hazard.Errorf(hazard.CodeNotFound, "no such user")
	}
	return a, nil
}

func (u *memUsers) citizen(_ context.Context, phone string, now time.Time) (Account, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if id, ok := u.byPhone[phone]; ok {
		return u.byID[id], nil
	}
	for {
		id := newCitizenID(phoneCitizenPrefix)
		if _, taken := u.byID[id]; taken {
			continue
		}
		a := Account{ID: id, Role: string(hazard.RoleReporter), Phone: phone, CreatedAt: now}
		u.byID[id] = a
		u.byPhone[phone] = id
		return a, nil
	}
}

func (u *memUsers) verify(_ context.Context, id string, v verification) (Account, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	a, ok := u.byID[id]
	if !ok {
		return Account{}, hazard.Errorf(hazard.CodeNotFound, "no such user")
	}
	if other, ok := u.resident[v.residentHash]; ok && other != id {
		return Account{}, errResidentTaken()
	}
	a, err := applyVerification(a, v)
	if err != nil {
		return Account{}, err
	}
	u.byID[id] = a
	u.resident[v.residentHash] = id
	return a, nil
}

func (u *memUsers) withRole(_ context.Context, q notify.UserQuery) ([]Account, error) {
	u.mu.RLock()
	defer u.mu.RUnlock()
	var out []Account
	for _, a := range u.byID {
		if a.Role == q.Role && (q.Department == "" || a.Department == q.Department) && (q.Unit == "" || a.Unit == q.Unit) {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// index records a's WeChat identity.
func (u *memUsers) index(a Account) {
	if a.openID != "" {
		u.byOpenID[a.openID] = a.ID
	}
	if a.unionID != "" {
		u.byUnion[a.unionID] = a.ID
	}
}

func (u *memUsers) wechat(_ context.Context, w wxIdentity, now time.Time) (Account, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if id, ok := u.byUnion[w.unionID]; ok && w.unionID != "" {
		a := u.byID[id]
		if a.openID == "" {
			if _, taken := u.byOpenID[w.openID]; !taken {
				a.openID = w.openID
				u.byID[id] = a
				u.index(a)
			}
		}
		return a, nil
	}
	if id, ok := u.byOpenID[w.openID]; ok {
		a := u.byID[id]
		if a.unionID == "" && w.unionID != "" {
			a.unionID = w.unionID
			u.byID[id] = a
			u.index(a)
		}
		return a, nil
	}
	for {
		id := newCitizenID(wechatCitizenPrefix)
		if _, taken := u.byID[id]; taken {
			continue
		}
		a := Account{ID: id, Role: string(hazard.RoleReporter), openID: w.openID, unionID: w.unionID, CreatedAt: now}
		u.byID[id] = a
		u.index(a)
		return a, nil
	}
}

func (u *memUsers) bindPhone(_ context.Context, id, phone string) (Account, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	a, ok := u.byID[id]
	if !ok {
		return Account{}, hazard.Errorf(hazard.CodeNotFound, "no such user")
	}
	var owner *Account
	if oid, ok := u.byPhone[phone]; ok {
		o := u.byID[oid]
		owner = &o
	}
	keep, retired, err := linkPhone(a, owner, phone)
	if err != nil {
		return Account{}, err
	}
	if retired != nil {
		u.byID[retired.ID] = *retired
	}
	u.byID[keep.ID] = keep
	u.byPhone[phone] = keep.ID
	u.index(keep)
	return keep, nil
}

func (u *memUsers) remove(_ context.Context, id string) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	a, ok := u.byID[id]
	if !ok {
		return nil
	}
	for _, idx := range []struct {
		m map[string]string
		k string
	}{{u.byPhone, a.Phone}, {u.resident, a.residentHash}, {u.byOpenID, a.openID}, {u.byUnion, a.unionID}} {
		if idx.k != "" && idx.m[idx.k] == id {
			delete(idx.m, idx.k)
		}
	}
	delete(u.byID, id)
	return nil
}

func (u *memUsers) countCitizens(_ context.Context) (int, error) {
	u.mu.RLock()
	defer u.mu.RUnlock()
	n := 0
	for _, a := range u.byID {
		if a.Role == string(hazard.RoleReporter) {
			n++
		}
	}
	return n, nil
}

// maskPhone keeps the first three and last four digits of a phone number.
func maskPhone(p string) string {
	if len(p) != 11 {
		return ""
	}
	return p[:3] + "****" + p[7:]
}
