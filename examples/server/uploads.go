package server

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Limits of uploads: the library's (hazard.Photos enforces them), and the
// room left for the multipart framing around one photo.
const (
	// MaxUploadSize is the largest photo accepted, in bytes (10 MiB).
	MaxUploadSize = hazard.MaxPhotoSize
	// maxUploadOverhead is the room left for the multipart framing.
	maxUploadOverhead = 64 << 10
	// DefaultUploadTTL is how long an upload no report refers to is kept.
	DefaultUploadTTL = hazard.DefaultUploadTTL
	// MaxPendingUploads is how many uploads one user may hold that no report
	// refers to yet.
	MaxPendingUploads = hazard.MaxPendingUploads
	// pendingRetryAfter is the wait advertised to a user at
	// MaxPendingUploads.
	pendingRetryAfter = time.Hour
)

// UploadResponse answers an upload.
type UploadResponse struct {
	Key         string `json:"key"`
	URL         string `json:"url"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// upload parses one photo from the multipart field "file" and hands it to
// hazard.Photos.Upload, which sniffs, checks, strips, reserves and stores.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, c caller) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return hazard.Errorf(CodeUnsupportedMedia, "the body must be multipart/form-data with the photo in the field \"file\"")
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadSize+maxUploadOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return hazard.Errorf(hazard.CodeInvalid, "the body is not valid multipart/form-data")
	}
	// The photo streams from the request into the use case, which keeps
	// one copy in memory (and waits for a turn when
	// Config.MaxConcurrentUploads uploads run).
	var u hazard.Upload
	uploaded := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return bodyError(err, "the body is not valid multipart/form-data")
		}
		if part.FormName() != "file" {
			return &hazard.Error{Code: hazard.CodeInvalid, Field: part.FormName(), Message: "unknown field: send only the field \"file\""}
		}
		if uploaded {
			return &hazard.Error{Code: hazard.CodeInvalid, Field: "file", Message: "one photo per request"}
		}
		body := &bodyReader{r: part}
		if c.signed {
			u, err = s.photos.Upload(r.Context(), c.user(), body)
		} else {
			u, err = s.photos.UploadAnonymous(r.Context(), s.origin(r), body)
		}
		switch {
		case body.err != nil:
			return bodyError(body.err, "the photo could not be read")
		case err != nil:
			return uploadError(err)
		}
		uploaded = true
	}
	if !uploaded {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "file", Message: "a photo is required in the field \"file\""}
	}
	writeJSON(w, http.StatusCreated, UploadResponse{Key: u.Key, URL: photoPath + u.Key, ContentType: u.ContentType, Size: u.Size})
	return nil
}

// bodyReader remembers the first error other than io.EOF of reading the
// request, to tell it from the use case's own errors.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// uploadError gives the refusals of an upload their HTTP codes: too large
// (413), not a photo (415), too many pending uploads (429 with a wait).
func uploadError(err error) error {
	var he *hazard.Error
	switch {
	case errors.Is(err, hazard.ErrPhotoTooLarge) && errors.As(err, &he):
		return &hazard.Error{Code: CodeTooLarge, Field: he.Field, Message: he.Message, Err: err}
	case errors.Is(err, hazard.ErrPhotoType) && errors.As(err, &he):
		return &hazard.Error{Code: CodeUnsupportedMedia, Field: he.Field, Message: he.Message, Err: err}
	case errors.Is(err, hazard.ErrRateLimited):
		return withRetryAfter(err, pendingRetryAfter)
	}
	return err
}

// bodyError tells a body over its limit (413) from a malformed one (400).
func bodyError(err error, msg string) error { return readError(err, msg) }
