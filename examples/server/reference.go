package server

import (
	"net/http"
	"slices"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/workflow"
)

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request, _ caller) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request, _ caller) error {
	if s.shutting.Load() {
		return hazard.Errorf(CodeUnavailable, "shutting down")
	}
	if _, err := s.store.LastSeq(r.Context()); err != nil {
		s.log.Error("readiness: store", "error", err)
		return hazard.Errorf(CodeUnavailable, "the store does not answer")
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

func (s *Server) categories(w http.ResponseWriter, _ *http.Request, _ caller) error {
	writeJSON(w, http.StatusOK, map[string]any{"items": s.svc.Categories().All()})
	return nil
}

func (s *Server) departments(w http.ResponseWriter, _ *http.Request, _ caller) error {
	writeJSON(w, http.StatusOK, map[string]any{"items": s.svc.Departments()})
	return nil
}

func (s *Server) openapi(w http.ResponseWriter, _ *http.Request, _ caller) error {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(s.openapiDoc)
	return nil
}

func (s *Server) listArticles(w http.ResponseWriter, r *http.Request, c caller) error {
	kind := ArticleKind(r.URL.Query().Get("kind"))
	if kind != "" && !kind.Valid() {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "kind", Message: "must be law, rule or knowledge"}
	}
	items, err := s.articles.list(r.Context(), kind, c.admin())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ListResponse[Article]{Items: items})
	return nil
}

func (s *Server) getArticle(w http.ResponseWriter, r *http.Request, c caller) error {
	a, err := s.articles.get(r.Context(), r.PathValue("id"), c.admin())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) createArticle(w http.ResponseWriter, r *http.Request, _ caller) error {
	return decodeCall(w, r, http.StatusCreated, func(in ArticleInput) (any, error) {
		return s.articles.create(r.Context(), in)
	})
}

func (s *Server) updateArticle(w http.ResponseWriter, r *http.Request, _ caller) error {
	return decodeCall(w, r, http.StatusOK, func(in ArticleInput) (any, error) {
		return s.articles.update(r.Context(), r.PathValue("id"), in)
	})
}

func (s *Server) publishArticle(w http.ResponseWriter, r *http.Request, _ caller) error {
	a, err := s.articles.publish(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// ProcessInfo describes one process: its states with what they mean and
// its actions, as the hazard service declares them. Pages and clients read
// it instead of keeping their own list of states.
type ProcessInfo struct {
	Name    string             `json:"name"`
	Version int                `json:"version"`
	States  []ProcessState     `json:"states"`
	Actions []ProcessActionRef `json:"actions"`
}

// ProcessState is a state of a process.
type ProcessState struct {
	Name  string             `json:"name"`
	Kind  workflow.StateKind `json:"kind"`
	Label workflow.Label     `json:"label"`
	// Public is the status the plaza shows.
	Public workflow.Label `json:"public"`
	// Outcome is how a terminal state closes a hazard (valid, invalid).
	Outcome hazard.Outcome `json:"outcome,omitempty"`
	// Open311 is the state's Open311 update status.
	Open311 hazard.Open311Status `json:"open311"`
}

// ProcessActionRef is an action of a process.
type ProcessActionRef struct {
	Name  string          `json:"name"`
	Label workflow.Label  `json:"label"`
	Roles []workflow.Role `json:"roles"`
}

func processInfo(pr *hazard.Process) ProcessInfo {
	def := pr.Definition()
	out := ProcessInfo{Name: def.Name(), Version: def.Version(), States: []ProcessState{}, Actions: []ProcessActionRef{}}
	for _, st := range def.States() {
		m, _ := pr.Meaning(st.Name)
		out.States = append(out.States, ProcessState{Name: st.Name, Kind: st.Kind, Label: st.Label,
			Public: m.Public, Outcome: m.Closes, Open311: m.Open311})
	}
	for _, a := range def.Actions() {
		if !slices.ContainsFunc(out.Actions, func(x ProcessActionRef) bool { return x.Name == a.Name }) {
			out.Actions = append(out.Actions, ProcessActionRef{Name: a.Name, Label: a.Label, Roles: a.Roles})
		}
	}
	return out
}

func (s *Server) processes(w http.ResponseWriter, _ *http.Request, _ caller) error {
	all := s.svc.Processes().All()
	items := make([]ProcessInfo, len(all))
	for i, pr := range all {
		items[i] = processInfo(pr)
	}
	writeJSON(w, http.StatusOK, ListResponse[ProcessInfo]{Items: items})
	return nil
}
