package hazardtest

import (
	"bytes"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// norm returns h with empty slices as nil, so that adapters that return an
// empty slice where nil went in (or the other way) compare equal.
func norm(h hazard.Hazard) hazard.Hazard {
	h = h.Clone()
	if len(h.Photos) == 0 {
		h.Photos = nil
	}
	if len(h.Evidence) == 0 {
		h.Evidence = nil
	}
	return h
}

func normEvent(e hazard.Event) hazard.Event {
	e = e.Clone()
	if len(e.Attachments) == 0 {
		e.Attachments = nil
	}
	if len(e.Data) == 0 {
		e.Data = nil
	}
	return e
}

func normEvents(es []hazard.Event) []hazard.Event {
	if len(es) == 0 {
		return nil
	}
	out := make([]hazard.Event, len(es))
	for i, e := range es {
		out[i] = normEvent(e)
	}
	return out
}

// withSeq returns e with its Seq set, for comparing with stored events.
func withSeq(e hazard.Event, seq int64) hazard.Event {
	e = e.Clone()
	e.Seq = seq
	return e
}

// ids returns the IDs of hs in order.
func ids(hs []hazard.Hazard) []uuid.UUID {
	if len(hs) == 0 {
		return nil
	}
	out := make([]uuid.UUID, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

func seqs(es []hazard.Event) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

// newestFirst sorts IDs in decreasing order, the order of List.
func newestFirst(in []uuid.UUID) []uuid.UUID {
	out := slices.Clone(in)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return -bytes.Compare(a[:], b[:]) })
	return out
}

// requireAllSet fails the test when a field of v (a struct, recursively,
// times being leaves) has its zero value: round-trip fixtures must exercise
// every field, including those added after this suite was written. except
// names the paths (as "Event.Subject") that v cannot set, and that another
// fixture covers.
func requireAllSet(t *testing.T, v any, except ...string) {
	t.Helper()
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		if v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() == reflect.Struct && v.Type() != reflect.TypeOf(time.Time{}) {
			for i := 0; i < v.NumField(); i++ {
				f := v.Type().Field(i)
				if !f.IsExported() {
					continue
				}
				if p := path + "." + f.Name; !slices.Contains(except, p) {
					walk(p, v.Field(i))
				}
			}
			return
		}
		if v.IsZero() {
			t.Fatalf("fixture %s is not set: hazardtest's round-trip fixture must set every field", path)
		}
	}
	walk(reflect.TypeOf(v).Name(), reflect.ValueOf(v))
}
