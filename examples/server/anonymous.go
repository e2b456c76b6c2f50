package server

import (
	"errors"
	"net/http"

	"github.com/hazardloop/hazardloop/hazard"
)

// DeviceHeader names the random device ID an anonymous client keeps and
// sends with its uploads and its report: the library limits anonymous
// reports per device and scopes their uploads and idempotency keys to it.
const DeviceHeader = "X-Device-ID"

// origin returns where an anonymous request comes from: its network
// address as the limits count it (clientAddr), keyed with the server's
// secret so that no address is stored in a limiter, and its device ID.
func (s *Server) origin(r *http.Request) hazard.Origin {
	return hazard.Origin{Address: s.keyer.key(s.clientAddr(r)), Device: r.Header.Get(DeviceHeader)}
}

// AnonymousReportResponse answers an anonymous report: the reporter's view
// and the one-time claim code, shown this once (a retry with the same
// Idempotency-Key answers without it).
type AnonymousReportResponse struct {
	ReportView
	ClaimCode string `json:"claim_code,omitempty"`
}

// submitAnonymous files in as an anonymous report of the request's device.
func (s *Server) submitAnonymous(w http.ResponseWriter, r *http.Request, in hazard.SubmitInput, uploads []string, key string) error {
	from := s.origin(r)
	h, code, err := s.photos.SubmitAnonymous(r.Context(), from, in, uploads, key)
	var he *hazard.Error
	switch {
	case errors.As(err, &he) && he.Field == "idempotency_key":
		e := *he
		e.Field = "Idempotency-Key"
		return &e
	case errors.As(err, &he) && he.Field == "device_id":
		e := *he
		e.Field = DeviceHeader
		return &e
	case err != nil:
		return err
	}
	rv, err := s.svc.ReporterView(r.Context(), hazard.AnonymousUser(from), h.ID)
	if err != nil {
		return err
	}
	v := reporterView(rv)
	v.Actions = []hazard.ActionInfo{} // nobody signed in acts on it
	writeJSON(w, http.StatusCreated, AnonymousReportResponse{ReportView: v, ClaimCode: code})
	return nil
}

// ClaimRequest carries a claim code.
type ClaimRequest struct {
	ClaimCode string `json:"claim_code"`
}

// ClaimResponse is an anonymous report as its claim code shows it.
type ClaimResponse struct {
	ReportView
	// Bound is true once a verified citizen bound the report.
	Bound bool `json:"bound"`
	// ClaimBy is when binding closes; absent while the report is open.
	ClaimBy string `json:"claim_by,omitempty"`
}

// claimResponse renders cv; its actions are those the holder of the code
// may take with it (the reopen action, POST /api/v1/claims/reopen), and
// fixed_check says "is it fixed?" awaits an answer (POST
// /api/v1/claims/fixed).
func claimResponse(cv hazard.ClaimView) ClaimResponse {
	v := reporterView(cv.ReporterView)
	out := ClaimResponse{ReportView: v, Bound: cv.Bound}
	if !cv.ClaimBy.IsZero() {
		out.ClaimBy = cv.ClaimBy.UTC().Format("2006-01-02T15:04:05Z")
	}
	return out
}

func (s *Server) followClaim(w http.ResponseWriter, r *http.Request, c caller) error {
	return decodeCall(w, r, http.StatusOK, func(in ClaimRequest) (any, error) {
		cv, err := s.svc.FollowClaim(r.Context(), s.keyer.key(s.clientAddr(r)), in.ClaimCode)
		if err != nil {
			return nil, err
		}
		return claimResponse(cv), nil
	})
}

// ClaimReopenRequest reopens an anonymous report closed as fixed with its
// claim code: the reason (note) and 1 or more photos of the hazard back,
// uploaded from the holder's device (or signed in).
type ClaimReopenRequest struct {
	ClaimCode       string   `json:"claim_code"`
	ExpectedVersion int64    `json:"expected_version"`
	Note            string   `json:"note"`
	Photos          []string `json:"photos"`
}

// ClaimFixedRequest answers "is it fixed?" about an anonymous report with
// its claim code, as FixedRequest does for a signed-in reporter.
type ClaimFixedRequest struct {
	ClaimCode string `json:"claim_code"`
	FixedRequest
}

// claimUploader returns whose uploads a claim code's holder uses: the
// signed-in caller's, else those of the request's device.
func (s *Server) claimUploader(r *http.Request, c caller) hazard.User {
	if c.signed {
		return c.user()
	}
	from := s.origin(r)
	if from.Device == "" {
		return hazard.User{} // nobody's: any upload key is refused
	}
	return hazard.AnonymousUser(from)
}

func (s *Server) reopenClaim(w http.ResponseWriter, r *http.Request, c caller) error {
	return decodeCall(w, r, http.StatusOK, func(in ClaimReopenRequest) (any, error) {
		cv, err := s.photos.ReopenClaim(r.Context(), s.claimUploader(r, c), s.keyer.key(s.clientAddr(r)), in.ClaimCode,
			hazard.ReopenInput{ExpectedVersion: in.ExpectedVersion, Note: in.Note}, in.Photos)
		if err != nil {
			return nil, err
		}
		return claimResponse(cv), nil
	})
}

