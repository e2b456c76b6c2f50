package open311

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// ClockSkew is how far out of order event times may be in the log (events
// are numbered in commit order, timed by each process's clock): the search
// for a window's first event starts this much earlier, and the scan stops
// this much later.
const ClockSkew = time.Minute

// updates serves GET servicerequestupdates: the public steps of every
// hazard whose time is in [start_date, end_date], oldest first.
func (h *handler) updates(w http.ResponseWriter, r *http.Request, f format) {
	var fe fieldErrors
	since, until := h.parseWindow(r, &fe)
	page, size := parsePage(r, &fe)
	if err := fe.err(); err != nil {
		h.fail(w, f, err)
		return
	}
	items, err := h.listUpdates(r.Context(), since, until, page, size)
	if err != nil {
		h.fail(w, f, err)
		return
	}
	h.write(w, f, http.StatusOK, wireUpdates{Items: items}, items)
}

// hazardSteps is what the updates need of one hazard: its reference, and
// its state after each of its events.
type hazardSteps struct {
	ref       string
	duplicate bool
	state     map[int64]string
	open      map[int64]bool
}

// stepsOf loads a hazard and its events.
func (h *handler) stepsOf(ctx context.Context, id uuid.UUID) (*hazardSteps, error) {
	st := h.cfg.Service.Store()
	hz, err := st.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	events, err := st.HazardEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	s := &hazardSteps{ref: hz.Ref, duplicate: hz.DuplicateOf != uuid.Nil, state: map[int64]string{}, open: map[int64]bool{}}
	states, open := statesAfter(events, hz.State, !hz.ClosedAt.IsZero(), func(e hazard.Event) (from, to string, ok bool) {
		return e.From, e.To, e.Type == hazard.EventTransition
	})
	for i, e := range events {
		s.state[e.Seq], s.open[e.Seq] = states[i], open[i]
	}
	return s, nil
}

// listUpdates returns one page of the updates in [since, until]. It finds
// the window's first event by a binary search of the log on time, then
// reads forward: the cost grows with the window, not with the log.
func (h *handler) listUpdates(ctx context.Context, since, until time.Time, page, size int) ([]wireUpdate, error) {
	st := h.cfg.Service.Store()
	last, err := st.LastSeq(ctx)
	if err != nil {
		return nil, err
	}
	from := since.Add(-ClockSkew)
	lo, hi := int64(1), last+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		evs, err := st.Events(ctx, mid-1, 1)
		if err != nil {
			return nil, err
		}
		if len(evs) == 0 || !evs[0].Time.Before(from) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	after := lo - 1
	stop := until.Add(ClockSkew)
	skip := (page - 1) * size
	cache := map[uuid.UUID]*hazardSteps{}
	out := []wireUpdate{}
	for {
		evs, err := st.Events(ctx, after, hazard.MaxEventBatch)
		if err != nil {
			return nil, err
		}
		if len(evs) == 0 {
			return out, nil
		}
		for _, e := range evs {
			after = e.Seq
			if e.Time.After(stop) {
				return out, nil
			}
			if e.HazardID == uuid.Nil || e.Time.Before(since) || e.Time.After(until) {
				continue // events of other subjects than hazards are no service request's
			}
			pub := hazard.PublicTimeline([]hazard.Event{e})
			if len(pub) == 0 || (e.Type == hazard.EventNote && e.PublicNote == "") {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			s := cache[e.HazardID]
			if s == nil {
				if s, err = h.stepsOf(ctx, e.HazardID); err != nil {
					return nil, err
				}
				cache[e.HazardID] = s
			}
			step := stepOf(pub[0], s.state[e.Seq], s.open[e.Seq], s.duplicate)
			u := wireUpdate{
				UpdateID:         strconv.FormatInt(e.Seq, 10),
				ServiceRequestID: s.ref,
				Status:           string(step.status),
				UpdatedDatetime:  w3c(e.Time),
				Description:      step.description,
			}
			if len(step.photos) > 0 {
				u.MediaURL = h.photoURL(step.photos[0])
			}
			out = append(out, u)
			if len(out) == size {
				return out, nil
			}
		}
	}
}
