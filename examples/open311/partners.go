package open311

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
)

// Partner is a registered partner application: a 311 app, a city portal or
// a tracker that submits reports on behalf of its users.
type Partner struct {
	// Name identifies the partner: 1 to MaxPartnerNameLen lower-case
	// letters, digits, '_' or '-'. It becomes part of its users' IDs, so it
	// must not change.
	Name string
}

// Partners authenticates api keys.
type Partners interface {
	// Partner returns the partner whose key is apiKey, or CodeForbidden
	// when there is none. It is safe for concurrent use.
	Partner(ctx context.Context, apiKey string) (Partner, error)
}

// Limits of partners.
const (
	MaxPartnerNameLen = 32
	// MinAPIKeyLen and MaxAPIKeyLen bound an api_key, in bytes.
	MinAPIKeyLen = 16
	MaxAPIKeyLen = 128
)

var (
	partnerNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
	apiKeyPattern      = regexp.MustCompile(`^[\x21-\x7e]+$`)
)

// StaticPartners is a fixed set of partners: api key to partner. Compare
// keys in constant time through Partner; do not index it directly.
type StaticPartners map[string]Partner

var _ Partners = StaticPartners(nil)

// Partner implements Partners, comparing apiKey with every key in constant
// time.
func (s StaticPartners) Partner(_ context.Context, apiKey string) (Partner, error) {
	var found Partner
	ok := 0
	for k, p := range s {
		if subtle.ConstantTimeCompare([]byte(k), []byte(apiKey)) == 1 {
			found, ok = p, 1
		}
	}
	if ok == 0 || apiKey == "" {
		return Partner{}, &hazard.Error{Code: hazard.CodeForbidden, Op: "open311 partner", Field: "api_key", Message: "unknown api_key"}
	}
	return found, nil
}

// ParsePartners reads partners from the form "name:key,name:key", as the
// example server takes them from HAZARDLOOP_OPEN311_KEYS. White space
// around entries is ignored. Names must be unique and valid (see Partner);
// keys must be MinAPIKeyLen to MaxAPIKeyLen printable ASCII characters
// without spaces, commas or colons, and unique. An empty string gives no
// partners. Errors are CodeInvalid and never repeat a key.
func ParsePartners(s string) (StaticPartners, error) {
	out := StaticPartners{}
	var p hazard.Problems
	names := map[string]bool{}
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		name, key, ok := strings.Cut(entry, ":")
		switch {
		case !ok:
			p.Add("partners", "entry %d must be name:key", i+1)
			continue
		case !partnerNamePattern.MatchString(name):
			p.Add("partners", "entry %d: the name must be 1 to %d lower-case letters, digits, '_' or '-'", i+1, MaxPartnerNameLen)
		case names[name]:
			p.Add("partners", "entry %d repeats the name %q", i+1, name)
		}
		switch {
		case len(key) < MinAPIKeyLen || len(key) > MaxAPIKeyLen || !apiKeyPattern.MatchString(key) || strings.Contains(key, ":"):
			p.Add("partners", "entry %d: the key must be %d to %d printable characters without spaces, commas or colons", i+1, MinAPIKeyLen, MaxAPIKeyLen)
		case out[key].Name != "":
			p.Add("partners", "entry %d repeats the key of another partner", i+1)
		}
		names[name] = true
		out[key] = Partner{Name: name}
	}
	if err := p.Err("parse partners"); err != nil {
		return nil, err
	}
	return out, nil
}

// Reporter is who a partner application says submitted a request: the
// person-related fields of a POST. It is private and never shown.
type Reporter struct {
	Partner   Partner
	AccountID string
	Email     string
	Phone     string
	DeviceID  string
	FirstName string
	LastName  string
}

// Accounts resolves the user a request is submitted as.
type Accounts interface {
	// Resolve returns the user (role "reporter") who submits r, creating
	// them if the integrator's user store needs it. It is called only when
	// r has at least one of AccountID, Email, Phone or DeviceID. An error
	// is returned to the client with its code.
	Resolve(ctx context.Context, r Reporter) (hazard.User, error)
}

// DerivedAccounts makes a stable pseudonymous user per partner and person,
// without a user store: the user ID is "o311:" + the partner's name + ":"
// + 32 hex digits of the SHA-256 of the first of account_id, email
// (lower-cased), phone or device_id, with its kind. The same person through
// the same partner is the same user (and shares the daily submission
// limit); their email or phone never appears in the ID. Users are not
// verified (no real-name authentication happened here).
type DerivedAccounts struct{}

var _ Accounts = DerivedAccounts{}

// Resolve implements Accounts.
func (DerivedAccounts) Resolve(_ context.Context, r Reporter) (hazard.User, error) {
	var kind, v string
	switch {
	case r.AccountID != "":
		kind, v = "account", r.AccountID
	case r.Email != "":
		kind, v = "email", strings.ToLower(r.Email)
	case r.Phone != "":
		kind, v = "phone", r.Phone
	case r.DeviceID != "":
		kind, v = "device", r.DeviceID
	default:
		return hazard.User{}, &hazard.Error{Code: hazard.CodeInvalid, Op: "open311 accounts", Field: "account_id", Message: "one of account_id, email, phone or device_id is required"}
	}
	sum := sha256.Sum256([]byte(kind + "\x00" + v))
	return hazard.User{
		ID:   "o311:" + r.Partner.Name + ":" + hex.EncodeToString(sum[:16]),
		Role: string(hazard.RoleReporter),
	}, nil
}
