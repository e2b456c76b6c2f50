package server

import (
	"net/http"

	"github.com/hazardloop/hazardloop/hazard"
)

// MaxFilterLen bounds a plaza filter value.
const MaxFilterLen = 64

func (s *Server) plaza(w http.ResponseWriter, r *http.Request, _ caller) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := hazard.PublicFilter{Category: q.Get("category"), State: q.Get("state")}
	if len(f.Category) > MaxFilterLen {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "category", Message: "is not a category"}
	}
	if len(f.State) > MaxFilterLen {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "state", Message: "is not a state"}
	}
	l, err := s.svc.PublicList(r.Context(), f, p)
	if err != nil {
		return err
	}
	out := ListResponse[PublicReport]{Items: make([]PublicReport, len(l.Items)), Next: l.Next}
	for i, ph := range l.Items {
		// Each item with its public timeline, as the plaza shows it.
		full, err := s.svc.PublicView(r.Context(), ph.Ref)
		if err != nil {
			return err
		}
		out.Items[i] = publicReport(full)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) plazaReport(w http.ResponseWriter, r *http.Request, _ caller) error {
	ref := r.PathValue("ref")
	if len(ref) > hazard.MaxRefLen {
		return &hazard.Error{Code: hazard.CodeNotFound, Field: "ref", Message: "no such report"}
	}
	p, err := s.svc.PublicView(r.Context(), ref)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, publicReport(p))
	return nil
}
