package server

import (
	"context"
	"net/http"

	"github.com/hazardloop/hazardloop/hazard"
)

// WeChatLoginRequest logs in with the code of wx.login.
type WeChatLoginRequest struct {
	Code string `json:"code"`
}

// WeChatPhoneRequest binds the phone number behind the code of the
// getPhoneNumber button.
type WeChatPhoneRequest struct {
	Code string `json:"code"`
}

func (s *Server) wechatLogin(w http.ResponseWriter, r *http.Request, _ caller) error {
	var in WeChatLoginRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.loginWeChat(r.Context(), in.Code)
	if err != nil {
		return err
	}
	s.writeToken(w, a)
	return nil
}

func (s *Server) wechatPhone(w http.ResponseWriter, r *http.Request, c caller) error {
	var in WeChatPhoneRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.bindWeChatPhone(r.Context(), c.acct.ID, in.Code)
	if err != nil {
		return err
	}
	s.writeToken(w, a)
	return nil
}

// errNoWeChat answers the WeChat routes of a server without WeChat
// settings.
func errNoWeChat() error {
	return hazard.Errorf(hazard.CodeNotFound, "WeChat login is not configured")
}

// loginWeChat logs a mini-program user in: code2Session gives the WeChat
// identity, whose account is found or made (the session key is dropped).
func (s *Server) loginWeChat(ctx context.Context, code string) (Account, error) {
	if s.wx == nil {
		return Account{}, errNoWeChat()
	}
	id, err := s.wx.session(ctx, code)
	if err != nil {
		return Account{}, err
	}
	return s.users.wechat(ctx, id, s.now())
}

// bindWeChatPhone binds the phone number WeChat gives for code to the
// citizen's account, or links the citizen's WeChat identity to the
// account that has the phone already (one person, one account), and
// returns the account the citizen now uses.
func (s *Server) bindWeChatPhone(ctx context.Context, userID, code string) (Account, error) {
	if s.wx == nil {
		return Account{}, errNoWeChat()
	}
	phone, err := s.wx.phone(ctx, code)
	if err != nil {
		return Account{}, err
	}
	return s.users.bindPhone(ctx, userID, phone)
}
