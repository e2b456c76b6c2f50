package server

import (
	"net/http"
	"strconv"

	"github.com/hazardloop/hazardloop/follow"
	"github.com/hazardloop/hazardloop/follow/memfollow"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/relay"
)

// consumerFollow is the relay consumer that tells followers and watchers.
const consumerFollow = "follow"

// UnsubscribePath is the page a follow message's unsubscribe link opens,
// with the token in the query parameter token.
const UnsubscribePath = "/unsubscribe"

// newFollow builds the follow service over the server's store (memory or
// PostgreSQL) and its alerts consumer, which delivers through router.
func newFollow(s *Server, router *notify.Router) (*follow.Service, relay.Consumer, error) {
	var st follow.Store
	if s.db != nil {
		st = s.db.Follows()
	} else {
		log, ok := s.store.(hazard.EventLog)
		if !ok {
			return nil, relay.Consumer{}, &hazard.Error{Code: hazard.CodeInternal, Message: "follow: the hazard store keeps no event log"}
		}
		st = memfollow.New(log)
	}
	svc, err := follow.New(follow.Config{
		Store: st, Hazards: s.svc, HazardStore: s.store, Secret: s.tokens.secret,
		Limiter: s.limiter, Clock: s.now, Logger: s.log,
	})
	if err != nil {
		return nil, relay.Consumer{}, err
	}
	c, err := svc.Consumer(consumerFollow, follow.AlertsConfig{
		Messenger: router, Directory: directory{u: s.users},
		UnsubscribeURL: s.cfg.BaseURL + UnsubscribePath + "?token=",
	})
	return svc, c, err
}

// citizenRoutes are the routes of a citizen's life around reports that
// exist: "is it one of these?", me-too, following reports and areas,
// adding information and answering staff's questions.
func citizenRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/nearby", Access: AccessPublic, Tag: "plaza", Summary: "Open public reports of a category near a point, nearest first (\"is it one of these?\"): category, lat, lng and coord_system (wgs84 or gcj02) required; radius in metres (default 200, at most 2000); limit (default 5, at most 20).", Query: []string{"category", "lat", "lng", "coord_system", "radius", "limit"}, Status: 200, handle: (*Server).nearby},
		{Method: "POST", Path: "/api/v1/plaza/{ref}/metoo", Access: AccessReporter, Tag: "follow", Summary: "Me too: the caller sees this open report's hazard too; counted once per citizen on the plaza (never who), and the caller follows the report. No reward: the reward's first-reporter rule is unchanged.", Status: 200, handle: (*Server).meToo},
		{Method: "POST", Path: "/api/v1/plaza/{ref}/follow", Access: AccessReporter, Tag: "follow", Summary: "Follow a public report: its public updates reach the caller's channels (WeChat, SMS).", Status: 200, handle: (*Server).followReport},
		{Method: "DELETE", Path: "/api/v1/plaza/{ref}/follow", Access: AccessReporter, Tag: "follow", Summary: "Stop following a report.", Status: 204, handle: (*Server).unfollowReport},
		{Method: "GET", Path: "/api/v1/me/subscriptions", Access: AccessReporter, Tag: "follow", Summary: "The reports the caller follows and the areas they watch, with the caps.", Status: 200, handle: (*Server).subscriptions},
		{Method: "POST", Path: "/api/v1/me/areas", Access: AccessReporter, Tag: "follow", Summary: "Watch an area: new public reports within a radius of a point, or in a district, optionally of one category.", Body: "AreaRequest", Status: 201, handle: (*Server).watchArea},
		{Method: "DELETE", Path: "/api/v1/me/areas/{id}", Access: AccessReporter, Tag: "follow", Summary: "Stop watching an area.", Status: 204, handle: (*Server).unwatchArea},
		{Method: "POST", Path: "/api/v1/unsubscribe", Access: AccessPublic, Tag: "follow", Summary: "End the subscription named by the signed token of a message's unsubscribe link, in one step and with no login.", Body: "UnsubscribeRequest", Status: 200, handle: (*Server).unsubscribe},
		{Method: "POST", Path: "/api/v1/reports/{id}/info", Access: AccessReporter, Tag: "reports", Summary: "The reporter adds information to their open report: a note and up to 9 of their uploads, for the handling department (never on the plaza).", Body: "InfoRequest", Status: 200, handle: (*Server).addInfo},
		{Method: "POST", Path: "/api/v1/reports/{id}/questions", Access: AccessStaff, Tag: "reports", Summary: "Staff ask the reporter of an open report in their scope a question; the reporter is told and answers on the report's page.", Body: "QuestionRequest", Status: 200, handle: (*Server).ask},
		{Method: "POST", Path: "/api/v1/reports/{id}/answers", Access: AccessReporter, Tag: "reports", Summary: "The reporter answers an open question (its number, data.question of the question's timeline step).", Body: "AnswerRequest", Status: 200, handle: (*Server).answer},
	}
}

