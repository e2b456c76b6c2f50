package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Limits of one-time login codes.
const (
	// OTPDigits is the length of a login code.
	OTPDigits = 6
	// OTPTTL is how long a login code is valid.
	OTPTTL = 5 * time.Minute
	// MaxOTPAttempts is how many wrong codes a phone may try before its code
	// is void and a new one must be asked for.
	MaxOTPAttempts = 5
	// OTPResendInterval is the least time between two codes for one phone.
	OTPResendInterval = time.Minute
	// MaxOTPPerHour is the most codes one phone may ask for in an hour.
	MaxOTPPerHour = 5
)

// loginCodes issues and checks one-time login codes per phone. Codes are
// kept only as an HMAC, expire, allow a few attempts and are rate-limited
// per phone. It is safe for concurrent use.
type loginCodes struct {
	key []byte
	now func() time.Time

	mu      sync.Mutex
	pending map[string]*otpEntry
	sent    map[string][]time.Time // per phone, within the last hour
}

type otpEntry struct {
	mac      []byte
	expires  time.Time
	attempts int
}

func newLoginCodes(key []byte, now func() time.Time) *loginCodes {
	return &loginCodes{key: key, now: now, pending: map[string]*otpEntry{}, sent: map[string][]time.Time{}}
}

func (l *loginCodes) mac(phone, code string) []byte {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte("otp\x00" + phone + "\x00" + code))
	return m.Sum(nil)
}

// issue makes a new code for the phone, replacing any earlier one. It is
// CodeRateLimited (with the wait) when the phone asked too recently or too
// often.
func (l *loginCodes) issue(phone string) (string, error) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.sent[phone][:0]
	for _, t := range l.sent[phone] {
		if now.Sub(t) < time.Hour {
			recent = append(recent, t)
		}
	}
	l.sent[phone] = recent
	if n := len(recent); n > 0 {
		if wait := OTPResendInterval - now.Sub(recent[n-1]); wait > 0 {
			return "", withRetryAfter(hazard.Errorf(hazard.CodeRateLimited, "a code was sent less than %s ago", OTPResendInterval), wait)
		}
		if n >= MaxOTPPerHour {
			return "", withRetryAfter(hazard.Errorf(hazard.CodeRateLimited, "at most %d codes an hour", MaxOTPPerHour), time.Hour-now.Sub(recent[0]))
		}
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", hazard.Wrap("otp", err)
	}
	code := fmt.Sprintf("%0*d", OTPDigits, n.Int64())
	l.pending[phone] = &otpEntry{mac: l.mac(phone, code), expires: now.Add(OTPTTL)}
	l.sent[phone] = append(l.sent[phone], now)
	return code, nil
}

// check consumes the phone's code if code matches. A wrong code counts an
// attempt; after MaxOTPAttempts the code is void.
func (l *loginCodes) check(phone, code string) error {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.pending[phone]
	if !ok || now.After(e.expires) {
		delete(l.pending, phone)
		return hazard.Errorf(hazard.CodeUnauthenticated, "no valid code for this phone: ask for a new one")
	}
	if !hmac.Equal(e.mac, l.mac(phone, code)) {
		e.attempts++
		if e.attempts >= MaxOTPAttempts {
			delete(l.pending, phone)
			return withRetryAfter(hazard.Errorf(hazard.CodeRateLimited, "too many wrong codes: ask for a new one"), OTPResendInterval)
		}
		return hazard.Errorf(hazard.CodeUnauthenticated, "the code is wrong")
	}
	delete(l.pending, phone)
	return nil
}

// sweep forgets expired codes and old send times.
func (l *loginCodes) sweep() {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for p, e := range l.pending {
		if now.After(e.expires) {
			delete(l.pending, p)
		}
	}
	for p, ts := range l.sent {
		if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= time.Hour {
			delete(l.sent, p)
		}
	}
}
