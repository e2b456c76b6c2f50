package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/workflow"
)

// Limits of accounts.
const (
	MaxNameLen = 64 // runes of a real name
)

// phonePattern matches a mainland mobile number.
var phonePattern = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// Account is a user of the server: a citizen (role reporter) or staff.
type Account struct {
	ID         string    `json:"id"`
	Role       string    `json:"role"`
	Department string    `json:"department,omitempty"`
	Name       string    `json:"name,omitempty"`
	Phone      string    `json:"phone,omitempty"`
	Verified   bool      `json:"verified"`
	VerifiedAt time.Time `json:"verified_at,omitzero"`
	// residentHash is the SHA-256 of the resident ID number: enough to keep
	// one account per person without keeping the number in the clear.
	residentHash string
	// residentMasked is the number with all but its ends masked.
	residentMasked string
	CreatedAt      time.Time `json:"created_at"`
}

// User returns the acting user the library's use cases take.
func (a Account) User() hazard.User {
	return hazard.User{ID: a.ID, Role: a.Role, Department: a.Department, Verified: a.Verified}
}

// Staff reports whether the account is a staff account.
func (a Account) Staff() bool { return a.Role != string(workflow.RoleReporter) }

// users is the in-memory user store: accounts by ID and citizens by phone.
// It is safe for concurrent use.
type users struct {
	mu       sync.RWMutex
	byID     map[string]Account
	byPhone  map[string]string
	resident map[string]string // resident ID hash -> account ID
	next     int
	// idKey derives a citizen's ID from their phone number, so that every
	// process sharing the token secret gives one phone the same ID and two
	// phones different IDs: a token then never names another person on
	// another process.
	idKey []byte
}

func newUsers(idKey []byte) *users {
	return &users{byID: map[string]Account{}, byPhone: map[string]string{}, resident: map[string]string{}, idKey: idKey}
}

// citizenID is the ID a citizen logging in with the phone gets.
func (u *users) citizenID(phone string) string {
	m := hmac.New(sha256.New, u.idKey)
	m.Write([]byte("citizen-id\x00" + phone))
	return "citizen-" + hex.EncodeToString(m.Sum(nil))[:16]
}

// add stores a new account; a taken ID or phone is CodeConflict.
func (u *users) add(a Account) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, ok := u.byID[a.ID]; ok {
		return hazard.Errorf(hazard.CodeConflict, "user %s already exists", a.ID)
	}
	if a.Phone != "" {
		if _, ok := u.byPhone[a.Phone]; ok {
			return hazard.Errorf(hazard.CodeConflict, "the phone number is taken")
		}
		u.byPhone[a.Phone] = a.ID
	}
	if a.residentHash != "" {
		u.resident[a.residentHash] = a.ID
	}
	u.byID[a.ID] = a
	return nil
}

// get returns the account with the ID, or CodeNotFound.
func (u *users) get(id string) (Account, error) {
	u.mu.RLock()
	defer u.mu.RUnlock()
	a, ok := u.byID[id]
	if !ok {
		return Account{}, hazard.Errorf(hazard.CodeNotFound, "no such user")
	}
	return a, nil
}

// citizen returns the citizen with the phone, creating the account on first
// login.
func (u *users) citizen(phone string, now time.Time) Account {
	u.mu.Lock()
	defer u.mu.Unlock()
	if id, ok := u.byPhone[phone]; ok {
		return u.byID[id]
	}
	for id := u.citizenID(phone); ; id = fmt.Sprintf("citizen-p%d", u.next) {
		u.next++
		if _, taken := u.byID[id]; taken {
			continue
		}
		a := Account{ID: id, Role: string(workflow.RoleReporter), Phone: phone, CreatedAt: now}
		u.byID[id] = a
		u.byPhone[phone] = id
		return a
	}
}

// verify records the real name and resident ID of a citizen. A number
// already used by another account is CodeConflict.
func (u *users) verify(id, name, residentID string, now time.Time) (Account, error) {
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
		return Account{}, err
	}
	sum := sha256.Sum256([]byte(residentID))
	h := hex.EncodeToString(sum[:])
	u.mu.Lock()
	defer u.mu.Unlock()
	a, ok := u.byID[id]
	if !ok {
		return Account{}, hazard.Errorf(hazard.CodeNotFound, "no such user")
	}
	if a.Staff() {
		return Account{}, hazard.Errorf(hazard.CodeForbidden, "staff accounts are verified by their organisation")
	}
	if other, ok := u.resident[h]; ok && other != id {
		return Account{}, &hazard.Error{Code: hazard.CodeConflict, Field: "resident_id", Message: "the ID number is bound to another account"}
	}
	if a.residentHash != "" && a.residentHash != h {
		return Account{}, &hazard.Error{Code: hazard.CodeConflict, Field: "resident_id", Message: "the account is already verified with another ID number"}
	}
	a.Name, a.Verified, a.VerifiedAt = name, true, now
	a.residentHash, a.residentMasked = h, maskResidentID(residentID)
	u.byID[id] = a
	u.resident[h] = id
	return a, nil
}

// withRole returns the accounts with the role (and department, when not
// empty), sorted by ID.
func (u *users) withRole(role, department string) []Account {
	u.mu.RLock()
	defer u.mu.RUnlock()
	var out []Account
	for _, a := range u.byID {
		if a.Role == role && (department == "" || a.Department == department) {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// count returns the number of citizens and of staff.
func (u *users) count() (citizens, staff int) {
	u.mu.RLock()
	defer u.mu.RUnlock()
	for _, a := range u.byID {
		if a.Staff() {
			staff++
		} else {
			citizens++
		}
	}
	return citizens, staff
}

// maskPhone keeps the first three and last four digits of a phone number.
func maskPhone(p string) string {
	if len(p) != 11 {
		return ""
	}
	return p[:3] + "****" + p[7:]
}
