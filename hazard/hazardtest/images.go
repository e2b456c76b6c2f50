package hazardtest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
)

// PNGPhoto returns a small, valid 8×8 PNG without metadata whose content
// depends on seed: different seeds give different blob keys.
func PNGPhoto(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = byte(seed*31 + i)
	}
	img.Set(0, 0, color.RGBA{R: byte(seed), A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // encoding an RGBA image into memory does not fail
	}
	return buf.Bytes()
}

// JPEGWithGPS returns a minimal JPEG (SOI, a JFIF APP0, an EXIF APP1
// segment naming a GPS position, a comment "secret comment", a table, a
// scan and EOI). Its scan data ends with 12 34 56 FF 00 78.
func JPEGWithGPS() []byte {
	seg := func(marker byte, payload string) []byte {
		n := len(payload) + 2
		return append([]byte{0xFF, marker, byte(n >> 8), byte(n)}, payload...)
	}
	var b []byte
	b = append(b, 0xFF, 0xD8)
	b = append(b, seg(0xE0, "JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")...)
	b = append(b, seg(0xE1, "Exif\x00\x00MM\x00*GPSLatitude=36.4560N;GPSLongitude=115.9850E")...)
	b = append(b, seg(0xFE, "secret comment")...)
	b = append(b, seg(0xDB, strings.Repeat("\x01", 65))...)
	b = append(b, seg(0xDA, "\x01\x01\x00\x00\x3f\x00")...)
	b = append(b, 0x12, 0x34, 0x56, 0xFF, 0x00, 0x78)
	b = append(b, 0xFF, 0xD9)
	return b
}

// WebPWithEXIF returns a minimal extended WebP (VP8X, VP8) and, with exif,
// EXIF and XMP chunks naming a GPS position and the VP8X flags announcing
// them.
func WebPWithEXIF(exif bool) []byte {
	chunk := func(fourcc, data string) []byte {
		n := len(data)
		b := append([]byte(fourcc), byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
		b = append(b, data...)
		if n%2 == 1 {
			b = append(b, 0)
		}
		return b
	}
	flags := byte(0)
	if exif {
		flags = 0x08 | 0x04
	}
	var body []byte
	body = append(body, "WEBP"...)
	body = append(body, chunk("VP8X", string([]byte{flags, 0, 0, 0, 0, 0, 0, 0, 0, 0}))...)
	body = append(body, chunk("VP8 ", "\x30\x01\x00\x9d\x01\x2a\x01\x00\x01\x00\x02\x00")...)
	if exif {
		body = append(body, chunk("EXIF", "MM\x00*GPSLatitude=36N")...)
		body = append(body, chunk("XMP ", "<x:xmpmeta>GPS</x:xmpmeta>")...)
	}
	n := len(body)
	return append([]byte{'R', 'I', 'F', 'F', byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)}, body...)
}
