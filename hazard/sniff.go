package hazard

// SniffPhoto returns the photo type of data judged by its first bytes
// (TypeJPEG, TypePNG or TypeWebP), or "" for anything else. A file's name or
// a client's claimed type never decides: only the content does. It agrees
// with net/http.DetectContentType on these three types.
func SniffPhoto(data []byte) string {
	s := string(data[:min(len(data), 14)])
	switch {
	case len(s) >= 3 && s[:3] == "\xFF\xD8\xFF":
		return TypeJPEG
	case len(s) >= 8 && s[:8] == "\x89PNG\r\n\x1a\n":
		return TypePNG
	case len(s) == 14 && s[:4] == "RIFF" && s[8:14] == "WEBPVP":
		return TypeWebP
	}
	return ""
}
