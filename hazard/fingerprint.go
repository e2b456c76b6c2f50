package hazard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// DataRequestHash is the submitted event's record of what was submitted
// with an idempotency key: the hex SHA-256 of the submission as Submit
// read it (submissionHash). It lives beside DataIdempotencyKey, in the
// event the store keeps atomically with the hazard, so that every store
// keeps it the same way.
const DataRequestHash = "request_hash"

// submissionHash fingerprints what a client submitted: the hazard's fields
// that come from the input, after normalisation, without what Submit
// assigns (ID, reference number, times, state). Two submissions with the
// same hash are the same report.
func submissionHash(h *Hazard) string {
	in := struct {
		Category    string
		Severity    Severity
		Description string
		Photos      []Photo
		Location    Location
		Contact     Contact
		Unit        string
		UnitID      string
		Source      Source
	}{h.Category, h.Severity, h.Description, h.Photos, h.Location, h.Reporter.Contact, h.Unit, h.UnitID, h.Source}
	b, err := json.Marshal(in)
	if err != nil { // plain strings and numbers: cannot fail
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// samePrior returns prior, the hazard an earlier Submit created with the
// idempotency key, when it was submitted with the same input (hash); a
// different input is CodeConflict naming "idempotency_key", as payment
// APIs answer a key reused with another body. A prior without a recorded
// hash (stored before hashes were kept) is taken as the same.
func (s *Service) samePrior(ctx context.Context, prior Hazard, hash string) (Hazard, error) {
	events, err := s.store.HazardEvents(ctx, prior.ID)
	if err != nil {
		return Hazard{}, Wrap("submit", err)
	}
	if len(events) > 0 && events[0].Type == EventSubmitted {
		if was := events[0].Data[DataRequestHash]; was != "" && was != hash {
			return Hazard{}, &Error{Code: CodeConflict, Op: "submit", Field: "idempotency_key",
				Message: "this idempotency key was used with another report: use a new key for a new report"}
		}
	}
	return prior, nil
}
