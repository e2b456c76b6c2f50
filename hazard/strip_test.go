package hazard_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

// pngChunk makes a PNG chunk with its CRC.
func pngChunk(typ, data string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE([]byte(typ+data)))
}

func TestStripMetadata(t *testing.T) {
	plain := hazardtest.PNGPhoto(3)
	// Insert text and eXIf chunks after IHDR (8 signature + 25 IHDR bytes).
	var withMeta []byte
	withMeta = append(withMeta, plain[:33]...)
	withMeta = append(withMeta, pngChunk("tEXt", "Comment\x00GPS 36.45N")...)
	withMeta = append(withMeta, pngChunk("eXIf", "MM\x00*GPSLatitude")...)
	withMeta = append(withMeta, pngChunk("iTXt", "XML:com.adobe.xmp\x00\x00\x00\x00\x00GPS")...)
	withMeta = append(withMeta, plain[33:]...)

	for _, tc := range []struct {
		name, ct string
		in       []byte
	}{
		{"jpeg", hazard.TypeJPEG, hazardtest.JPEGWithGPS()},
		{"png", hazard.TypePNG, withMeta},
		{"webp", hazard.TypeWebP, hazardtest.WebPWithEXIF(true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, string(tc.in), "GPS", "the input has metadata")
			out, err := hazard.StripMetadata(tc.ct, tc.in)
			require.NoError(t, err)
			assert.NotContains(t, string(out), "GPS")
			again, err := hazard.StripMetadata(tc.ct, out)
			require.NoError(t, err, "stripping a stripped image")
			assert.Equal(t, out, again, "stripping is idempotent")
		})
	}
	t.Run("jpeg keeps JFIF and the scan", func(t *testing.T) {
		out, err := hazard.StripMetadata(hazard.TypeJPEG, hazardtest.JPEGWithGPS())
		require.NoError(t, err)
		assert.Contains(t, string(out), "JFIF")
		assert.NotContains(t, string(out), "secret comment")
		assert.True(t, bytes.HasSuffix(out, []byte{0x12, 0x34, 0x56, 0xFF, 0x00, 0x78, 0xFF, 0xD9}), "scan data kept")
	})
	t.Run("png still decodes", func(t *testing.T) {
		out, err := hazard.StripMetadata(hazard.TypePNG, withMeta)
		require.NoError(t, err)
		assert.Equal(t, plain, out, "the original image, chunk for chunk")
		_, err = png.Decode(bytes.NewReader(out))
		require.NoError(t, err)
	})
	t.Run("webp flags and size", func(t *testing.T) {
		out, err := hazard.StripMetadata(hazard.TypeWebP, hazardtest.WebPWithEXIF(true))
		require.NoError(t, err)
		assert.Equal(t, uint32(len(out)-8), binary.LittleEndian.Uint32(out[4:8]), "RIFF size")
		assert.Equal(t, byte(0), out[20]&0x0C, "VP8X EXIF and XMP flags cleared")
	})
	for _, tc := range []struct {
		name, ct string
		in       []byte
	}{
		{"jpeg truncated segment", hazard.TypeJPEG, []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x10, 0x00, 'x'}},
		{"jpeg without marker", hazard.TypeJPEG, []byte{0xFF, 0xD8, 0x00, 0x00}},
		{"png truncated", hazard.TypePNG, hazardtest.PNGPhoto(1)[:40]},
		{"png huge chunk length", hazard.TypePNG, append(append([]byte(nil), hazardtest.PNGPhoto(1)[:8]...), 0xFF, 0xFF, 0xFF, 0xFF, 'I', 'H', 'D', 'R')},
		{"webp bad size", hazard.TypeWebP, []byte("RIFF\xff\xff\xff\x7fWEBPVP8 ")},
		{"webp huge chunk length", hazard.TypeWebP, []byte("RIFF\x14\x00\x00\x00WEBPVP8 \xff\xff\xff\x7f\x00\x00\x00\x00")},
		{"gif", "image/gif", []byte("GIF89a")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := hazard.StripMetadata(tc.ct, tc.in)
			require.ErrorIs(t, err, hazard.ErrInvalid)
		})
	}
}