func (s *Server) answerFixedClaim(w http.ResponseWriter, r *http.Request, c caller) error {
	return decodeCall(w, r, http.StatusOK, func(in ClaimFixedRequest) (any, error) {
		cv, err := s.photos.AnswerFixedClaim(r.Context(), s.claimUploader(r, c), s.keyer.key(s.clientAddr(r)), in.ClaimCode,
			hazard.FixedAnswerInput{ExpectedVersion: in.ExpectedVersion, Fixed: in.Fixed, Note: in.Note}, in.Photos)
		if err != nil {
			return nil, err
		}
		return claimResponse(cv), nil
	})
}

// BindResponse answers a binding.
type BindResponse struct {
	Ref   string `json:"ref"`
	Bound bool   `json:"bound"`
}

func (s *Server) bindClaim(w http.ResponseWriter, r *http.Request, c caller) error {
	return decodeCall(w, r, http.StatusOK, func(in ClaimRequest) (any, error) {
		h, err := s.svc.BindClaim(r.Context(), c.user(), s.keyer.key(s.clientAddr(r)), in.ClaimCode)
		if err != nil {
			return nil, err
		}
		return BindResponse{Ref: h.Ref, Bound: true}, nil
	})
}

// FixedRequest is the reporter's answer to "is it fixed?": a "no" reopens
// the report with a reason (note) and 1 or more photos of the hazard back.
type FixedRequest struct {
	ExpectedVersion int64    `json:"expected_version"`
	Fixed           bool     `json:"fixed"`
	Note            string   `json:"note"`
	Photos          []string `json:"photos"`
}

func (s *Server) answerFixed(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in FixedRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if _, err := s.photos.AnswerFixed(r.Context(), c.user(), id, hazard.FixedAnswerInput{
		ExpectedVersion: in.ExpectedVersion, Fixed: in.Fixed, Note: in.Note,
	}, in.Photos); err != nil {
		return err
	}
	v, err := s.view(r, c, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// aftercareRoutes are the routes of anonymous reports' claim codes and of
// the "is it fixed?" answer.
func aftercareRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/claims/follow", Access: AccessPublic, Tag: "reports", Summary: "Follow an anonymous report with its claim code (the reporter's view, whether it is bound, until when it may be). Attempts are limited per network address and per report.", Body: "ClaimRequest", Status: 200, handle: (*Server).followClaim},
		{Method: "POST", Path: "/api/v1/claims/bind", Access: AccessReporter, Tag: "reports", Summary: "Bind the caller, a real-name verified citizen, to an anonymous report with its claim code, within the claim window after its closure; the reward rules are evaluated for the caller then.", Body: "ClaimRequest", Status: 200, Phone: true, handle: (*Server).bindClaim},
		{Method: "POST", Path: "/api/v1/claims/reopen", Access: AccessAnyone, Tag: "reports", Summary: "Reopen an anonymous report closed as fixed with its claim code, as its reporter would: a reason (note) and photos uploaded from the same device (X-Device-ID) or signed in, within the reopen window of the closure; back to the department that handled it. Attempts are limited as for following.", Body: "ClaimReopenRequest", Status: 200, handle: (*Server).reopenClaim},
		{Method: "POST", Path: "/api/v1/claims/fixed", Access: AccessAnyone, Tag: "reports", Summary: "Answer \"is it fixed?\" about an anonymous report with its claim code, as its reporter would: yes, or no with a reason and photos (uploaded from the same device or signed in), which reopens it. Attempts are limited as for following.", Body: "ClaimFixedRequest", Status: 200, handle: (*Server).answerFixedClaim},
		{Method: "POST", Path: "/api/v1/reports/{id}/fixed", Access: AccessReporter, Tag: "reports", Summary: "Answer \"is it fixed?\" about your report closed as fixed: yes, or no with a reason (note) and photos, which reopens it to the department that handled it.", Body: "FixedRequest", Status: 200, handle: (*Server).answerFixed},
	}
}

func aftercareSchemas() map[string]any {
	return map[string]any{
		"ClaimRequest": object(map[string]any{"claim_code": map[string]any{"type": "string", "maxLength": hazard.MaxClaimCodeLen,
			"description": "<ref>.<secret> as the anonymous report's answer gave it; case, spaces and dashes in the secret do not matter"}}, "claim_code"),
		"ClaimReopenRequest": object(map[string]any{
			"claim_code": map[string]any{"type": "string", "maxLength": hazard.MaxClaimCodeLen}, "expected_version": integer(), "note": str(),
			"photos": map[string]any{"type": "array", "items": str(), "maxItems": hazard.MaxPhotos},
		}, "claim_code", "expected_version"),
		"ClaimFixedRequest": object(map[string]any{
			"claim_code": map[string]any{"type": "string", "maxLength": hazard.MaxClaimCodeLen}, "expected_version": integer(), "fixed": boolean(), "note": str(),
			"photos": map[string]any{"type": "array", "items": str(), "maxItems": hazard.MaxPhotos},
		}, "claim_code", "expected_version", "fixed"),
		"FixedRequest": object(map[string]any{
			"expected_version": integer(), "fixed": boolean(), "note": str(),
			"photos": map[string]any{"type": "array", "items": str(), "maxItems": hazard.MaxPhotos},
		}, "expected_version", "fixed"),
	}
}
