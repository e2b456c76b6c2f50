package open311

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// ClockSkew is how far out of order event times may be in the log (events
// are numbered in commit order, timed by each process's clock): the search
// for a window's first event starts this much earlier, and the scan stops
// this much later. The service's PublicUpdates applies it.
const ClockSkew = hazard.MaxClockSkew

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

// hazardSteps is what the updates need of one hazard: whether it is
// flagged as a duplicate, and its state after each of its public steps.
type hazardSteps struct {
	pr        *hazard.Process // nil for a process the service does not know
	duplicate bool
	state     map[int64]string
	open      map[int64]bool
}

// stepsOf loads the public history of a hazard.
func (h *handler) stepsOf(ctx context.Context, ref string) (*hazardSteps, error) {
	p, steps, err := h.cfg.Service.PublicHistory(ctx, ref)
	if err != nil {
		return nil, err
	}
	s := &hazardSteps{pr: h.process(&p), duplicate: p.Duplicate, state: map[int64]string{}, open: map[int64]bool{}}
	states, open := statesAfter(steps, p.State, !p.ClosedAt.IsZero(), func(e hazard.PublicStep) (from, to string, ok bool) {
		return e.From, e.To, e.Type == hazard.EventTransition
	})
	for i, e := range steps {
		s.state[e.Seq], s.open[e.Seq] = states[i], open[i]
	}
	return s, nil
}

// listUpdates returns one page of the updates in [since, until], walking
// the service's public updates in log order. A note without public text is
// no update.
func (h *handler) listUpdates(ctx context.Context, since, until time.Time, page, size int) ([]wireUpdate, error) {
	skip := (page - 1) * size
	cache := map[string]*hazardSteps{}
	out := []wireUpdate{}
	q := hazard.UpdatesQuery{Since: since, Until: until, Limit: hazard.MaxEventBatch}
	for {
		steps, err := h.cfg.Service.PublicUpdates(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, e := range steps {
			q.After = e.Seq
			if e.Type == hazard.EventNote && e.Note == "" {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			s := cache[e.Ref]
			if s == nil {
				if s, err = h.stepsOf(ctx, e.Ref); err != nil {
					return nil, err
				}
				cache[e.Ref] = s
			}
			step := h.stepOf(s.pr, e.PublicEvent, s.state[e.Seq], s.open[e.Seq], s.duplicate)
			u := wireUpdate{
				UpdateID:         strconv.FormatInt(e.Seq, 10),
				ServiceRequestID: e.Ref,
				Status:           string(step.status),
				UpdatedDatetime:  w3c(e.Time),
				Description:      step.description,
			}
			if len(step.photos) > 0 {
				u.MediaURL = some(h.photoURL(step.photos[0]))
			}
			out = append(out, u)
			if len(out) == size {
				return out, nil
			}
		}
		if len(steps) < q.Limit {
			return out, nil
		}
	}
}
