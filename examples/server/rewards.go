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
	x, err := s.loop.rewards.claim(r.Context(), c.user(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, RewardView{Reward: x, StatusLabel: x.Status.Label()})
	return nil
}
