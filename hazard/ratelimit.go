package hazard

import (
	"context"
	"errors"
	"time"
)

// rateWindow is the sliding window of ServiceConfig.SubmitsPerDay.
const rateWindow = 24 * time.Hour

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
		return &Error{Code: CodeRateLimited, Op: "submit", Message: "too many reports today: try again tomorrow"}
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
