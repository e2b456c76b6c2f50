package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hazardloop/hazardloop/hazard"
)

// jsonKeys walks one JSON value of raw, as duplicateKeys did with
// encoding/json's tokenizer but over the bytes, without a decoder and with
// no allocation for the usual body: it refuses an object with a key twice,
// or two keys equal under case folding (strings.ToLower), naming the field
// path ("a.b", "a[2].b"). Malformed JSON ends the walk silently: the
// decoder reports it. Every request body goes through it, so it is on the
// path of every write.
type jsonKeys struct {
	raw []byte
	i   int
	// seen holds the keys of the objects being walked, innermost last;
	// each object's start in it is on the Go stack of object.
	seen []seenKey
	path []pathPart
}

type seenKey struct{ fold, key []byte }

type pathPart struct {
	key   []byte
	index int // when key is nil
}

// checkDuplicateKeys is duplicateKeys of one JSON value at the start of
// raw.
func checkDuplicateKeys(raw []byte) error {
	var buf [16]seenKey
	var parts [8]pathPart
	w := jsonKeys{raw: raw, seen: buf[:0], path: parts[:0]}
	err := w.value()
	if err == errMalformed {
		return nil
	}
	return err
}

// errMalformed ends a walk of malformed JSON.
var errMalformed = &hazard.Error{Code: hazard.CodeInvalid, Message: "malformed JSON"}

func (w *jsonKeys) space() {
	for w.i < len(w.raw) {
		switch w.raw[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

func (w *jsonKeys) value() error {
	w.space()
	if w.i >= len(w.raw) {
		return errMalformed
	}
	switch w.raw[w.i] {
	case '{':
		return w.object()
	case '[':
		return w.array()
	case '"':
		_, _, err := w.str()
		return err
	default: // a number or a literal: up to the next delimiter
		start := w.i
		for w.i < len(w.raw) {
			c := w.raw[w.i]
			if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				break
			}
			w.i++
		}
		if w.i == start {
			return errMalformed
		}
		return nil
	}
}

// str reads a string at w.i and returns its raw content and whether it
// holds an escape.
func (w *jsonKeys) str() ([]byte, bool, error) {
	w.i++ // the opening quote
	start, escaped := w.i, false
	for w.i < len(w.raw) {
		switch w.raw[w.i] {
		case '"':
			s := w.raw[start:w.i]
			w.i++
			return s, escaped, nil
		case '\\':
			escaped = true
			w.i += 2
		default:
			w.i++
		}
	}
	return nil, false, errMalformed
}

func (w *jsonKeys) object() error {
	w.i++ // {
	from := len(w.seen)
	defer func() { w.seen = w.seen[:from] }()
	w.space()
	if w.i < len(w.raw) && w.raw[w.i] == '}' {
		w.i++
		return nil
	}
	for {
		w.space()
		if w.i >= len(w.raw) || w.raw[w.i] != '"' {
			return errMalformed
		}
		rawKey, escaped, err := w.str()
		if err != nil {
			return err
		}
		key := rawKey
		if escaped {
			var s string
			if json.Unmarshal(w.raw[w.i-len(rawKey)-2:w.i], &s) != nil {
				return errMalformed
			}
			key = []byte(s)
		}
		fold := foldKey(key)
		for _, k := range w.seen[from:] {
			if bytes.Equal(k.fold, fold) {
				return w.duplicate(key, k.key)
			}
		}
		w.seen = append(w.seen, seenKey{fold: fold, key: key})
		w.space()
		if w.i >= len(w.raw) || w.raw[w.i] != ':' {
			return errMalformed
		}
		w.i++
		w.path = append(w.path, pathPart{key: key})
		err = w.value()
		w.path = w.path[:len(w.path)-1]
		if err != nil {
			return err
		}
		w.space()
		if w.i >= len(w.raw) {
			return errMalformed
		}
		switch w.raw[w.i] {
		case ',':
			w.i++
		case '}':
			w.i++
			return nil
		default:
			return errMalformed
		}
	}
}

func (w *jsonKeys) array() error {
	w.i++ // [
	w.space()
	if w.i < len(w.raw) && w.raw[w.i] == ']' {
		w.i++
		return nil
	}
	for n := 0; ; n++ {
		w.path = append(w.path, pathPart{index: n})
		err := w.value()
		w.path = w.path[:len(w.path)-1]
		if err != nil {
			return err
		}
		w.space()
		if w.i >= len(w.raw) {
			return errMalformed
		}
		switch w.raw[w.i] {
		case ',':
			w.i++
		case ']':
			w.i++
			return nil
		default:
			return errMalformed
		}
	}
}

// foldKey returns key as strings.ToLower would, without a copy when it has
// no upper-case ASCII letter and no other than ASCII.
func foldKey(key []byte) []byte {
	for _, c := range key {
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return []byte(strings.ToLower(string(key)))
		}
	}
	return key
}

// duplicate is the error of key given twice, the first time as prev.
func (w *jsonKeys) duplicate(key, prev []byte) error {
	var b strings.Builder
	for _, p := range w.path {
		if p.key == nil {
			b.WriteString("[" + strconv.Itoa(p.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.Write(p.key)
	}
	if b.Len() > 0 {
		b.WriteByte('.')
	}
	b.Write(key)
	field := b.String()
	msg := "is given twice"
	if !bytes.Equal(prev, key) {
		msg = fmt.Sprintf("is given twice, also as %q (keys are matched regardless of case)", prev)
	}
	e := hazard.Errorf(hazard.CodeInvalid, "%s %s", field, msg)
	e.Field = field
	return e
}
