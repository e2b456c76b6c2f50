package server

import (
	"bytes"
	"encoding/binary"

	"github.com/hazardloop/hazardloop/hazard"
)

// StripMetadata returns a copy of a JPEG, PNG or WebP image without its
// metadata: EXIF (with GPS positions), XMP, comments and text chunks. It
// parses the container only and never decodes or re-encodes the pixels.
//
//   - JPEG: every APPn segment but JFIF (APP0) and Adobe (APP14, which
//     tells how colours are coded) and every comment (COM) is dropped.
//   - PNG: the ancillary chunks tEXt, zTXt, iTXt, eXIf and tIME are dropped.
//   - WebP: the EXIF and XMP chunks are dropped and the VP8X flags that
//     announce them cleared.
//
// A malformed image or another content type is CodeInvalid.
func StripMetadata(contentType string, b []byte) ([]byte, error) {
	switch contentType {
	case hazard.TypeJPEG:
		return stripJPEG(b)
	case hazard.TypePNG:
		return stripPNG(b)
	case hazard.TypeWebP:
		return stripWebP(b)
	}
	return nil, hazard.Errorf(hazard.CodeInvalid, "cannot strip metadata of %q", contentType)
}

func malformed(kind string) error {
	return &hazard.Error{Code: hazard.CodeInvalid, Field: "file", Message: "the file is not a well-formed " + kind + " image"}
}

func stripJPEG(b []byte) ([]byte, error) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return nil, malformed("JPEG")
	}
	out := make([]byte, 0, len(b))
	out = append(out, 0xFF, 0xD8)
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
		if m == 0xDA { // start of scan: the rest is entropy-coded data
			out = append(out, 0xFF, m)
			return append(out, b[i:]...), nil
		}
		keep := true
		switch {
		case m == 0xE0:
			keep = bytes.HasPrefix(seg[2:], []byte("JFIF\x00"))
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

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

func stripPNG(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, pngSignature) {
		return nil, malformed("PNG")
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
		n := int(binary.LittleEndian.Uint32(b[i+4:]))
		padded := n + n&1
		if n < 0 || padded > len(b)-i-8 {
			if padded == len(b)-i-8+1 { // a final odd chunk without its pad byte
				padded = n
			} else {
				return nil, malformed("WebP")
			}
		}
		chunk := b[i : i+8+padded]
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
		i += 8 + padded
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, nil
}
