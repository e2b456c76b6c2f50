package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hazardloop/hazardloop/hazard"
)

// duplicateKeys is the walk checkDuplicateKeys replaced, on encoding/json's
// tokenizer: the reference the byte walk must agree with.
// It walks one JSON value from dec and refuses an object with
// a key twice, or two keys equal under case folding. path is the value's
// field path ("" at the top). Syntax errors end the walk silently.
func duplicateKeys(dec *json.Decoder, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return nil
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]string{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil
			}
			k, _ := kt.(string)
			field := k
			if path != "" {
				field = path + "." + k
			}
			fold := strings.ToLower(k)
			if prev, ok := seen[fold]; ok {
				msg := "is given twice"
				if prev != k {
					msg = fmt.Sprintf("is given twice, also as %q (keys are matched regardless of case)", prev)
				}
				e := hazard.Errorf(hazard.CodeInvalid, "%s %s", field, msg)
				e.Field = field
				return e
			}
			seen[fold] = k
			if err := duplicateKeys(dec, field); err != nil {
				return err
			}
		}
		_, _ = dec.Token()
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := duplicateKeys(dec, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		_, _ = dec.Token()
	}
	return nil
}

// TestCheckDuplicateKeysAgrees: the byte walk answers every body as the
// tokenizer walk does (nil, or the same field and message), on nested,
// escaped, case-variant, malformed and trailing input.
func TestCheckDuplicateKeysAgrees(t *testing.T) {
	bodies := []string{
		`{}`, `[]`, `"x"`, `12`, `true`, `null`, ``, `   `, `{`, `[`, `{"a"`, `{"a":`, `{"a":1,}`, `{"a" 1}`, `[1,]`,
		`{"a":1,"b":2}`, `{"a":1,"a":2}`, `{"a":1,"A":2}`, `{"Ab":1,"aB":2}`,
		`{"a":{"b":1,"c":{"d":[1,{"e":1,"E":2}]}}}`,
		`[{"a":1},{"a":1},{"b":1,"b":2}]`, `[[{"x":1,"x":1}]]`,
		`{"a":"}\"{","a":1}`, `{"\u0061":1,"a":2}`, `{"a\"b":1,"a\"b":2}`, `{"\q":1}`,
		`{"é":1,"É":2}`, `{"K":1,"\u212a":2}`, `{"photos":["a","b"],"Photos":[]}`,
		` { "a" : [ 1 , 2 ] , "b" : { } , "a" : 3 } `, `{"a":1}{"a":1,"a":2}`, `{"a":1} x`,
		`{"a":1e5,"b":-0.5,"c":[true,false,null],"b":1}`, `{"a":{"a":{"a":1}},"b":{"a":1,"b":1}}`,
	}
	for _, b := range bodies {
		want := duplicateKeys(json.NewDecoder(strings.NewReader(b)), "")
		got := checkDuplicateKeys([]byte(b))
		if want == nil {
			assert.NoError(t, got, b)
			continue
		}
		if assert.Error(t, got, b) {
			assert.Equal(t, want.(*hazard.Error).Field, got.(*hazard.Error).Field, b)
			assert.Equal(t, want.Error(), got.Error(), b)
		}
	}
}

// TestCheckDuplicateKeysEnds: the byte walk ends on arrays whose values
// are not separated, on which the tokenizer walk it replaced never ended
// (More stays true after Token fails), and leaves them to the decoder.
func TestCheckDuplicateKeysEnds(t *testing.T) {
	for _, b := range []string{`[1 2]`, `{"photos":["a" "b"]}`, `[[1] [2]]`, `{"a":[{} {}]}`} {
		assert.NoError(t, checkDuplicateKeys([]byte(b)), b)
	}
}

// BenchmarkCheckDuplicateKeys compares the byte walk with the tokenizer
// walk it replaced on a report body.
func BenchmarkCheckDuplicateKeys(b *testing.B) {
	body := []byte(`{"category":"fire","severity":"general","description":"楼道堆放杂物","address":"负载测试路1号",` +
		`"latitude":36.4,"longitude":115.9,"coord_system":"WGS84","photos":["` + strings.Repeat("a", 64) + `"]}`)
	b.Run("bytes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = checkDuplicateKeys(body)
		}
	})
	b.Run("tokens", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = duplicateKeys(json.NewDecoder(strings.NewReader(string(body))), "")
		}
	})
}
