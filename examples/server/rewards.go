package server

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
)

// RewardView is a reward as its reporter sees it.
type RewardView struct {
	reward.Reward
	// StatusLabel is the status in Chinese, e.g. 待领.
	StatusLabel string `json:"status_label"`
}

func (s *Server) myRewards(w http.ResponseWriter, r *http.Request, c caller) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	status := reward.Status(r.URL.Query().Get("status"))
	if status != "" && !status.Valid() {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "status", Message: "must be pending, claiming, claimed, expired or failed"}
	}
	l, err := s.loop.rewards.svc.Mine(r.Context(), c.user(), status, p)
	if err != nil {
		return err
	}
	out := ListResponse[RewardView]{Items: make([]RewardView, len(l.Items)), Next: l.Next}
	for i, x := range l.Items {
		out.Items[i] = RewardView{Reward: x, StatusLabel: x.Status.Label()}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) claim(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return &hazard.Error{Code: hazard.CodeNotFound, Message: reward.NoSuchReward}
	}
	res, err := s.loop.rewards.svc.Claim(r.Context(), c.user(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewClaim(res))
	return nil
}

// ClaimView answers a claim: the reward and, while it waits for the
// citizen to confirm receipt in WeChat, what the mini-program passes to
// wx.requestMerchantTransfer (package, mchId, appId).
type ClaimView struct {
	RewardView
	// Package is WeChat Pay's package_info; empty when nothing waits for
	// the citizen.
	Package string `json:"package,omitempty"`
	// MchID and AppID are the merchant and the mini-program the transfer
	// is bound to.
	MchID string `json:"mch_id,omitempty"`
	AppID string `json:"app_id,omitempty"`
	// State is the reward's status, e.g. claiming while the transfer
	// waits for confirmation.
	State reward.Status `json:"state"`
}

func viewClaim(res reward.ClaimResult) ClaimView {
	return ClaimView{RewardView: RewardView{Reward: res.Reward, StatusLabel: res.Reward.Status.Label()},
		Package: res.Package, MchID: res.Merchant, AppID: res.App, State: res.Reward.Status}
}

func (s *Server) pendingClaim(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return &hazard.Error{Code: hazard.CodeNotFound, Field: "id", Message: "no such reward"}
	}
	res, err := s.loop.rewards.svc.Pending(r.Context(), c.user(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewClaim(res))
	return nil
}

// wechatPayNotify serves WeChat Pay's transfer callbacks: the payer
// verifies the signature before it reads anything and answers as WeChat
// Pay expects.
func (s *Server) wechatPayNotify(w http.ResponseWriter, r *http.Request, _ caller) error {
	h := s.loop.rewards.callback()
	if h == nil {
		return hazard.Errorf(hazard.CodeNotFound, "WeChat Pay is not configured")
	}
	h.ServeHTTP(w, r)
	return nil
}
