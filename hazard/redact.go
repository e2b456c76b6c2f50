package hazard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"slices"

	"github.com/google/uuid"
)

// RedactStyle is how a region of a photo is made unreadable.
type RedactStyle string

// The redaction styles.
const (
	// RedactBlack blacks the region out.
	RedactBlack RedactStyle = "black"
	// RedactBlur blurs the region into coarse blocks of one colour each
	// (a mosaic), which no sharpening brings back.
	RedactBlur RedactStyle = "blur"
)

// Limits of redaction.
const (
	// RegionScale is the unit of a Region: its coordinates are in
	// thousandths of the photo's width and height.
	RegionScale = 1000
	// MaxRedactPixels is the largest photo, in pixels, Redact decodes.
	MaxRedactPixels = 40_000_000
	// RedactJPEGQuality is the quality a redacted JPEG is encoded with.
	RedactJPEGQuality = 90
	// redactBlocks is how many mosaic blocks of RedactBlur span the
	// photo's shorter side.
	redactBlocks = 24
)

// ErrRedactTooLarge is the cause of a redaction refused because the photo
// has more than MaxRedactPixels pixels (CodeInvalid, field "photo").
var ErrRedactTooLarge = errors.New("photo too large to redact")

// Region is a rectangle of a photo in thousandths of its width and height
// (RegionScale), so that a page may choose it on a scaled picture.
type Region struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// Validate reports a problem when r is not a non-empty rectangle inside
// the photo.
func (r Region) Validate() error {
	var p Problems
	if r.X < 0 || r.Y < 0 || r.W < 1 || r.H < 1 || r.X+r.W > RegionScale || r.Y+r.H > RegionScale {
		p.Add("region", "must be a rectangle of at least 1 inside 0 to %d on each side", RegionScale)
	}
	return p.Err("region")
}

// rect returns r in the pixels of bounds b.
func (r Region) rect(b image.Rectangle) image.Rectangle {
	w, h := b.Dx(), b.Dy()
	x0 := b.Min.X + r.X*w/RegionScale
	y0 := b.Min.Y + r.Y*h/RegionScale
	x1 := b.Min.X + ((r.X+r.W)*w+RegionScale-1)/RegionScale
	y1 := b.Min.Y + ((r.Y+r.H)*h+RegionScale-1)/RegionScale
	return image.Rect(x0, y0, x1, y1).Intersect(b)
}

// RedactInput is the redaction of one region of a photo.
type RedactInput struct {
	// Photo is the photo's blob key.
	Photo  string
	Region Region
	Style  RedactStyle
	// Reason says why, for the audit; required.
	Reason string
	// ExpectedVersion is the version of the hazard's moderation read.
	ExpectedVersion int64
}

// Redact makes a redacted public copy of a photo of the hazard id and
// shows it instead of the photo in public views, as a moderation
// (ModRedactPhoto, see Service.Moderate for the rules). The region is
// blacked out or blurred on the photo's current public copy (its previous
// redaction, else the copy without metadata), decoded with the standard
// library and encoded again in its format, then stored as a blob of its
// own; the original and the plain public copy stay for staff and audit.
// Only JPEG and PNG photos can be redacted (CodeInvalid, field "photo":
// hide another one instead); a photo larger than MaxRedactPixels is
// CodeInvalid.
func (p *Photos) Redact(ctx context.Context, user User, id uuid.UUID, in RedactInput) (ModerationView, error) {
	const op = "redact"
	if err := p.svc.moderatorOnly(op, user); err != nil {
		return ModerationView{}, err
	}
	var pr Problems
	pr.Merge("", in.Region.Validate())
	if in.Style != RedactBlack && in.Style != RedactBlur {
		pr.Add("style", "must be %q or %q", RedactBlack, RedactBlur)
	}
	if !ValidKey(in.Photo) {
		pr.Add("photo", "is not a photo's key")
	}
	CheckText(&pr, "reason", NormalizeText(in.Reason), 1, MaxNoteLen)
	if err := pr.Err(op); err != nil {
		return ModerationView{}, err
	}
	h, err := p.svc.visibleHazard(ctx, op, user, id, inScope)
	if err != nil {
		return ModerationView{}, err
	}
	events, err := p.svc.store.HazardEvents(ctx, h.ID)
	if err != nil {
		return ModerationView{}, Wrap(op, err)
	}
	if !slices.Contains(moderatable(&h, events), in.Photo) {
		return ModerationView{}, &Error{Code: CodeInvalid, Op: op, Field: "photo", Message: "is not a photo of the report"}
	}
	m, err := p.svc.moderationOf(ctx, h.ID)
	if err != nil {
		return ModerationView{}, Wrap(op, err)
	}
	base, err := p.publicCopy(ctx, user, in.Photo, &m)
	if err != nil {
		return ModerationView{}, Wrap(op, err)
	}
	out, ct, err := redactImage(base, in.Region, in.Style)
	if err != nil {
		return ModerationView{}, &Error{Code: CodeInvalid, Op: op, Field: "photo", Err: err,
			Message: "only JPEG and PNG photos up to the size limit can be redacted: hide it instead"}
	}
	info, err := p.blobs.Put(ctx, bytes.NewReader(out), ct)
	if err != nil {
		return ModerationView{}, Wrap(op, err)
	}
	return p.svc.Moderate(ctx, user, h.ID, ModerateInput{Action: ModRedactPhoto, Photo: in.Photo,
		Reason: in.Reason, ExpectedVersion: in.ExpectedVersion, redacted: info.Key})
}

