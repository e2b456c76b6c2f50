package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Default limits against abuse of login codes (SMS pumping against a paid
// gateway, growth of the code store) and of real-name verification
// (guessing resident ID numbers), per hour, beside the per-phone limits of
// otp.go. They are the defaults of AbuseLimits and are taken from the
// server's hazard.Limiter, so that every process on one database shares
// them; each refusal says how long to wait (Retry-After).
const (
	// DefaultOTPPerAddrPerHour is how many login codes one network address
	// (an IPv4 address, an IPv6 /64) may ask for in an hour.
	DefaultOTPPerAddrPerHour = 20
	// DefaultOTPPerPrefixPerHour is how many login codes the phones of one
	// prefix (its first OTPPrefixDigits digits: one number block) may be
	// sent in an hour.
	DefaultOTPPerPrefixPerHour = 30
	// DefaultOTPPerHour is how many login codes the whole server sends in
	// an hour, the bound of the gateway's bill (hazard.MaxLimitMax at most).
	DefaultOTPPerHour = 1000
	// DefaultVerifyPerUserPerHour is how many real-name verifications one
	// user may try in an hour.
	DefaultVerifyPerUserPerHour = 5
	// DefaultVerifyPerAddrPerHour is how many real-name verifications one
	// network address may try in an hour.
	DefaultVerifyPerAddrPerHour = 20
	// OTPPrefixDigits is the length of the phone prefix a limit counts by.
	OTPPrefixDigits = 7
)

// AbuseLimits are the hourly limits of login codes and verifications; a
// zero field means its default (DefaultOTPPerAddrPerHour and so on). Each
// is 1 to hazard.MaxLimitMax.
type AbuseLimits struct {
	OTPPerAddrPerHour    int
	OTPPerPrefixPerHour  int
	OTPPerHour           int
	VerifyPerUserPerHour int
	VerifyPerAddrPerHour int
}

// withDefaults fills zero fields with the defaults and checks the bounds.
func (a AbuseLimits) withDefaults() (AbuseLimits, error) {
	var p hazard.Problems
	for _, f := range []struct {
		v    *int
		def  int
		name string
	}{
		{&a.OTPPerAddrPerHour, DefaultOTPPerAddrPerHour, "otp_per_addr_per_hour"},
		{&a.OTPPerPrefixPerHour, DefaultOTPPerPrefixPerHour, "otp_per_prefix_per_hour"},
		{&a.OTPPerHour, DefaultOTPPerHour, "otp_per_hour"},
		{&a.VerifyPerUserPerHour, DefaultVerifyPerUserPerHour, "verify_per_user_per_hour"},
		{&a.VerifyPerAddrPerHour, DefaultVerifyPerAddrPerHour, "verify_per_addr_per_hour"},
	} {
		if *f.v == 0 {
			*f.v = f.def
		}
		if *f.v < 1 || *f.v > hazard.MaxLimitMax {
			p.Add(f.name, "must be 1 to %d", hazard.MaxLimitMax)
		}
	}
	return a, p.Err("abuse limits")
}

// Key prefixes of the abuse limits.
const (
	otpAddrKey    = "otp-addr:"
	otpPrefixKey  = "otp-prefix:"
	otpTotalKey   = "otp-total"
	verifyUserKey = "verify-user:"
	verifyAddrKey = "verify-addr:"
)

// limitTake is one limit to take a unit of.
type limitTake struct {
	key  string
	rule hazard.Limit
	msg  string
}

// takeAll takes one unit of each limit in order and stops at the first
// refusal, which is CodeRateLimited with its real wait
// (hazard.Error.RetryAfter); the units taken before it stay taken.
func takeAll(ctx context.Context, l hazard.Limiter, op string, takes []limitTake) error {
	for _, t := range takes {
		d, err := l.Take(ctx, t.key, t.rule, 1)
		if err != nil {
			return hazard.Wrap(op, err)
		}
		if err := d.Err(op, t.msg); err != nil {
			return err
		}
	}
	return nil
}

// perHour is a limit of n an hour.
func perHour(n int) hazard.Limit { return hazard.Limit{Max: n, Per: time.Hour} }

// otpTakes are the limits of sending a login code to phone for a client at
// addr, beyond the phone's own (otp.go).
func (a AbuseLimits) otpTakes(keyer *keyer, phone, addr string) []limitTake {
	prefix := phone
	if len(prefix) > OTPPrefixDigits {
		prefix = prefix[:OTPPrefixDigits]
	}
	return []limitTake{
		{otpAddrKey + keyer.key(addr), perHour(a.OTPPerAddrPerHour), fmt.Sprintf("at most %d codes an hour from one network address", a.OTPPerAddrPerHour)},
		{otpPrefixKey + keyer.key(prefix), perHour(a.OTPPerPrefixPerHour), fmt.Sprintf("at most %d codes an hour to numbers starting alike", a.OTPPerPrefixPerHour)},
		{otpTotalKey, perHour(a.OTPPerHour), "the server sends no more codes this hour"},
	}
}

// verifyTakes are the limits of a real-name verification by user from addr.
func (a AbuseLimits) verifyTakes(keyer *keyer, userID, addr string) []limitTake {
	return []limitTake{
		{verifyUserKey + keyer.key(userID), perHour(a.VerifyPerUserPerHour), fmt.Sprintf("at most %d verifications an hour", a.VerifyPerUserPerHour)},
		{verifyAddrKey + keyer.key(addr), perHour(a.VerifyPerAddrPerHour), fmt.Sprintf("at most %d verifications an hour from one network address", a.VerifyPerAddrPerHour)},
	}
}

// keyer turns personal data (a phone, an address) into a limiter key that
// does not carry it: a keyed hash, so that the limiter's table holds no
// phone number.
type keyer struct{ secret []byte }

func (k *keyer) key(s string) string {
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte("limit\x00" + s))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// clientAddr is the network address a request comes from, as a limit
// counts it: the peer's IP, or with Config.TrustProxy the last address of
// X-Forwarded-For (the one the proxy saw); an IPv6 address counts by its
// /64, which one subscriber usually holds whole.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if s.cfg.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if v := strings.TrimSpace(last); v != "" {
				host = v
			}
		}
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.String()
		}
	}
	return ip.String()
}

// overHTTPS reports whether the client reached the server over HTTPS:
// directly (TLS), or with Config.TrustProxy through a proxy that says so
// with X-Forwarded-Proto: https.
func (s *Server) overHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return s.cfg.TrustProxy && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}
