package server

import (
	"io"
	"net/http"
	"strconv"
	"time"
)

// PublicPhotoMaxAge is how long caches may keep a public copy of a photo:
// short, so that a moderator's redaction or hiding reaches every viewer
// within it.
const PublicPhotoMaxAge = time.Minute

// photo serves a photo as hazard.Photos.Open decides: the original to its
// uploader and to whoever may see a report that refers to it in full (its
// copy without metadata once the original's retention period ended), the
// copy without metadata to the public when a report refers to it, and not
// found to anyone else.
func (s *Server) photo(w http.ResponseWriter, r *http.Request, c caller) error {
	rc, pc, err := s.photos.Open(r.Context(), c.user(), r.PathValue("key"))
	if err != nil {
		return err
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", pc.ContentType)
	h.Set("Content-Length", strconv.FormatInt(pc.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'")
	if pc.Original || pc.Purged {
		// Personal: who may see it decides (a purged original's public
		// copy is given in its stead to the same people).
		h.Set("Cache-Control", "no-store")
	} else {
		h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(PublicPhotoMaxAge.Seconds())))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, rc)
	return nil
}
