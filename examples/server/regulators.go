package server

import (
	"context"
	"fmt"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/inspection/meminspection"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/memrisk"
)

// regulators are the regulators' loop: the risk register (units, risk
// points, grades, plans) and the inspections (checklists, visits, spot
// checks, the ledger), in memory or in the server's PostgreSQL database.
type regulators struct {
	store risk.Store
	// istore keeps checklists, visits and spot checks.
	istore inspection.Store
	risk   *risk.Service
	insp   *inspection.Service
}

// newRegulators builds the risk and inspection services over the server's
// hazard store and event log.
func newRegulators(s *Server) (*regulators, error) {
	var rs risk.Store
	var is inspection.Store
	if s.db != nil {
		rs, is = s.db.Risk(), s.db.Inspection()
	} else {
		log, ok := s.store.(hazard.EventLog)
		if !ok {
			return nil, fmt.Errorf("regulators: the hazard store keeps no event log")
		}
		rs, is = memrisk.New(log), meminspection.New(log)
	}
	rm, err := risk.NewMetrics(s.reg)
	if err != nil {
		return nil, err
	}
	policy := s.city.Policy
	rsvc, err := risk.New(risk.Config{Store: rs, Hazards: s.store, Policy: &policy, Clock: s.now, Metrics: rm, Logger: s.log})
	if err != nil {
		return nil, err
	}
	im, err := inspection.NewMetrics(s.reg)
	if err != nil {
		return nil, err
	}
	isvc, err := inspection.New(inspection.Config{
		Store: is, Units: rs, Hazards: s.svc, HazardStore: s.store, Risk: rsvc,
		Clock: s.now, Metrics: im, Logger: s.log,
	})
	if err != nil {
		return nil, err
	}
	return &regulators{store: rs, istore: is, risk: rsvc, insp: isvc}, nil
}

// consumers are the regulators' relay consumers: the risk register regrades
// units whose hazards changed; inspections raise their findings' hazards.
func (g *regulators) consumers() []relay.Consumer {
	return []relay.Consumer{g.risk.Consumer(), g.insp.Consumer()}
}

// sweep climbs overdue supervision orders.
func (g *regulators) sweep(ctx context.Context, s *Server) {
	if n, err := g.insp.SweepOrders(ctx); err != nil {
		s.log.Error("sweeping supervision orders", "error", err)
	} else if n > 0 {
		s.log.Info("escalated supervision orders", "count", n)
	}
}
