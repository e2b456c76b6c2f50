package memstore

import (
	"context"
	"sort"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/relay"
)

func checkConsumer(op, name string) error { return relay.CheckConsumerName("memstore."+op, name) }

// Cursor implements relay.Cursors.
func (s *Store) Cursor(ctx context.Context, consumer string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, hazard.Wrap("memstore.cursor", err)
	}
	if err := checkConsumer("cursor", consumer); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cursors[consumer], nil
}

// SaveCursor implements relay.Cursors.
func (s *Store) SaveCursor(ctx context.Context, consumer string, seq int64) error {
	if err := ctx.Err(); err != nil {
		return hazard.Wrap("memstore.save_cursor", err)
	}
	if err := checkConsumer("save_cursor", consumer); err != nil {
		return err
	}
	if seq < 0 {
		return errorf(hazard.CodeInvalid, "save_cursor", "seq", "must not be negative")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.cursors[consumer]; seq < cur {
		e := errorf(hazard.CodeConflict, "save_cursor", "seq", "a cursor never moves back")
		e.Version = cur
		return e
	}
	s.cursors[consumer] = seq
	return nil
}

// Park implements relay.Cursors.
func (s *Store) Park(ctx context.Context, p relay.ParkedEvent) error {
	if err := ctx.Err(); err != nil {
		return hazard.Wrap("memstore.park", err)
	}
	if err := checkConsumer("park", p.Consumer); err != nil {
		return err
	}
	if p.Event.Seq < 1 {
		return errorf(hazard.CodeInvalid, "park", "event.seq", "must be at least 1")
	}
	p.Event = p.Event.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.parked[parkKey{p.Consumer, p.Event.Seq}] = p
	return nil
}

// Parked implements relay.Cursors.
func (s *Store) Parked(ctx context.Context, consumer string) ([]relay.ParkedEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memstore.parked", err)
	}
	if consumer != "" {
		if err := checkConsumer("parked", consumer); err != nil {
			return nil, err
		}
	}
	s.mu.RLock()
	var out []relay.ParkedEvent
	for k, p := range s.parked {
		if consumer == "" || k.consumer == consumer {
			p.Event = p.Event.Clone()
			out = append(out, p)
		}
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Event.Seq != out[j].Event.Seq {
			return out[i].Event.Seq < out[j].Event.Seq
		}
		return out[i].Consumer < out[j].Consumer
	})
	return out, nil
}

// Unpark implements relay.Cursors.
func (s *Store) Unpark(ctx context.Context, consumer string, seq int64) error {
	if err := ctx.Err(); err != nil {
		return hazard.Wrap("memstore.unpark", err)
	}
	if err := checkConsumer("unpark", consumer); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := parkKey{consumer, seq}
	if _, ok := s.parked[k]; !ok {
		return errorf(hazard.CodeNotFound, "unpark", "", "no such parked event")
	}
	delete(s.parked, k)
	return nil
}
