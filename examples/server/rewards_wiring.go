package server

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/mempay"
	"github.com/hazardloop/hazardloop/reward/wechatpay"
	"github.com/hazardloop/hazardloop/reward/wechatpay/membills"
	"github.com/hazardloop/hazardloop/reward/wechatpay/pgbills"
)

// WeChatPayReconcileAfter is how long a WeChat Pay bill may stay in flight
// (a callback lost) before the sweep asks WeChat Pay where it stands.
const WeChatPayReconcileAfter = 10 * time.Minute

// rewards wires the reward package: the city programme's policy over the
// server's ledger and a payer (WeChat Pay merchant transfers when
// configured, else an in-memory payer), with the reporter facts from the
// user store (only verified reporters earn rewards).
type rewards struct {
	s      *Server
	svc    *reward.Service
	ledger reward.Ledger
	payer  reward.Payer
	// wx is the WeChat Pay payer when configured, else nil.
	wx *wechatpay.Payer
}

// wechatPayConfigured reports whether any merchant setting of c is given:
// then all must be (the app ID may come from the WeChat login settings).
func wechatPayConfigured(c *wechatpay.Config) bool {
	return c.MchID != "" || c.MchCertSerial != "" || c.MchPrivateKey != "" || c.MchPrivateKeyFile != "" ||
		c.APIv3Key != "" || c.PlatformPublicKey != "" || c.PlatformPublicKeyFile != "" ||
		c.PlatformPublicKeyID != "" || c.SceneID != "" || c.NotifyURL != "" || len(c.ReportInfos) > 0
}

// newWeChatPayer makes the WeChat Pay payer of cfg, its bills in the
// server's database (migrated here) or in memory, and its payees from the
// user store.
func newWeChatPayer(ctx context.Context, s *Server) (*wechatpay.Payer, error) {
	cfg := s.cfg.WeChatPay
	if cfg.AppID == "" {
		cfg.AppID = s.cfg.WeChat.AppID
	}
	if cfg.Clock == nil {
		cfg.Clock = s.now
	}
	if cfg.Logger == nil {
		cfg.Logger = s.log
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var bills wechatpay.Store = membills.New()
	if s.db != nil {
		if _, err := pgbills.Migrate(ctx, s.db.Pool()); err != nil {
			return nil, err
		}
		bills = pgbills.New(s.db.Pool())
	}
	return wechatpay.New(cfg, bills, payees{u: s.users})
}

func newRewards(ctx context.Context, s *Server) (*rewards, error) {
	rm, err := reward.NewMetrics(s.reg)
	if err != nil {
		return nil, err
	}
	rw := &rewards{s: s, ledger: s.ledger, payer: mempay.New()}
	if wechatPayConfigured(&s.cfg.WeChatPay) {
		if rw.wx, err = newWeChatPayer(ctx, s); err != nil {
			return nil, err
		}
		rw.payer = rw.wx
	}
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

// sync records where a reward's payout stands (a WeChat Pay callback or
// reconciliation reports it).
func (rw *rewards) sync(ctx context.Context, id uuid.UUID) error {
	_, err := rw.svc.Sync(ctx, id)
	return err
}

// callback is the handler of WeChat Pay's transfer callbacks, or nil
// without WeChat Pay.
func (rw *rewards) callback() http.Handler {
	if rw.wx == nil {
		return nil
	}
	return rw.wx.Callback(rw.sync)
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
	if rw.wx != nil {
		if n, err := rw.wx.Reconcile(ctx, WeChatPayReconcileAfter, rw.sync); err != nil {
			rw.s.log.Error("reconciling WeChat Pay bills", "error", err)
		} else if n > 0 {
			rw.s.log.Info("reconciled WeChat Pay bills", "count", n)
		}
	}
}

// payees tells WeChat Pay who receives a reporter's rewards: the openid
// of the account and, once verified, the real name (needed from
// wechatpay.RealNameFrom). A reporter without a WeChat identity is
// CodeNotFound.
type payees struct{ u userStore }

// Payee implements wechatpay.Payees.
func (p payees) Payee(ctx context.Context, id string) (wechatpay.Payee, error) {
	a, err := p.u.get(ctx, id)
	if err != nil {
		return wechatpay.Payee{}, err
	}
	if a.openID == "" {
		return wechatpay.Payee{}, hazard.Errorf(hazard.CodeNotFound, "the reporter has not logged in through WeChat")
	}
	out := wechatpay.Payee{OpenID: a.openID}
	if a.Verified {
		out.RealName = a.Name
	}
	return out, nil
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
