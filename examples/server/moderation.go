package server

import (
	"net/http"
	"strconv"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reply"
	"github.com/hazardloop/hazardloop/reply/memreply"
)

// Moderation and response templates: the routes of moderators (hide a
// report, edit its public description, hide or redact a photo, release a
// held report) and of response templates (admins manage them; staff get
// the notes offered for an action on a report).

// ModerationRequest is the body of POST /api/v1/reports/{id}/moderation.
type ModerationRequest struct {
	Action          hazard.ModerationAction `json:"action"`
	Reason          string                  `json:"reason"`
	Description     string                  `json:"description"`
	Photo           string                  `json:"photo"`
	ExpectedVersion int64                   `json:"expected_version"`
}

// RedactRequest is the body of POST /api/v1/reports/{id}/moderation/redact.
type RedactRequest struct {
	Photo           string             `json:"photo"`
	Region          hazard.Region      `json:"region"`
	Style           hazard.RedactStyle `json:"style"`
	Reason          string             `json:"reason"`
	ExpectedVersion int64              `json:"expected_version"`
}

// ReplyTemplateRequest is the body of POST and PUT of response templates.
type ReplyTemplateRequest struct {
	// ID names a new template (POST); the path names it for PUT.
	ID string `json:"id"`
	reply.Input
}

func moderationRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/moderation/held", Access: AccessModeration, Tag: "moderation", Summary: "Reports held for moderation (their text matched a hold pattern), oldest first, each with its moderation view.", Query: []string{"limit"}, Status: 200, handle: (*Server).heldQueue},
		{Method: "GET", Path: "/api/v1/moderation/refs/{ref}", Access: AccessModeration, Tag: "moderation", Summary: "The moderation view of a report by its reference number: the original, its moderation, its public view and its moderation events.", Status: 200, handle: (*Server).moderationByRef},
		{Method: "GET", Path: "/api/v1/reports/{id}/moderation", Access: AccessModeration, Tag: "moderation", Summary: "The moderation view of a report.", Status: 200, handle: (*Server).moderationView},
		{Method: "POST", Path: "/api/v1/reports/{id}/moderation", Access: AccessModeration, Tag: "moderation", Summary: "Moderate a report (hide, show, release, edit, hide_photo, show_photo) with a reason; the original stays for staff; every moderation is an event.", Body: "ModerationRequest", Status: 200, handle: (*Server).moderate},
		{Method: "POST", Path: "/api/v1/reports/{id}/moderation/redact", Access: AccessModeration, Tag: "moderation", Summary: "Black out or blur a region of a photo (in thousandths of its width and height) on its public copy; JPEG and PNG only.", Body: "RedactRequest", Status: 200, handle: (*Server).redact},

		{Method: "GET", Path: "/api/v1/reports/{id}/notes", Access: AccessStaff, Tag: "templates", Summary: "The response templates offered for an action on the report, rendered with its facts (zh and en), to edit before sending as the action's note.", Query: []string{"action"}, Status: 200, handle: (*Server).suggestNotes},
		{Method: "GET", Path: "/api/v1/reply-templates", Access: AccessStaff, Tag: "templates", Summary: "The response templates (latest versions, not deleted).", Status: 200, handle: (*Server).listReplyTemplates},
		{Method: "POST", Path: "/api/v1/reply-templates", Access: AccessAdmin, Tag: "templates", Summary: "Create a response template (per action, state and category; placeholders {ref} {category} {department} {address} {date}).", Body: "ReplyTemplateRequest", Status: 201, handle: (*Server).createReplyTemplate},
		{Method: "PUT", Path: "/api/v1/reply-templates/{id}", Access: AccessAdmin, Tag: "templates", Summary: "Save a new version of a response template (expected_version required).", Body: "ReplyTemplateRequest", Status: 200, handle: (*Server).updateReplyTemplate},
		{Method: "DELETE", Path: "/api/v1/reply-templates/{id}", Access: AccessAdmin, Tag: "templates", Summary: "Delete a response template: a last version marked deleted; its history stays.", Query: []string{"expected_version"}, Status: 200, handle: (*Server).deleteReplyTemplate},
		{Method: "GET", Path: "/api/v1/reply-templates/{id}/versions", Access: AccessAdmin, Tag: "templates", Summary: "Every version of a response template, oldest first.", Status: 200, handle: (*Server).replyTemplateVersions},
	}
}

