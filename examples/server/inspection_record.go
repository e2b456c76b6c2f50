package server

import (
	"net/http"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
)

// InspectionRecord is one item's result recorded on an open inspection;
// Photos are the caller's upload keys.
type InspectionRecord struct {
	ExpectedVersion int64 `json:"expected_version"`
	InspectionResult
}

func (s *Server) recordResult(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathUUID(r, "id", "inspection")
	if err != nil {
		return err
	}
	return decodeCall(w, r, http.StatusOK, func(in InspectionRecord) (any, error) {
		photos, err := s.heldPhotos(r.Context(), c.user(), in.Photos)
		if err != nil {
			return nil, prefixed("result", err)
		}
		return s.regs.insp.RecordResult(r.Context(), c.user(), id, inspection.RecordInput{ExpectedVersion: in.ExpectedVersion,
			Result: inspection.Result{Item: in.Item, Outcome: in.Outcome, Note: in.Note, Photos: photos, Severity: in.Severity, SeverityReason: in.SeverityReason}})
	})
}

// InspectionTrained is the people trained on site during an open
// inspection.
type InspectionTrained struct {
	ExpectedVersion int64  `json:"expected_version"`
	Count           int    `json:"count"`
	Topic           string `json:"topic"`
}

func (s *Server) recordTrained(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathUUID(r, "id", "inspection")
	if err != nil {
		return err
	}
	return decodeCall(w, r, http.StatusOK, func(in InspectionTrained) (any, error) {
		return s.regs.insp.RecordTrained(r.Context(), c.user(), id, inspection.TrainedInput{ExpectedVersion: in.ExpectedVersion,
			Trained: inspection.Trained{Count: in.Count, Topic: in.Topic}})
	})
}

// prefixed returns err with the fields of a CodeInvalid error under
// prefix ("result.photos[0]"); other errors as they are.
func prefixed(prefix string, err error) error {
	var p hazard.Problems
	if !p.Merge(prefix, err) {
		return err
	}
	return p.Err("record result")
}

func (s *Server) getSpotCheck(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathUUID(r, "id", "spot check")
	if err != nil {
		return err
	}
	sc, err := s.regs.insp.SpotCheck(r.Context(), c.user(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, spotView(sc))
	return nil
}
