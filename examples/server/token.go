package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Token limits.
const (
	// DefaultTokenTTL is how long a bearer token is valid.
	DefaultTokenTTL = 24 * time.Hour
	// MinTokenSecretLen is the shortest token secret accepted, in bytes.
	MinTokenSecretLen = 32
	// maxTokenLen bounds the Authorization header worth parsing.
	maxTokenLen = 512
	// maxCheckedTokens bounds the tokens whose check is remembered; when
	// it is reached the memory starts afresh.
	maxCheckedTokens = 10_000
)

// tokens signs and checks bearer tokens: base64url(JSON {sub, exp}) "."
// base64url(HMAC-SHA256). A token carries the user ID only; roles are read
// from the user store on each request.
type tokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time

	// checked remembers the claims of tokens whose signature was
	// verified (token: claims), so that a client's next request skips
	// the HMAC and the JSON; the expiry is still checked every time.
	// Tokens are never revoked, so a remembered check stays true.
	checked  sync.Map
	nchecked atomic.Int64
}

type claims struct {
	Sub string `json:"sub"`
	Exp int64  `json:"exp"`
}

var b64 = base64.RawURLEncoding

// issue returns a token for the user ID, valid for the TTL.
func (t *tokens) issue(userID string) string {
	body, _ := json.Marshal(claims{Sub: userID, Exp: t.now().Add(t.ttl).Unix()})
	p := b64.EncodeToString(body)
	return p + "." + b64.EncodeToString(t.mac(p))
}

func (t *tokens) mac(payload string) []byte {
	m := hmac.New(sha256.New, t.secret)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// errBadToken is the one answer to a token that is malformed, forged or
// expired: the caller learns nothing about which.
func errBadToken() error {
	return hazard.Errorf(hazard.CodeUnauthenticated, "the bearer token is invalid or expired")
}

// check returns the user ID of a valid, unexpired token.
func (t *tokens) check(tok string) (string, error) {
	if v, ok := t.checked.Load(tok); ok {
		c := v.(claims)
		if t.now().Unix() >= c.Exp {
			return "", errBadToken()
		}
		return c.Sub, nil
	}
	if len(tok) > maxTokenLen {
		return "", errBadToken()
	}
	p, sig, ok := strings.Cut(tok, ".")
	if !ok {
		return "", errBadToken()
	}
	got, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, t.mac(p)) {
		return "", errBadToken()
	}
	body, err := b64.DecodeString(p)
	if err != nil {
		return "", errBadToken()
	}
	var c claims
	if err := json.Unmarshal(body, &c); err != nil || c.Sub == "" || t.now().Unix() >= c.Exp {
		return "", errBadToken()
	}
	if t.nchecked.Add(1) > maxCheckedTokens {
		t.checked.Clear()
		t.nchecked.Store(1)
	}
	t.checked.Store(tok, c)
	return c.Sub, nil
}
