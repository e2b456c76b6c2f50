package open311_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

// createdRef posts form (or files beside it) and returns the new request's ID.
func createdRef(t *testing.T, r response) string {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	list := jsonList(t, r)
	require.Len(t, list, 1)
	return list[0]["service_request_id"].(string)
}

// openPhoto reads the photo with the key as user may see it.
func openPhoto(t *testing.T, e *env, user hazard.User, key string) ([]byte, hazard.PhotoCopy, error) {
	t.Helper()
	rc, pc, err := e.photos.Open(context.Background(), user, key)
	if err != nil {
		return nil, pc, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return b, pc, nil
}

// TestPartnerPhotosAreServedAsACitizens: a photo a partner sends (by
// media_url or as a media file) is recorded against the report: staff and
// the reporter read the original, the public the copy without metadata,
// exactly as for a photo a citizen uploads.
func TestPartnerPhotosAreServedAsACitizens(t *testing.T) {
	original := hazardtest.JPEGWithGPS()
	for _, tc := range []struct {
		name string
		post func(e *env) response
	}{
		{"media_url", func(e *env) response {
			form := e.validForm()
			form.Set("media_url", e.media.URL+"/gps.jpg")
			return e.post("json", form)
		}},
		{"media file", func(e *env) response {
			form := e.validForm()
			form.Del("media_url")
			return e.postMultipart("json", form, original)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ref := createdRef(t, tc.post(e))
			h, err := e.store.GetByRef(context.Background(), ref)
			require.NoError(t, err)
			require.Len(t, h.Photos, 1)
			key := h.Photos[0].SHA256
			assert.Equal(t, sha256Hex(original), key, "the photo is the original's")

			for _, u := range []hazard.User{dispatcher, mustUser(t, e, ref)} {
				b, pc, err := openPhoto(t, e, u, key)
				require.NoError(t, err, "Open as %s", u.Role)
				assert.True(t, pc.Original, "%s reads the original", u.Role)
				assert.Equal(t, original, b, "%s reads the original", u.Role)
			}
			b, pc, err := openPhoto(t, e, hazard.User{}, key)
			require.NoError(t, err, "Open as the public")
			assert.False(t, pc.Original, "the public reads the copy")
			assert.False(t, bytes.Contains(b, []byte("GPS")) || bytes.Contains(b, []byte("secret comment")), "the public copy has no metadata")
		})
	}
}

// TestPostMultipartMedia: a photo sent as a multipart media file, alone or
// beside media_url, counts against the same limits and is checked by its
// content.
func TestPostMultipartMedia(t *testing.T) {
	e := newEnv(t)
	t.Run("file beside a URL", func(t *testing.T) {
		ref := createdRef(t, e.postMultipart("json", e.validForm(), e.pngData))
		h, err := e.store.GetByRef(context.Background(), ref)
		require.NoError(t, err)
		var got []string
		for _, p := range h.Photos {
			got = append(got, p.SHA256)
		}
		assert.ElementsMatch(t, []string{sha256Hex(e.pngData), sha256Hex(e.jpeg)}, got)
	})
	t.Run("not a photo", func(t *testing.T) {
		form := e.validForm()
		form.Del("media_url")
		_, descs := checkErrors(t, "json", e.postMultipart("json", form, []byte("not a photo at all")), http.StatusBadRequest)
		assert.Equal(t, []string{"media"}, fieldsOf(descs))
	})
	t.Run("too many", func(t *testing.T) {
		files := make([][]byte, 0, 9)
		for range 9 {
			files = append(files, e.pngData)
		}
		_, descs := checkErrors(t, "json", e.postMultipart("json", e.validForm(), files...), http.StatusBadRequest)
		assert.Equal(t, []string{"media_url"}, fieldsOf(descs))
	})
}
