package hazard

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Attachment names the uploads a new hazard is to be attached to in the
// step that creates it (AttachingCreator.CreateAttached).
type Attachment struct {
	// Owner is the uploader, the reporter.
	Owner string
	// Keys are the owner's upload keys, each well-formed.
	Keys []string
	// Check is called with the owner's uploads with Keys (found[i] has
	// Keys[i], or is the zero Upload) inside the atomic step, before the
	// hazard is stored, with the uploads locked against every other
	// change; its error stops the step, which then changes nothing, and is
	// returned as is. It must not call the store or the Uploads.
	Check func(found []Upload) error
}

// AttachingCreator is a Store that keeps the Uploads in its own database,
// and can store a new hazard and attach uploads to it in one atomic step:
// one transaction for what Photos.Submit otherwise does in three (hold the
// uploads, create the hazard, attach them). pgstore's HazardStore is one;
// Photos.Submit uses it when KeepsUploads says its Uploads are the store's.
type AttachingCreator interface {
	Store
	// KeepsUploads reports whether u records its uploads in the store's
	// database, so that CreateAttached attaches those.
	KeepsUploads(u Uploads) bool
	// FindUploads returns the owner's uploads with the keys as they are
	// (found[i] has keys[i], or is the zero Upload), changing nothing. A
	// malformed key is CodeInvalid.
	FindUploads(ctx context.Context, owner string, keys []string) ([]Upload, error)
	// CreateAttached is Create, or with limit > 0 CreateLimited with
	// since and limit, that in the same atomic step first calls att.Check
	// with the owner's uploads and, when it creates the hazard, attaches
	// those uploads to it as Uploads.Attach does. When the idempotency key
	// names an earlier hazard (created false), or on any error, the
	// uploads are left as they were.
	CreateAttached(ctx context.Context, h Hazard, events []Event, idempotencyKey string, since time.Time, limit int, att Attachment) (Hazard, bool, error)
}

// submitAttaching is Submit on an AttachingCreator: it reads the uploads
// and checks them (nothing is held), submits the report, and the store
// checks them again, stores the hazard and attaches them in one step. An
// upload swept or changed between the read and the step fails the check:
// nothing is stored. A retry of an earlier submission (same idempotency
// key and input) attaches the uploads to that hazard, as Submit does.
func (p *Photos) submitAttaching(ctx context.Context, ac AttachingCreator, user User, in SubmitInput, uploads []string, idempotencyKey string) (Hazard, error) {
	const op = "submit"
	if len(uploads) > MaxPhotos {
		return Hazard{}, &Error{Code: CodeInvalid, Op: op, Field: "photos", Message: fmt.Sprintf("takes at most %d photos", MaxPhotos)}
	}
	valid := slices.DeleteFunc(slices.Clone(uploads), func(k string) bool { return !ValidKey(k) })
	cutoff := p.now().Add(-p.ttl)
	found, err := ac.FindUploads(ctx, user.ID, valid)
	if err != nil {
		return Hazard{}, Wrap(op, err)
	}
	photos, err := uploadPhotos(uploads, valid, found, cutoff)
	if err != nil {
		return Hazard{}, Wrap(op, err)
	}
	in.Photos = append(slices.Clone(in.Photos), photos...)
	att := Attachment{Owner: user.ID, Keys: valid, Check: func(now []Upload) error {
		again, err := uploadPhotos(uploads, valid, now, cutoff)
		if err != nil {
			return err
		}
		if !slices.Equal(again, photos) {
			return &Error{Code: CodeConflict, Op: op, Field: "photos", Message: "the uploads changed while the report was submitted: submit it again"}
		}
		return nil
	}}
	h, created, err := p.svc.submit(ctx, user, in, idempotencyKey, "", &att)
	if err != nil {
		return Hazard{}, err
	}
	if !created {
		if err := p.attach(ctx, op, user, h.ID, valid); err != nil {
			return Hazard{}, err
		}
	}
	return h, nil
}