// publicCopy returns the bytes of the photo's current public copy: its
// redaction in m, else the copy without metadata its upload recorded, else
// the original without metadata.
func (p *Photos) publicCopy(ctx context.Context, user User, key string, m *Moderation) ([]byte, error) {
	src := key
	if pm, ok := m.Photo(key); ok && pm.Redacted != "" {
		src = pm.Redacted
	} else if refs, err := p.uploads.Lookup(ctx, user.ID, key); err == nil && refs.PublicKey != "" {
		src = refs.PublicKey
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	rc, info, err := p.blobs.Open(ctx, src)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, MaxPhotoSize+1))
	if err != nil {
		return nil, err
	}
	if src == key {
		return StripMetadata(info.ContentType, data)
	}
	return data, nil
}

// redactImage decodes a JPEG or PNG photo, makes the region unreadable in
// the style and encodes it again in its format; it returns the photo and
// its content type.
func redactImage(data []byte, r Region, style RedactStyle) ([]byte, string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, "", err
	}
	if format != "jpeg" && format != "png" {
		return nil, "", fmt.Errorf("cannot redact a %s photo", format)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxRedactPixels {
		return nil, "", fmt.Errorf("%w: more than %d pixels", ErrRedactTooLarge, MaxRedactPixels)
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", err
	}
	b := src.Bounds()
	img := image.NewRGBA(b)
	draw.Draw(img, b, src, b.Min, draw.Src)
	area := r.rect(b)
	switch style {
	case RedactBlack:
		draw.Draw(img, area, image.NewUniform(color.Black), image.Point{}, draw.Src)
	default:
		mosaic(img, area, max(4, min(b.Dx(), b.Dy())/redactBlocks))
	}
	var buf bytes.Buffer
	if format == "png" {
		err = png.Encode(&buf, img)
		return buf.Bytes(), "image/png", err
	}
	err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: RedactJPEGQuality})
	return buf.Bytes(), "image/jpeg", err
}

// mosaic paints each block of size pixels of area in img with the block's
// mean colour.
func mosaic(img *image.RGBA, area image.Rectangle, size int) {
	for y := area.Min.Y; y < area.Max.Y; y += size {
		for x := area.Min.X; x < area.Max.X; x += size {
			blk := image.Rect(x, y, x+size, y+size).Intersect(area)
			var sr, sg, sb, sa, n uint64
			for yy := blk.Min.Y; yy < blk.Max.Y; yy++ {
				for xx := blk.Min.X; xx < blk.Max.X; xx++ {
					c := img.RGBAAt(xx, yy)
					sr, sg, sb, sa, n = sr+uint64(c.R), sg+uint64(c.G), sb+uint64(c.B), sa+uint64(c.A), n+1
				}
			}
			if n == 0 {
				continue
			}
			mean := color.RGBA{uint8(sr / n), uint8(sg / n), uint8(sb / n), uint8(sa / n)}
			draw.Draw(img, blk, image.NewUniform(mean), image.Point{}, draw.Src)
		}
	}
}

// publicPhoto decides what the public gets of the photo with the key,
// attached to the hazards ids: ok when a hazard the public sees shows it,
// with the key of its redacted copy when that hazard's moderation redacted
// it (a hidden photo, or one of a withheld report, is not shown).
func (s *Service) publicPhoto(ctx context.Context, ids []uuid.UUID, key string) (ok bool, redacted string, err error) {
	for _, id := range ids {
		h, err := s.store.Get(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return false, "", err
		}
		events, err := s.store.HazardEvents(ctx, id)
		if err != nil {
			return false, "", err
		}
		m, err := s.moderationOf(ctx, id)
		if err != nil {
			return false, "", err
		}
		if !s.Published(&h, events, &m) {
			continue
		}
		v := s.publicOf(&h, events, &m)
		shown := slices.Contains(v.Photos, key) || slices.Contains(v.Evidence, key) ||
			slices.ContainsFunc(v.Timeline, func(e PublicEvent) bool { return slices.Contains(e.Photos, key) })
		if !shown {
			continue
		}
		pm, _ := m.Photo(key)
		return true, pm.Redacted, nil
	}
	return false, "", nil
}
