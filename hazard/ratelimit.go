package hazard

import (
	"context"
	"errors"
	"time"
)

// submitWindow is the sliding window of ServiceConfig.SubmitsPerDay.
const submitWindow = 24 * time.Hour

// submitLimitKey prefixes a reporter's user ID in the limiter key of the
// submission limit.
const submitLimitKey = "submit:"

// LimitedCreator is an optional capability of a Store that applies the
// per-reporter rate limit in the same atomic step as the insert, so that
// the limit is exact even when several processes share the store (a
// PostgreSQL transaction holding an advisory lock on the reporter, say).
//
// CreateLimited is Create, except that a new hazard is refused with
// CodeRateLimited when its reporter (h.Reporter.UserID) already has limit
// hazards or more created at or after since. As with Create, a non-empty
// idempotencyKey the reporter already used returns that hazard and false,
// whatever the count. limit must be at least 1.
//
// Service.Submit uses it for reporters when the store has it; without it
// the service's Limiter applies the limit.
type LimitedCreator interface {
	CreateLimited(ctx context.Context, h Hazard, events []Event, idempotencyKey string, since time.Time, limit int) (Hazard, bool, error)
}

// RateLimitedMessage is the message of the CodeRateLimited error a
// reporter gets at the limit, for LimitedCreator implementations to reuse.
const RateLimitedMessage = "too many reports today: try again tomorrow"

// takeSubmit applies the submission limit through the service's Limiter,
// for a store that is not a LimitedCreator. A retry with the key of a
// report accepted within the window returns that report (and true) without
// taking from the limit; otherwise one unit is taken, and a refusal is
// CodeRateLimited with the wait.
func (s *Service) takeSubmit(ctx context.Context, reporter, key string, now time.Time) (Hazard, bool, error) {
	if prior, ok, err := s.priorWithKey(ctx, reporter, key, now); err != nil || ok {
		return prior, ok, err
	}
	d, err := s.limiter.Take(ctx, submitLimitKey+reporter, s.submitLimit, 1)
	if err != nil {
		return Hazard{}, false, Wrap("submit", err)
	}
	return Hazard{}, false, d.Err("submit", RateLimitedMessage)
}

// priorWithKey finds, among the reporter's reports of the submission
// window, the one submitted with the idempotency key (recorded in its
// submitted event).
func (s *Service) priorWithKey(ctx context.Context, reporter, key string, now time.Time) (Hazard, bool, error) {
	if key == "" {
		return Hazard{}, false, nil
	}
	var found Hazard
	errFound := errors.New("found")
	err := forEach(ctx, s.store, Filter{Reporter: reporter, CreatedSince: now.Add(-submitWindow)}, func(h *Hazard) error {
		events, err := s.store.HazardEvents(ctx, h.ID)
		if err != nil {
			return err
		}
		if len(events) > 0 && events[0].Type == EventSubmitted && events[0].Data[DataIdempotencyKey] == key {
			found = *h
			return errFound
		}
		return nil
	})
	switch {
	case errors.Is(err, errFound):
		return found, true, nil
	case err != nil:
		return Hazard{}, false, Wrap("submit", err)
	}
	return Hazard{}, false, nil
}