// jpegSegment makes a JPEG segment: marker, length and payload.
func jpegSegment(marker byte, payload []byte) []byte {
	return append([]byte{0xFF, marker, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
}

// exifPayload makes an APP1 EXIF payload in the byte order ("II" or "MM")
// with two IFD0 entries: an ImageDescription naming a GPS position and, if
// orientation is not 0, the Orientation.
func exifPayload(byteOrder string, orientation uint16) []byte {
	var order binary.AppendByteOrder = binary.BigEndian
	if byteOrder == "II" {
		order = binary.LittleEndian
	}
	desc := "GPS 36.4560N 115.9850E\x00"
	entries := uint16(1)
	if orientation != 0 {
		entries = 2
	}
	descAt := uint32(8 + 2 + 12*int(entries) + 4)
	t := []byte(byteOrder)
	t = order.AppendUint16(t, 42)
	t = order.AppendUint32(t, 8)
	t = order.AppendUint16(t, entries)
	t = order.AppendUint16(t, 0x010E) // ImageDescription, ASCII
	t = order.AppendUint16(t, 2)
	t = order.AppendUint32(t, uint32(len(desc)))
	t = order.AppendUint32(t, descAt)
	if orientation != 0 {
		t = order.AppendUint16(t, 0x0112) // Orientation, SHORT
		t = order.AppendUint16(t, 3)
		t = order.AppendUint32(t, 1)
		t = order.AppendUint16(t, orientation)
		t = append(t, 0, 0)
	}
	t = order.AppendUint32(t, 0)
	t = append(t, desc...)
	return append([]byte("Exif\x00\x00"), t...)
}

// jpegSegments lists the payloads of a JPEG's segments before the scan, by
// marker.
func jpegSegments(t *testing.T, b []byte) map[byte][][]byte {
	t.Helper()
	segs := map[byte][][]byte{}
	for i := 2; i+4 <= len(b) && b[i+1] != 0xDA; {
		require.Equal(t, byte(0xFF), b[i], "marker at %d", i)
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		segs[b[i+1]] = append(segs[b[i+1]], b[i+4:i+2+n])
		i += 2 + n
	}
	return segs
}

// TestStripKeepsOrientationAndColour checks that a real JPEG keeps what it
// needs to show right (its orientation and colour profile) and nothing
// else, and still decodes.
func TestStripKeepsOrientationAndColour(t *testing.T) {
	var enc bytes.Buffer
	require.NoError(t, jpeg.Encode(&enc, image.NewGray(image.Rect(0, 0, 8, 4)), nil))
	plain := enc.Bytes()
	icc := append([]byte("ICC_PROFILE\x00\x01\x01"), bytes.Repeat([]byte{0x42}, 64)...)
	with := func(app1 []byte) []byte {
		var b []byte
		b = append(b, plain[:2]...)
		if app1 != nil {
			b = append(b, jpegSegment(0xE1, app1)...)
		}
		b = append(b, jpegSegment(0xE2, icc)...)
		b = append(b, jpegSegment(0xE2, []byte("MPF\x00GPS in a second picture"))...)
		b = append(b, jpegSegment(0xFE, []byte("GPS comment"))...)
		return append(b, plain[2:]...)
	}
	for _, tc := range []struct {
		name string
		app1 []byte
		want []byte // the APP1 payload kept, nil for none
	}{
		{"turned, big-endian", exifPayload("MM", 6), []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00")},
		{"mirrored, little-endian", exifPayload("II", 2), []byte("Exif\x00\x00II\x2a\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00")},
		{"upright", exifPayload("MM", 1), nil},
		{"no orientation", exifPayload("II", 0), nil},
		{"orientation out of range", exifPayload("MM", 9), nil},
		{"IFD beyond the segment", append(exifPayload("MM", 6)[:10], 0x00, 0x2a, 0x7f, 0xff, 0xff, 0xff), nil},
		{"not EXIF", []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>GPS</x:xmpmeta>"), nil},
		{"no APP1", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := with(tc.app1)
			out, err := hazard.StripMetadata(hazard.TypeJPEG, in)
			require.NoError(t, err)
			assert.NotContains(t, string(out), "GPS")
			segs := jpegSegments(t, out)
			if tc.want == nil {
				assert.Empty(t, segs[0xE1], "no EXIF left")
			} else {
				assert.Equal(t, [][]byte{tc.want}, segs[0xE1], "only the orientation")
			}
			assert.Equal(t, [][]byte{icc}, segs[0xE2], "the colour profile, and no other APP2")
			_, err = jpeg.Decode(bytes.NewReader(out))
			require.NoError(t, err, "still a JPEG")
			again, err := hazard.StripMetadata(hazard.TypeJPEG, out)
			require.NoError(t, err)
			assert.Equal(t, out, again, "stripping is idempotent")
		})
	}
}

// TestStripJPEGBeyondTheFirstScan checks what follows the entropy-coded
// data: segments between or after scans are stripped by the same rules,
// whatever follows the end of the image (a second picture with its own
// EXIF, a motion photo's video) is dropped, and an image cut short before
// its end marker is ended.
func TestStripJPEGBeyondTheFirstScan(t *testing.T) {
	var enc bytes.Buffer
	require.NoError(t, jpeg.Encode(&enc, image.NewGray(image.Rect(0, 0, 16, 8)), nil))
	plain := enc.Bytes()
	require.True(t, bytes.HasSuffix(plain, []byte{0xFF, 0xD9}))
	body := plain[:len(plain)-2] // everything up to the end marker
	second := append(append([]byte{0xFF, 0xD8}, jpegSegment(0xE1, exifPayload("II", 3))...), plain[2:]...)
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"a comment after the scan", append(append(append([]byte(nil), body...), jpegSegment(0xFE, []byte("GPS 36.45N"))...), 0xFF, 0xD9)},
		{"an APP1 after the scan", append(append(append([]byte(nil), body...), jpegSegment(0xE1, exifPayload("MM", 6))...), 0xFF, 0xD9)},
		{"a second picture after the end", append(append([]byte(nil), plain...), second...)},
		{"a video after the end", append(append([]byte(nil), plain...), []byte("\x00\x00\x00\x18ftypmp42....GPS+036.45")...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, string(tc.in), "GPS", "the input has metadata")
			out, err := hazard.StripMetadata(hazard.TypeJPEG, tc.in)
			require.NoError(t, err)
			assert.NotContains(t, string(out), "GPS")
			assert.True(t, bytes.HasSuffix(out, []byte{0xFF, 0xD9}), "ends with the end-of-image marker")
			_, err = jpeg.Decode(bytes.NewReader(out))
			require.NoError(t, err, "still a JPEG")
		})
	}
	t.Run("cut short", func(t *testing.T) {
		out, err := hazard.StripMetadata(hazard.TypeJPEG, body)
		require.NoError(t, err)
		assert.Equal(t, plain, out, "the end marker is added")
	})
	t.Run("one orientation", func(t *testing.T) {
		in := append(append(append([]byte{0xFF, 0xD8}, jpegSegment(0xE1, exifPayload("MM", 6))...), jpegSegment(0xE1, exifPayload("II", 8))...), plain[2:]...)
		out, err := hazard.StripMetadata(hazard.TypeJPEG, in)
		require.NoError(t, err)
		require.Len(t, jpegSegments(t, out)[0xE1], 1, "the first orientation only")
	})
}

