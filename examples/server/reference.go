package server

import (
	"net/http"

	"github.com/hazardloop/hazardloop/hazard"
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
	var in ArticleInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.articles.create(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) updateArticle(w http.ResponseWriter, r *http.Request, _ caller) error {
	var in ArticleInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.articles.update(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) publishArticle(w http.ResponseWriter, r *http.Request, _ caller) error {
	a, err := s.articles.publish(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
