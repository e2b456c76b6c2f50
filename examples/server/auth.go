package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
)

// CodeRequest asks for a login code.
type CodeRequest struct {
	Phone string `json:"phone"`
}

// LoginRequest logs in with a phone and its code.
type LoginRequest struct {
	Phone string `json:"phone"`
	Code  string `json:"code"`
}

// DemoLoginRequest asks for a demo user's token.
type DemoLoginRequest struct {
	User string `json:"user"`
}

// VerifyRequest is a real-name verification.
type VerifyRequest struct {
	Name       string `json:"name"`
	ResidentID string `json:"resident_id"`
}

// TokenResponse answers a login.
type TokenResponse struct {
	Token     string      `json:"token"`
	ExpiresIn int64       `json:"expires_in"` // seconds
	User      accountView `json:"user"`
}

// accountView is what a user sees of their account: contact data masked.
type accountView struct {
	ID         string `json:"id"`
	Role       string `json:"role"`
	Department string `json:"department,omitempty"`
	Name       string `json:"name,omitempty"`
	Phone      string `json:"phone,omitempty"`
	ResidentID string `json:"resident_id,omitempty"`
	Verified   bool   `json:"verified"`
	// WeChat tells whether the account has a WeChat identity (logged in
	// from the mini-program).
	WeChat bool `json:"wechat"`
}

func viewAccount(a Account) accountView {
	return accountView{ID: a.ID, Role: a.Role, Department: a.Department, Name: a.Name,
		Phone: maskPhone(a.Phone), ResidentID: a.residentMasked, Verified: a.Verified, WeChat: a.openID != ""}
}

func checkPhone(p string) (string, error) {
	p = strings.TrimPrefix(strings.TrimSpace(p), "+86")
	if !phonePattern.MatchString(p) {
		return "", &hazard.Error{Code: hazard.CodeInvalid, Field: "phone", Message: "must be an 11-digit mainland mobile number"}
	}
	return p, nil
}

func (s *Server) sendCode(w http.ResponseWriter, r *http.Request, _ caller) error {
	var in CodeRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	phone, err := checkPhone(in.Phone)
	if err != nil {
		return err
	}
	code, err := s.codes.issue(r.Context(), phone, s.abuse.otpTakes(s.keyer, phone, s.clientAddr(r)))
	if err != nil {
		return err
	}
	minutes := strconv.Itoa(int(OTPTTL.Minutes()))
	to := notify.Recipient{UserID: "phone:" + maskPhone(phone), Addresses: map[notify.Channel]string{notify.ChannelSMS: phone}}
	msg := notify.Message{Template: notify.KeyOTP, Data: map[string]string{"code": code, "minutes": minutes},
		IdempotencyKey: "otp:" + s.keyer.key(phone) + ":" + strconv.FormatInt(s.now().UnixNano(), 10)}
	if err := s.loop.notifier.Notify(r.Context(), to, msg); err != nil {
		return hazard.Wrap("send code", err)
	}
	if s.demo {
		s.log.Warn("demo mode: login code (never logged outside demo mode)", "phone", maskPhone(phone), "code", code)
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"sent": true, "expires_in": int(OTPTTL.Seconds())})
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, _ caller) error {
	var in LoginRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	phone, err := checkPhone(in.Phone)
	if err != nil {
		return err
	}
	if len(in.Code) != OTPDigits {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "code", Message: "must be " + strconv.Itoa(OTPDigits) + " digits"}
	}
	if err := s.codes.check(r.Context(), phone, in.Code); err != nil {
		return err
	}
	a, err := s.users.citizen(r.Context(), phone, s.now())
	if err != nil {
		return err
	}
	s.writeToken(w, a)
	return nil
}

func (s *Server) writeToken(w http.ResponseWriter, a Account) {
	writeJSON(w, http.StatusOK, TokenResponse{Token: s.tokens.issue(a.ID),
		ExpiresIn: int64(s.cfg.TokenTTL.Seconds()), User: viewAccount(a)})
}

func (s *Server) demoLogin(w http.ResponseWriter, r *http.Request, _ caller) error {
	var in DemoLoginRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	// Only the seeded demo accounts, never another stored account (a
	// citizen who logged in by phone on a shared database).
	if !isDemoUser(in.User) {
		return &hazard.Error{Code: hazard.CodeNotFound, Field: "user", Message: "no such demo user"}
	}
	a, err := s.users.get(r.Context(), in.User)
	if err != nil {
		return &hazard.Error{Code: hazard.CodeNotFound, Field: "user", Message: "no such demo user"}
	}
	s.writeToken(w, a)
	return nil
}

func (s *Server) me(w http.ResponseWriter, _ *http.Request, c caller) error {
	writeJSON(w, http.StatusOK, viewAccount(c.acct))
	return nil
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request, c caller) error {
	var in VerifyRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	v, err := checkVerification(in.Name, in.ResidentID, s.now())
	if err != nil {
		return err // a malformed number is no guess: it takes nothing
	}
	if err := takeAll(r.Context(), s.limiter, "verify", s.abuse.verifyTakes(s.keyer, c.acct.ID, s.clientAddr(r))); err != nil {
		return err
	}
	a, err := s.users.verify(r.Context(), c.acct.ID, v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAccount(a))
	return nil
}
