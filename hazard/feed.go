package hazard

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
)

// MaxClockSkew is how far out of order event times may be in the log:
// events are numbered in commit order but timed by each process's clock.
// PublicUpdates starts its search for a window's first event this much
// earlier, and stops its scan this much later.
const MaxClockSkew = time.Minute

// PublicStep is one step of a hazard's public timeline with its place in
// the event log, as a feed of changes (Open311's service request updates)
// gives it.
type PublicStep struct {
	// Seq is the number of the step's event in the log: steps come in
	// increasing Seq, which a feed may use as a stable update ID.
	Seq int64 `json:"seq"`
	// Ref is the reference number of the hazard.
	Ref string `json:"ref"`
	PublicEvent
}

// UpdatesQuery asks PublicUpdates for the public steps of every hazard in a
// window of time.
type UpdatesQuery struct {
	// Since and Until bound the steps' times: Since <= time <= Until.
	// Both are required.
	Since, Until time.Time
	// After continues a walk: the Seq of the last step of the previous page;
	// 0 for the first page.
	After int64
	// Limit is the most steps wanted: 0 means DefaultPageLimit, values above
	// MaxEventBatch are capped to it, negative is invalid.
	Limit int
}

// PublicUpdates returns the public steps (as PublicTimeline gives them: no
// reward event, no actor, no private note) of every hazard the public may
// see now (Published; with the photos its moderation leaves) whose time is
// in [q.Since, q.Until], in log order, after q.After, at most q.Limit. A
// page shorter than the limit is the last. Events of no hazard are left
// out.
//
// The log is ordered by commit, not by time: the window's first event is
// found by a binary search of the log on time, starting MaxClockSkew before
// q.Since, and the scan stops at the first event more than MaxClockSkew
// after q.Until, so that the cost grows with the window, not with the log.
func (s *Service) PublicUpdates(ctx context.Context, q UpdatesQuery) ([]PublicStep, error) {
	const op = "public updates"
	var p Problems
	if q.Since.IsZero() {
		p.Add("since", "is required")
	}
	if q.Until.IsZero() {
		p.Add("until", "is required")
	} else if q.Until.Before(q.Since) {
		p.Add("until", "must not be before since")
	}
	if q.After < 0 {
		p.Add("after", "must not be negative")
	}
	if q.Limit < 0 {
		p.Add("limit", "must not be negative")
	}
	if err := p.Err(op); err != nil {
		return nil, err
	}
	limit := q.Limit
	switch {
	case limit == 0:
		limit = DefaultPageLimit
	case limit > MaxEventBatch:
		limit = MaxEventBatch
	}
	after := q.After
	if after == 0 {
		first, err := s.firstEventAt(ctx, q.Since.Add(-MaxClockSkew))
		if err != nil {
			return nil, Wrap(op, err)
		}
		after = first - 1
	}
	stop := q.Until.Add(MaxClockSkew)
	seen := map[uuid.UUID]*publicSight{}
	out := []PublicStep{}
	for {
		evs, err := s.store.Events(ctx, after, MaxEventBatch)
		if err != nil {
			return nil, Wrap(op, err)
		}
		if len(evs) == 0 {
			return out, nil
		}
		for _, e := range evs {
			after = e.Seq
			if e.Time.After(stop) {
				return out, nil
			}
			if e.HazardID == uuid.Nil || e.Time.Before(q.Since) || e.Time.After(q.Until) {
				continue // an event of no hazard is no hazard's step
			}
			pub := PublicTimeline([]Event{e})
			if len(pub) == 0 {
				continue
			}
			sight, ok := seen[e.HazardID]
			if !ok {
				if sight, err = s.publicSight(ctx, e.HazardID); err != nil {
					return nil, Wrap(op, err)
				}
				seen[e.HazardID] = sight
			}
			if !sight.published {
				continue // a hazard the public may not see has no public step
			}
			step := PublicStep{Seq: e.Seq, Ref: sight.ref, PublicEvent: pub[0]}
			step.Photos = slices.DeleteFunc(step.Photos, func(k string) bool { return !sight.photos[k] })
			out = append(out, step)
			if len(out) == limit {
				return out, nil
			}
		}
	}
}

// publicSight is what the public may see of a hazard now: whether it is
// published, its reference number and the photos its public view shows.
type publicSight struct {
	ref       string
	published bool
	photos    map[string]bool
}

// publicSight reads the hazard id, its events and its moderation.
func (s *Service) publicSight(ctx context.Context, id uuid.UUID) (*publicSight, error) {
	h, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	events, err := s.store.HazardEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	m, err := s.moderationOf(ctx, id)
	if err != nil {
		return nil, err
	}
	ps := &publicSight{ref: h.Ref, published: s.Published(&h, events, &m), photos: map[string]bool{}}
	v := s.publicOf(&h, events, &m)
	for _, k := range append(v.Photos, v.Evidence...) {
		ps.photos[k] = true
	}
	for _, st := range v.Timeline {
		for _, k := range st.Photos {
			ps.photos[k] = true
		}
	}
	return ps, nil
}

// firstEventAt returns the Seq of the first event of the log timed at or
// after t, by a binary search on time; LastSeq+1 when there is none.
func (s *Service) firstEventAt(ctx context.Context, t time.Time) (int64, error) {
	last, err := s.store.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	lo, hi := int64(1), last+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		evs, err := s.store.Events(ctx, mid-1, 1)
		if err != nil {
			return 0, err
		}
		if len(evs) == 0 || !evs[0].Time.Before(t) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, nil
}

// PublicHistory returns the public view of the hazard with the reference
// number, without its Timeline, and its public timeline as steps numbered
// in the log (the steps of PublicView's Timeline, in the same order, each
// with its Seq), or CodeNotFound. It needs no user; like PublicView it
// carries nothing of the reporter and no private note.
func (s *Service) PublicHistory(ctx context.Context, ref string) (PublicHazard, []PublicStep, error) {
	const op = "public history"
	h, events, m, err := s.publicHazard(ctx, op, ref)
	if err != nil {
		return PublicHazard{}, nil, err
	}
	steps := make([]PublicStep, 0, len(events))
	for _, e := range events {
		for _, pe := range PublicTimeline([]Event{e}) {
			steps = append(steps, PublicStep{Seq: e.Seq, Ref: h.Ref, PublicEvent: pe})
		}
	}
	// The steps' photos as the moderation leaves them: the view's
	// timeline, step by step.
	v := s.publicOf(&h, events, &m)
	for i := range steps {
		steps[i].Photos = v.Timeline[i].Photos
	}
	v.Timeline = nil
	v.MeToo = countMeToo(events)
	return v, steps, nil
}
