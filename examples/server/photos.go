package server

import (
	"io"
	"net/http"
	"strconv"

	"github.com/hazardloop/hazardloop/hazard"
)

// photo serves a photo: the original to its uploader and to whoever may
// see a report that refers to it, a copy without metadata to the public
// when a public report refers to it, and not found to anyone else.
func (s *Server) photo(w http.ResponseWriter, r *http.Request, c caller) error {
	key := r.PathValue("key")
	notFound := &hazard.Error{Code: hazard.CodeNotFound, Field: "key", Message: "no such photo"}
	if !hazard.ValidKey(key) {
		return notFound
	}
	original, public := false, false
	if c.signed {
		owns, err := s.uploads.owns(r.Context(), c.acct.ID, key)
		if err != nil {
			return err
		}
		original = owns
	}
	ids, err := s.uploads.hazards(r.Context(), key)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if original {
			break
		}
		sight, err := s.svc.SightOf(r.Context(), c.user(), id)
		if err != nil {
			return err
		}
		original = sight == hazard.SightFull
		public = public || sight >= hazard.SightPublic
	}
	if !original && !public {
		return notFound
	}
	rc, info, err := s.blobs.Open(r.Context(), key)
	if err != nil {
		return err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, MaxUploadSize+1))
	if err != nil {
		return hazard.Wrap("photo", err)
	}
	if !original {
		if data, err = StripMetadata(info.ContentType, data); err != nil {
			return hazard.Wrap("photo", err)
		}
	}
	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'")
	if original {
		h.Set("Cache-Control", "private, max-age=3600")
	} else {
		h.Set("Cache-Control", "public, max-age=86400")
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
	return nil
}
