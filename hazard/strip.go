package hazard

import (
	"bytes"
	"encoding/binary"
)

// StripMetadata returns a copy of a JPEG, PNG or WebP image without its
// metadata: EXIF (with GPS positions), XMP, comments and text chunks. It
// parses the container only and never decodes or re-encodes the pixels.
//
//   - JPEG: the image ends at its end-of-image marker (whatever follows, a
//     second picture or a video with its own metadata, is dropped), and
//     every APPn segment, before or between scans, but JFIF (APP0), the ICC
//     colour profile
//     (APP2, which holds no personal data and without which wide-gamut
//     phone photos look washed out) and Adobe (APP14, which tells how
//     colours are coded) and every comment (COM) is dropped. An EXIF
//     segment (APP1) that turns the image (Orientation 2 to 8, as phones
//     write for a photo taken upright) is replaced by a minimal one that
//     holds the orientation alone, so that the photo still shows upright.
//   - PNG: the ancillary chunks tEXt, zTXt, iTXt, eXIf and tIME are dropped.
//   - WebP: the EXIF and XMP chunks are dropped and the VP8X flags that
//     announce them cleared.
//
// A malformed image or another content type is CodeInvalid. The result is
// b itself when there is nothing to strip from a PNG (no copy is made);
// change neither.
func StripMetadata(contentType string, b []byte) ([]byte, error) {
	switch contentType {
	case TypeJPEG:
		return stripJPEG(b)
	case TypePNG:
		return stripPNG(b)
	case TypeWebP:
		return stripWebP(b)
	}
	return nil, Errorf(CodeInvalid, "cannot strip metadata of %q", contentType)
}

func malformed(kind string) error {
	return &Error{Code: CodeInvalid, Field: "file", Message: "the file is not a well-formed " + kind + " image"}
}

func stripJPEG(b []byte) ([]byte, error) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return nil, malformed("JPEG")
	}
	out := make([]byte, 0, len(b))
	out = append(out, 0xFF, 0xD8)
	oriented := false // one orientation segment at most
	i := 2
	for {
		if i >= len(b) || b[i] != 0xFF {
			return nil, malformed("JPEG")
		}
		for i < len(b) && b[i] == 0xFF { // fill bytes
			i++
		}
		if i >= len(b) {
			return nil, malformed("JPEG")
		}
		m := b[i]
		i++
		switch {
		case m == 0xD9: // end of image
			return append(out, 0xFF, 0xD9), nil
		case m >= 0xD0 && m <= 0xD7 || m == 0x01: // no length
			out = append(out, 0xFF, m)
			continue
		}
		if i+2 > len(b) {
			return nil, malformed("JPEG")
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			return nil, malformed("JPEG")
		}
		seg := b[i : i+n]
		if m == 0xDA { // start of scan: its header, then entropy-coded data
			end := scanEnd(b, i+n)
			out = append(out, 0xFF, m)
			out = append(out, b[i:end]...)
			if end == len(b) { // no end-of-image marker: end the image here
				return append(out, 0xFF, 0xD9), nil
			}
			i = end // the next marker: another scan's tables, another scan or the end
			continue
		}
		keep := true
		switch {
		case m == 0xE0:
			keep = bytes.HasPrefix(seg[2:], []byte("JFIF\x00"))
		case m == 0xE1:
			keep = false
			if o, order, ok := exifOrientation(seg[2:]); ok && o != 1 && !oriented {
				out = append(out, orientationSegment(o, order)...)
				oriented = true
			}
		case m == 0xE2:
			keep = bytes.HasPrefix(seg[2:], []byte("ICC_PROFILE\x00"))
		case m == 0xEE:
			keep = bytes.HasPrefix(seg[2:], []byte("Adobe"))
		case m > 0xE0 && m <= 0xEF, m == 0xFE:
			keep = false
		}
		if keep {
			out = append(out, 0xFF, m)
			out = append(out, seg...)
		}
		i += n
	}
}

// scanEnd returns the index of the marker that ends the entropy-coded data
// starting at i: the first 0xFF not followed by 0x00 (a stuffed byte) or by
// a restart marker (0xD0 to 0xD7), which are part of the data; len(b) when
// there is none.
func scanEnd(b []byte, i int) int {
	for ; i+1 < len(b); i++ {
		if b[i] != 0xFF {
			continue
		}
		if m := b[i+1]; m != 0x00 && (m < 0xD0 || m > 0xD7) && m != 0xFF {
			return i
		}
	}
	return len(b)
}

// exifHeader starts the payload of a JPEG EXIF segment, before the TIFF
// structure.
const exifHeader = "Exif\x00\x00"

// tagOrientation is the EXIF (TIFF) tag of the image's orientation.
const tagOrientation = 0x0112

