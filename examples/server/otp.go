package server

import (
	"context"
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

// The rate limits of login codes per phone, applied through the server's
// hazard.Limiter (shared by every process on one database), each under its
// own key prefix.
var (
	otpResendLimit = hazard.Limit{Max: 1, Per: OTPResendInterval}
	otpHourlyLimit = hazard.Limit{Max: MaxOTPPerHour, Per: time.Hour}
)

// Key prefixes of the login code limits.
const (
	otpResendKey = "otp-resend:"
	otpHourlyKey = "otp-hourly:"
)

// loginCodes issues and checks one-time login codes per phone. Codes are
// kept only as an HMAC, expire and allow a few attempts; how often a phone
// may ask for one is the limiter's (hazard.Limiter). A code used, voided
// by wrong attempts or expired loses its HMAC at once; the record of it
// (the phone, when it expires) stays until purge removes it, its
// retention period (Retention.LoginCodes) after it expired. The rules are
// here; the record per phone lives in a codeStore, in memory or in
// PostgreSQL (so that a code one process sent is checked by any other). It
// is safe for concurrent use.
type loginCodes struct {
	key     []byte
	now     func() time.Time
	store   codeStore
	limiter hazard.Limiter
}

// otpState is what is kept of one phone's latest login code.
type otpState struct {
	// mac is the HMAC of the pending code; nil when there is none (never
	// sent, or used, voided or expired).
	mac []byte
	// expires is when the latest code expires, or expired; zero when no
	// code was sent. The record is purged its retention period after it.
	expires  time.Time
	attempts int
}

// empty reports whether the state holds nothing worth keeping: no code was
// ever sent.
func (st *otpState) empty() bool { return st.mac == nil && st.expires.IsZero() }

// codeStore keeps the login code state per phone. Implementations are safe
// for concurrent use.
type codeStore interface {
	// change calls fn with the phone's state (zero when there is none),
	// atomically with respect to other changes of the phone, and keeps the
	// state fn leaves, whatever fn returns; an empty state is removed. It
	// returns fn's error. fn does no I/O.
	change(ctx context.Context, phone string, fn func(*otpState) error) error
	// purge removes the records of codes that expired before the time
	// given, used or not, and returns how many it removed.
	purge(ctx context.Context, before time.Time) (int64, error)
}

func newLoginCodes(key []byte, now func() time.Time, store codeStore, limiter hazard.Limiter) *loginCodes {
	return &loginCodes{key: key, now: now, store: store, limiter: limiter}
}

func (l *loginCodes) mac(phone, code string) []byte {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte("otp\x00" + phone + "\x00" + code))
	return m.Sum(nil)
}

// issue makes a new code for the phone, replacing any earlier one. It is
// CodeRateLimited (with the wait) when the phone asked less than
// OTPResendInterval ago or MaxOTPPerHour times within the hour, or when
// one of the extra limits (per address, prefix, server: abuse.go) refuses.
// The phone's resend limit is taken first, so that a request it refuses
// does not count towards the others.
func (l *loginCodes) issue(ctx context.Context, phone string, extra []limitTake) (string, error) {
	takes := append([]limitTake{
		{otpResendKey + phone, otpResendLimit, fmt.Sprintf("a code was sent less than %s ago", OTPResendInterval)},
		{otpHourlyKey + phone, otpHourlyLimit, fmt.Sprintf("at most %d codes an hour", MaxOTPPerHour)},
	}, extra...)
	if err := takeAll(ctx, l.limiter, "otp", takes); err != nil {
		return "", err
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", hazard.Wrap("otp", err)
	}
	code := fmt.Sprintf("%0*d", OTPDigits, n.Int64())
	mac := l.mac(phone, code)
	expires := l.now().Add(OTPTTL)
	err = l.store.change(ctx, phone, func(st *otpState) error {
		st.mac, st.expires, st.attempts = mac, expires, 0
		return nil
	})
	if err != nil {
		return "", err
	}
	return code, nil
}

// check consumes the phone's code if code matches. A wrong code counts an
// attempt; after MaxOTPAttempts the code is void.
func (l *loginCodes) check(ctx context.Context, phone, code string) error {
	now := l.now()
	mac := l.mac(phone, code)
	return l.store.change(ctx, phone, func(st *otpState) error {
		if st.mac == nil || now.After(st.expires) {
			st.mac, st.attempts = nil, 0
			return hazard.Errorf(hazard.CodeUnauthenticated, "no valid code for this phone: ask for a new one")
		}
		if !hmac.Equal(st.mac, mac) {
			st.attempts++
			if st.attempts >= MaxOTPAttempts {
				st.mac, st.attempts = nil, 0
				return withRetryAfter(hazard.Errorf(hazard.CodeRateLimited, "too many wrong codes: ask for a new one"), OTPResendInterval)
			}
			return hazard.Errorf(hazard.CodeUnauthenticated, "the code is wrong")
		}
		st.mac, st.attempts = nil, 0
		return nil
	})
}

// purge removes the records of the codes that expired before the time
// given (now minus the retention period), used or not, and returns how
// many it removed.
func (l *loginCodes) purge(ctx context.Context, before time.Time) (int64, error) {
	return l.store.purge(ctx, before)
}

// memCodes is the in-memory codeStore.
type memCodes struct {
	mu     sync.Mutex
	phones map[string]*otpState
}

var _ codeStore = (*memCodes)(nil)

func newMemCodes() *memCodes { return &memCodes{phones: map[string]*otpState{}} }

func (m *memCodes) change(_ context.Context, phone string, fn func(*otpState) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.phones[phone]
	if st == nil {
		st = &otpState{}
	}
	err := fn(st)
	if st.empty() {
		delete(m.phones, phone)
	} else {
		m.phones[phone] = st
	}
	return err
}

func (m *memCodes) purge(_ context.Context, before time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for p, st := range m.phones {
		if st.expires.Before(before) {
			delete(m.phones, p)
			n++
		}
	}
	return n, nil
}

// forget drops the phone's pending code and resets its limits (an
// erasure), so that neither the code store nor the limiter keeps the
// phone. Anyone may ask for a code to the number again afterwards.
func (l *loginCodes) forget(ctx context.Context, phone string) error {
	if err := l.store.change(ctx, phone, func(st *otpState) error {
		st.mac, st.attempts = nil, 0
		return nil
	}); err != nil {
		return err
	}
	if r, ok := l.limiter.(hazard.LimitResetter); ok {
		return r.Reset(ctx, otpResendKey+phone, otpHourlyKey+phone)
	}
	return nil
}