func moderationSchemas() map[string]any {
	actions := []string{string(hazard.ModHide), string(hazard.ModShow), string(hazard.ModRelease), string(hazard.ModEdit),
		string(hazard.ModHidePhoto), string(hazard.ModShowPhoto)}
	thousandths := map[string]any{"type": "integer", "minimum": 0, "maximum": hazard.RegionScale}
	return map[string]any{
		"ModerationRequest": object(map[string]any{
			"action": map[string]any{"type": "string", "enum": actions}, "reason": str(),
			"description": str(), "photo": str(), "expected_version": integer(),
		}, "action", "reason", "expected_version"),
		"RedactRequest": object(map[string]any{
			"photo": str(), "style": map[string]any{"type": "string", "enum": []string{string(hazard.RedactBlack), string(hazard.RedactBlur)}},
			"region": object(map[string]any{"x": thousandths, "y": thousandths, "w": thousandths, "h": thousandths}, "x", "y", "w", "h"),
			"reason": str(), "expected_version": integer(),
		}, "photo", "region", "style", "reason", "expected_version"),
		"ReplyTemplateRequest": object(map[string]any{
			"id":     map[string]any{"type": "string", "maxLength": reply.MaxIDLen, "pattern": "^[a-z][a-z0-9_]*$"},
			"action": str(), "state": str(), "category": str(), "title": str(),
			"text_zh":          map[string]any{"type": "string", "maxLength": reply.MaxTextLen},
			"text_en":          map[string]any{"type": "string", "maxLength": reply.MaxTextLen},
			"expected_version": integer(),
		}, "title", "text_zh"),
	}
}

// openReplies opens the response templates' store: PostgreSQL with a
// database URL, else memory, its events in the server's one log.
func (s *Server) openReplies() (*reply.Service, error) {
	var st reply.Store
	if s.db != nil {
		st = s.db.Replies()
	} else {
		st = memreply.New(s.store)
	}
	return reply.New(reply.Config{Store: st, Hazards: s.svc, Clock: s.now})
}

func (s *Server) heldQueue(w http.ResponseWriter, r *http.Request, c caller) error {
	limit, err := queryLimit(r, hazard.MaxHeldQueue)
	if err != nil {
		return err
	}
	q, err := s.svc.HeldQueue(r.Context(), c.user(), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": q})
	return nil
}

func (s *Server) moderationByRef(w http.ResponseWriter, r *http.Request, c caller) error {
	v, err := s.svc.ModerationViewByRef(r.Context(), c.user(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) moderationView(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.svc.ModerationView(r.Context(), c.user(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) moderate(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return decodeCall(w, r, http.StatusOK, func(in ModerationRequest) (any, error) {
		return s.svc.Moderate(r.Context(), c.user(), id, hazard.ModerateInput{Action: in.Action, Reason: in.Reason,
			Description: in.Description, Photo: in.Photo, ExpectedVersion: in.ExpectedVersion})
	})
}

func (s *Server) redact(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return decodeCall(w, r, http.StatusOK, func(in RedactRequest) (any, error) {
		return s.photos.Redact(r.Context(), c.user(), id, hazard.RedactInput{Photo: in.Photo, Region: in.Region,
			Style: in.Style, Reason: in.Reason, ExpectedVersion: in.ExpectedVersion})
	})
}

func (s *Server) suggestNotes(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	notes, err := s.replies.Suggest(r.Context(), c.user(), id, r.URL.Query().Get("action"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": notes})
	return nil
}

func (s *Server) listReplyTemplates(w http.ResponseWriter, r *http.Request, c caller) error {
	ts, err := s.replies.List(r.Context(), c.user())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ts})
	return nil
}

func (s *Server) createReplyTemplate(w http.ResponseWriter, r *http.Request, c caller) error {
	return decodeCall(w, r, http.StatusCreated, func(in ReplyTemplateRequest) (any, error) {
		return s.replies.Create(r.Context(), c.user(), in.ID, in.Input)
	})
}

func (s *Server) updateReplyTemplate(w http.ResponseWriter, r *http.Request, c caller) error {
	return decodeCall(w, r, http.StatusOK, func(in ReplyTemplateRequest) (any, error) {
		if in.ID != "" && in.ID != r.PathValue("id") {
			return nil, &hazard.Error{Code: hazard.CodeInvalid, Field: "id", Message: "must be the path's, or left out"}
		}
		return s.replies.Update(r.Context(), c.user(), r.PathValue("id"), in.Input)
	})
}

func (s *Server) deleteReplyTemplate(w http.ResponseWriter, r *http.Request, c caller) error {
	v, err := strconv.ParseInt(r.URL.Query().Get("expected_version"), 10, 64)
	if err != nil || v < 1 {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "expected_version", Message: "is required: the version read"}
	}
	t, err := s.replies.Delete(r.Context(), c.user(), r.PathValue("id"), v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) replyTemplateVersions(w http.ResponseWriter, r *http.Request, c caller) error {
	vs, err := s.replies.Versions(r.Context(), c.user(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": vs})
	return nil
}