// FuzzStripMetadata: any input gives an image or a CodeInvalid error, never
// a panic, and stripping what was stripped changes nothing.
func FuzzStripMetadata(f *testing.F) {
	var enc bytes.Buffer
	require.NoError(f, jpeg.Encode(&enc, image.NewGray(image.Rect(0, 0, 8, 8)), nil))
	f.Add(hazard.TypeJPEG, enc.Bytes())
	f.Add(hazard.TypeJPEG, hazardtest.JPEGWithGPS())
	f.Add(hazard.TypeJPEG, append(append([]byte{0xFF, 0xD8}, jpegSegment(0xE1, exifPayload("MM", 6))...), enc.Bytes()[2:]...))
	f.Add(hazard.TypeWebP, hazardtest.WebPWithEXIF(true))
	f.Add(hazard.TypeWebP, []byte("RIFF\x14\x00\x00\x00WEBPVP8 \xff\xff\xff\x7f\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, ct string, in []byte) {
		out, err := hazard.StripMetadata(ct, in)
		if err != nil {
			require.ErrorIs(t, err, hazard.ErrInvalid)
			return
		}
		again, err := hazard.StripMetadata(ct, out)
		require.NoError(t, err, "stripping a stripped image")
		require.Equal(t, out, again, "stripping is idempotent")
	})
}

// TestSniffPhoto: the content decides, as net/http.DetectContentType does
// for the three photo types.
func TestSniffPhoto(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"png", hazardtest.PNGPhoto(1), hazard.TypePNG},
		{"jpeg", hazardtest.JPEGWithGPS(), hazard.TypeJPEG},
		{"webp", hazardtest.WebPWithEXIF(true), hazard.TypeWebP},
		{"webp without VP8", []byte("RIFF\x04\x00\x00\x00WEBPXXXX"), ""},
		{"riff wave", []byte("RIFF\x24\x00\x00\x00WAVEfmt "), ""},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), ""},
		{"text", []byte("hello, this is not a photo"), ""},
		{"jpeg prefix only", []byte{0xFF, 0xD8}, ""},
		{"empty", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, hazard.SniffPhoto(tc.in), "SniffPhoto")
			std := http.DetectContentType(tc.in)
			if tc.want != "" {
				assert.Equal(t, tc.want, std, "net/http agrees")
			} else {
				assert.NotContains(t, []string{hazard.TypeJPEG, hazard.TypePNG, hazard.TypeWebP}, std, "net/http agrees")
			}
		})
	}
}
