package hazard

import "fmt"

// Limits of photos.
const (
	MinPhotos    = 1
	MaxPhotos    = 9        // a phone picker's limit
	MaxPhotoSize = 10 << 20 // bytes
)

// Photo content types accepted (sniffed from the content, never the name).
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeWebP = "image/webp"
)

// Photo refers to a stored blob by its SHA-256.
type Photo struct {
	// SHA256 is the hex SHA-256 of the content and the blob's key.
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// Key returns the blob key of the photo.
func (p Photo) Key() string { return p.SHA256 }

// ValidKey reports whether k is a well-formed blob key: 64 lower-case hex
// digits.
func ValidKey(k string) bool {
	if len(k) != 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Validate reports every problem with p.
func (p Photo) Validate() error {
	var pr Problems
	if !ValidKey(p.SHA256) {
		pr.Add("sha256", "must be 64 lower-case hex digits")
	}
	switch p.ContentType {
	case TypeJPEG, TypePNG, TypeWebP:
	default:
		pr.Add("content_type", "must be image/jpeg, image/png or image/webp")
	}
	if p.Size <= 0 || p.Size > MaxPhotoSize {
		pr.Add("size", "must be 1 to %d bytes", MaxPhotoSize)
	}
	return pr.Err("photo")
}

func validatePhotos(p *Problems, field string, photos []Photo, min int) {
	switch {
	case len(photos) < min:
		p.Add(field, "needs at least %d photo(s)", min)
	case len(photos) > MaxPhotos:
		p.Add(field, "takes at most %d photos", MaxPhotos)
	}
	for i, ph := range photos {
		err := ph.Validate()
		dup := false
		for _, q := range photos[:i] {
			if q.SHA256 == ph.SHA256 {
				dup = true
				break
			}
		}
		if err == nil && !dup {
			continue
		}
		f := fmt.Sprintf("%s[%d]", field, i)
		p.Merge(f, err)
		if dup {
			p.Add(f, "repeats an earlier photo")
		}
	}
}
