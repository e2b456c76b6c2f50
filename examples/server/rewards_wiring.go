package server

import (
	"context"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/mempay"
)

// rewards wires the reward package: the city programme's policy over the
// server's ledger and an in-memory payer, with the reporter facts from the user store
// (only verified reporters earn rewards).
type rewards struct {
	s      *Server
	svc    *reward.Service
	ledger reward.Ledger
	payer  *mempay.Payer
}

func newRewards(s *Server) (*rewards, error) {
	rm, err := reward.NewMetrics(s.reg)
	if err != nil {
		return nil, err
	}
	rw := &rewards{s: s, ledger: s.ledger, payer: mempay.New()}
	rw.svc, err = reward.New(reward.Config{
		Ledger:       rw.ledger,
		Payer:        rw.payer,
		Policies:     []reward.Policy{reward.CityProgramme()},
		Hazards:      s.store,
		Processes:    s.svc.Processes(),
		Reporters:    reporterFacts{u: s.users},
		Events:       s.store,
		ConsumerName: consumerReward,
		Clock:        s.now,
		Metrics:      rm,
		Logger:       s.log,
	})
	if err != nil {
		return nil, err
	}
	return rw, nil
}

func (rw *rewards) consumer() relay.Consumer { return rw.svc.Consumer() }

func (rw *rewards) claim(ctx context.Context, u hazard.User, id uuid.UUID) (reward.Reward, error) {
	res, err := rw.svc.Claim(ctx, u, id)
	if err != nil {
		return reward.Reward{}, err
	}
	return res.Reward, nil
}

// sweep expires unclaimed rewards and settles claims stuck with the payer.
func (rw *rewards) sweep(ctx context.Context) {
	if n, err := rw.svc.ExpireDue(ctx); err != nil {
		rw.s.log.Error("expiring rewards", "error", err)
	} else if n > 0 {
		rw.s.log.Info("expired unclaimed rewards", "count", n)
	}
	if _, err := rw.svc.Reconcile(ctx); err != nil {
		rw.s.log.Error("reconciling reward claims", "error", err)
	}
}

// reporterFacts tells the reward rules what the user store knows: whether
// the reporter passed real-name verification, and the department of staff.
type reporterFacts struct{ u userStore }

// Reporter implements reward.Reporters.
func (r reporterFacts) Reporter(ctx context.Context, id string) (reward.ReporterFacts, error) {
	a, err := r.u.get(ctx, id)
	if err != nil {
		return reward.ReporterFacts{}, err
	}
	f := reward.ReporterFacts{Verified: a.Verified}
	if a.Staff() && a.Department != "" {
		f.Departments = []string{a.Department}
	}
	return f, nil
}