// byteOrder reads and appends: binary.LittleEndian or binary.BigEndian.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// exifOrientation returns the Orientation (1 to 8) in IFD0 of an APP1
// payload and the TIFF byte order, and reports false when the payload is
// not EXIF, is malformed or has no valid orientation.
func exifOrientation(p []byte) (int, byteOrder, bool) {
	if !bytes.HasPrefix(p, []byte(exifHeader)) {
		return 0, nil, false
	}
	tiff := p[len(exifHeader):]
	if len(tiff) < 8 {
		return 0, nil, false
	}
	var order byteOrder
	switch string(tiff[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 0, nil, false
	}
	if order.Uint16(tiff[2:]) != 42 {
		return 0, nil, false
	}
	ifd := int64(order.Uint32(tiff[4:]))
	if ifd < 8 || ifd+2 > int64(len(tiff)) {
		return 0, nil, false
	}
	count := int64(order.Uint16(tiff[ifd:]))
	entries := tiff[ifd+2:]
	if count*12 > int64(len(entries)) {
		return 0, nil, false
	}
	for e := int64(0); e < count; e++ {
		entry := entries[e*12 : e*12+12]
		// Type 3 is SHORT; one value sits in the first bytes of the value field.
		if order.Uint16(entry) != tagOrientation || order.Uint16(entry[2:]) != 3 || order.Uint32(entry[4:]) != 1 {
			continue
		}
		if o := int(order.Uint16(entry[8:])); o >= 1 && o <= 8 {
			return o, order, true
		}
		return 0, nil, false
	}
	return 0, nil, false
}

// orientationSegment returns a JPEG APP1 segment (marker included) whose
// EXIF holds one tag: the orientation o, in the given byte order.
func orientationSegment(o int, order byteOrder) []byte {
	tiff := make([]byte, 0, 26)
	if order == binary.LittleEndian {
		tiff = append(tiff, "II"...)
	} else {
		tiff = append(tiff, "MM"...)
	}
	tiff = order.AppendUint16(tiff, 42)
	tiff = order.AppendUint32(tiff, 8) // IFD0 right after the header
	tiff = order.AppendUint16(tiff, 1) // one entry
	tiff = order.AppendUint16(tiff, tagOrientation)
	tiff = order.AppendUint16(tiff, 3) // SHORT
	tiff = order.AppendUint32(tiff, 1) // one value
	tiff = order.AppendUint16(tiff, uint16(o))
	tiff = append(tiff, 0, 0)          // the value field's padding
	tiff = order.AppendUint32(tiff, 0) // no next IFD
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(2+len(exifHeader)+len(tiff)))
	seg = append(seg, exifHeader...)
	return append(seg, tiff...)
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

func stripPNG(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, pngSignature) {
		return nil, malformed("PNG")
	}
	clean, err := pngClean(b)
	if err != nil {
		return nil, err
	}
	if clean {
		return b, nil // nothing to strip: no copy
	}
	out := make([]byte, 0, len(b))
	out = append(out, pngSignature...)
	i := len(pngSignature)
	for i < len(b) {
		if i+12 > len(b) {
			return nil, malformed("PNG")
		}
		n := int(binary.BigEndian.Uint32(b[i:]))
		if n < 0 || n > len(b)-i-12 {
			return nil, malformed("PNG")
		}
		typ := string(b[i+4 : i+8])
		end := i + 12 + n
		switch typ {
		case "tEXt", "zTXt", "iTXt", "eXIf", "tIME":
		default:
			out = append(out, b[i:end]...)
		}
		i = end
		if typ == "IEND" {
			return out, nil
		}
	}
	return nil, malformed("PNG")
}

// pngClean walks the chunks of a PNG and reports whether it has none that
// stripPNG removes; a malformed PNG is an error.
func pngClean(b []byte) (bool, error) {
	clean := true
	for i := len(pngSignature); i < len(b); {
		if i+12 > len(b) {
			return false, malformed("PNG")
		}
		n := int(binary.BigEndian.Uint32(b[i:]))
		if n < 0 || n > len(b)-i-12 {
			return false, malformed("PNG")
		}
		switch typ := string(b[i+4 : i+8]); typ {
		case "tEXt", "zTXt", "iTXt", "eXIf", "tIME":
			clean = false
		case "IEND":
			return clean, nil
		}
		i += 12 + n
	}
	return false, malformed("PNG")
}

func stripWebP(b []byte) ([]byte, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return nil, malformed("WebP")
	}
	size := int(binary.LittleEndian.Uint32(b[4:]))
	if size < 4 || size > len(b)-8 {
		return nil, malformed("WebP")
	}
	b = b[:8+size]
	out := make([]byte, 12, len(b))
	copy(out, b[:12])
	i := 12
	for i < len(b) {
		if i+8 > len(b) {
			return nil, malformed("WebP")
		}
		fourcc := string(b[i : i+4])
		// In 64 bits, so that a length near 4 GiB cannot overflow an int.
		n := int64(binary.LittleEndian.Uint32(b[i+4:]))
		padded, room := n+n&1, int64(len(b)-i-8)
		if padded > room {
			if padded == room+1 { // a final odd chunk without its pad byte
				padded = n
			} else {
				return nil, malformed("WebP")
			}
		}
		chunk := b[i : i+8+int(padded)]
		switch fourcc {
		case "EXIF", "XMP ":
		case "VP8X":
			c := append([]byte(nil), chunk...)
			if n > 0 {
				c[8] &^= 0x08 | 0x04 // EXIF and XMP present flags
			}
			out = append(out, c...)
		default:
			out = append(out, chunk...)
		}
		i += 8 + int(padded)
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, nil
}
