package server_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
)

// pngChunk makes a PNG chunk with its CRC.
func pngChunk(typ, data string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE([]byte(typ+data)))
}

func TestStripMetadata(t *testing.T) {
	plain := pngPhoto(t, 3)
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
		{"jpeg", hazard.TypeJPEG, jpegWithGPS()},
		{"png", hazard.TypePNG, withMeta},
		{"webp", hazard.TypeWebP, webpWithEXIF(true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, string(tc.in), "GPS", "the input has metadata")
			out, err := server.StripMetadata(tc.ct, tc.in)
			require.NoError(t, err)
			assert.NotContains(t, string(out), "GPS")
			again, err := server.StripMetadata(tc.ct, out)
			require.NoError(t, err, "stripping a stripped image")
			assert.Equal(t, out, again, "stripping is idempotent")
		})
	}
	t.Run("jpeg keeps JFIF and the scan", func(t *testing.T) {
		out, err := server.StripMetadata(hazard.TypeJPEG, jpegWithGPS())
		require.NoError(t, err)
		assert.Contains(t, string(out), "JFIF")
		assert.NotContains(t, string(out), "secret comment")
		assert.True(t, bytes.HasSuffix(out, []byte{0x12, 0x34, 0x56, 0xFF, 0x00, 0x78, 0xFF, 0xD9}), "scan data kept")
	})
	t.Run("png still decodes", func(t *testing.T) {
		out, err := server.StripMetadata(hazard.TypePNG, withMeta)
		require.NoError(t, err)
		assert.Equal(t, plain, out, "the original image, chunk for chunk")
		_, err = png.Decode(bytes.NewReader(out))
		require.NoError(t, err)
	})
	t.Run("webp flags and size", func(t *testing.T) {
		out, err := server.StripMetadata(hazard.TypeWebP, webpWithEXIF(true))
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
		{"png truncated", hazard.TypePNG, pngPhoto(t, 1)[:40]},
		{"png huge chunk length", hazard.TypePNG, append(append([]byte(nil), pngPhoto(t, 1)[:8]...), 0xFF, 0xFF, 0xFF, 0xFF, 'I', 'H', 'D', 'R')},
		{"webp bad size", hazard.TypeWebP, []byte("RIFF\xff\xff\xff\x7fWEBPVP8 ")},
		{"gif", "image/gif", []byte("GIF89a")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := server.StripMetadata(tc.ct, tc.in)
			require.ErrorIs(t, err, hazard.ErrInvalid)
		})
	}
}

func TestCheckResidentID(t *testing.T) {
	now := mustTime(t, "2026-01-01T00:00:00Z")
	require.NoError(t, server.CheckResidentID("11010519491231002X", now))
	require.NoError(t, server.CheckResidentID("11010519491231002x", now))
	for _, id := range []string{"110105194912310021", "11010519491231002", "11010519491231002XX", "1101051949123100 X", withCheck("11010518991231002"), withCheck("11010520260102002")} {
		require.ErrorIs(t, server.CheckResidentID(id, now), hazard.ErrInvalid, id)
	}
}
