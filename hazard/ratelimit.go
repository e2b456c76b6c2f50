package hazard

import (
	"context"
	"errors"
	"time"
)

// rateWindow is the sliding window of ServiceConfig.SubmitsPerDay.
const rateWindow = 24 * time.Hour

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
// the limit is exact within one process only.
type LimitedCreator interface {
	CreateLimited(ctx context.Context, h Hazard, events []Event, idempotencyKey string, since time.Time, limit int) (Hazard, bool, error)
}

// RateLimitedMessage is the message of the CodeRateLimited error a
// reporter gets at the limit, for LimitedCreator implementations to reuse.
const RateLimitedMessage = "too many reports today: try again tomorrow"

// errRateFull stops the count once the limit is reached.
var errRateFull = errors.New("limit reached")

// checkRate returns CodeRateLimited when the reporter submitted perDay
// reports or more in the 24 hours before now. It counts through Store.List
// (filter by reporter and creation time), reading at most perDay hazards,
// so that every process sharing the store sees the same count.
func (s *Service) checkRate(ctx context.Context, reporter string, now time.Time) error {
	n := 0
	err := forEachPage(ctx, s.store, Filter{Reporter: reporter, CreatedSince: now.Add(-rateWindow)}, min(s.perDay, MaxPageLimit), func(*Hazard) error {
		n++
		if n >= s.perDay {
			return errRateFull
		}
		return nil
	})
	switch {
	case errors.Is(err, errRateFull):
		return &Error{Code: CodeRateLimited, Op: "submit", Message: RateLimitedMessage}
	case err != nil:
		return Wrap("submit", err)
	}
	return nil
}

// priorWithKey finds, among the reporter's reports of the last 24 hours,
// the one submitted with the idempotency key (recorded in its submitted
// event), so that a retry at the rate limit still gets its first answer.
func (s *Service) priorWithKey(ctx context.Context, reporter, key string, now time.Time) (Hazard, bool) {
	if key == "" {
		return Hazard{}, false
	}
	var found Hazard
	errFound := errors.New("found")
	err := forEach(ctx, s.store, Filter{Reporter: reporter, CreatedSince: now.Add(-rateWindow)}, func(h *Hazard) error {
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
	return found, errors.Is(err, errFound)
}