// citizenSchemas are the request bodies of citizenRoutes.
func citizenSchemas() map[string]any {
	point := object(map[string]any{"lat": number(), "lng": number(), "system": str()}, "lat", "lng", "system")
	return map[string]any{
		"AreaRequest": object(map[string]any{"category": str(), "center": point,
			"radius_meters": map[string]any{"type": "number", "maximum": follow.MaxAreaRadius}, "district": str()}),
		"UnsubscribeRequest": object(map[string]any{"token": map[string]any{"type": "string", "maxLength": follow.MaxTokenLen}}, "token"),
		"InfoRequest": object(map[string]any{"note": map[string]any{"type": "string", "maxLength": hazard.MaxNoteLen},
			"photos": map[string]any{"type": "array", "items": str(), "maxItems": hazard.MaxPhotos}}),
		"QuestionRequest": object(map[string]any{"question": map[string]any{"type": "string", "maxLength": hazard.MaxNoteLen}}, "question"),
		"AnswerRequest": object(map[string]any{"question": integer(),
			"answer": map[string]any{"type": "string", "maxLength": hazard.MaxNoteLen}}, "question", "answer"),
	}
}

// queryFloat parses the query parameter name as a finite number; required
// when req.
func queryFloat(r *http.Request, name string, req bool) (float64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		if req {
			return 0, &hazard.Error{Code: hazard.CodeInvalid, Field: name, Message: "is required"}
		}
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != f {
		return 0, &hazard.Error{Code: hazard.CodeInvalid, Field: name, Message: "must be a number"}
	}
	return f, nil
}

// NearbyResponse is the answer of GET /api/v1/nearby.
type NearbyResponse struct {
	Items []PublicReport `json:"items"`
}

func (s *Server) nearby(w http.ResponseWriter, r *http.Request, _ caller) error {
	q := r.URL.Query()
	lat, err := queryFloat(r, "lat", true)
	if err != nil {
		return err
	}
	lng, err := queryFloat(r, "lng", true)
	if err != nil {
		return err
	}
	radius, err := queryFloat(r, "radius", false)
	if err != nil {
		return err
	}
	limit, err := queryUint(r, "limit")
	if err != nil {
		return err
	}
	if limit > hazard.MaxNearbyLimit {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "limit", Message: "must be at most " + strconv.Itoa(hazard.MaxNearbyLimit)}
	}
	sys, err := hazard.ParseCoordSystem(q.Get("coord_system"))
	if err != nil {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "coord_system", Message: "must be wgs84 or gcj02"}
	}
	if len(q.Get("category")) > MaxFilterLen {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "category", Message: "is not a category"}
	}
	items, err := s.svc.NearbyPublic(r.Context(), hazard.PublicNearbyQuery{
		Category: q.Get("category"), Center: hazard.Point{Lat: lat, Lng: lng, System: sys},
		RadiusMeters: radius, Limit: int(limit),
	})
	if err != nil {
		return err
	}
	out := NearbyResponse{Items: make([]PublicReport, len(items))}
	for i, p := range items {
		out.Items[i] = publicReport(p)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) meToo(w http.ResponseWriter, r *http.Request, c caller) error {
	res, err := s.follow.MeToo(r.Context(), c.user(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) followReport(w http.ResponseWriter, r *http.Request, c caller) error {
	res, err := s.follow.Follow(r.Context(), c.user(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) unfollowReport(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := s.follow.Unfollow(r.Context(), c.user(), r.PathValue("ref")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) subscriptions(w http.ResponseWriter, r *http.Request, c caller) error {
	subs, err := s.follow.Subscriptions(r.Context(), c.user())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, subs)
	return nil
}

func (s *Server) watchArea(w http.ResponseWriter, r *http.Request, c caller) error {
	return decodeCall(w, r, http.StatusCreated, func(in follow.AreaInput) (any, error) {
		return s.follow.Watch(r.Context(), c.user(), in)
	})
}

func (s *Server) unwatchArea(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathUUID(r, "id", "area")
	if err != nil {
		return err
	}
	if err := s.follow.Unwatch(r.Context(), c.user(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// UnsubscribeRequest carries the token of an unsubscribe link.
type UnsubscribeRequest struct {
	Token string `json:"token"`
}

func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request, _ caller) error {
	return decodeCall(w, r, http.StatusOK, func(in UnsubscribeRequest) (any, error) {
		return s.follow.Unsubscribe(r.Context(), in.Token)
	})
}

// InfoRequest is what a reporter adds to their open report.
type InfoRequest struct {
	Note   string   `json:"note"`
	Photos []string `json:"photos"`
}

// QuestionRequest is staff's question to a reporter.
type QuestionRequest struct {
	Question string `json:"question"`
}

// AnswerRequest is the reporter's answer to the question numbered
// Question.
type AnswerRequest struct {
	Question int64  `json:"question"`
	Answer   string `json:"answer"`
}

// exchanged writes the view of the report id the caller may have after an
// exchange, as an action's answer does.
func (s *Server) exchanged(w http.ResponseWriter, r *http.Request, c caller, h hazard.Hazard, err error) error {
	if err != nil {
		return err
	}
	v, err := s.view(r, c, h.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) addInfo(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in InfoRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	h, err := s.photos.AddInfo(r.Context(), c.user(), id, hazard.AddInfoInput{Note: in.Note}, in.Photos)
	return s.exchanged(w, r, c, h, err)
}

func (s *Server) ask(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in QuestionRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	h, err := s.svc.Ask(r.Context(), c.user(), id, in.Question)
	return s.exchanged(w, r, c, h, err)
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in AnswerRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	h, err := s.svc.Answer(r.Context(), c.user(), id, in.Question, in.Answer)
	return s.exchanged(w, r, c, h, err)
}
