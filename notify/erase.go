package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
)

// KeyPart is the part of an idempotency key that names a recipient: the
// user ID, or a hash of one longer than 64 bytes, so that keys stay short.
// The Router and package follow build their keys of '/'-separated parts
// with it ("evt-<seq>/<KeyPart(user)>/<channel>"), and ForgetDelivery
// finds the person in them by it.
func KeyPart(userID string) string {
	if len(userID) <= 64 {
		return userID
	}
	s := sha256.Sum256([]byte(userID))
	return hex.EncodeToString(s[:16])
}

// ForgetDelivery rewrites d for an erasure when it went to e.UserID: its
// UserID becomes e.Pseudonym and each '/'-separated part of its key that
// names the person (KeyPart) names the pseudonym instead, so that the log
// still drops a redelivery of the event (whose recipient is then the
// pseudonym) and holds nothing of the person. It reports whether d
// changed. Delivery logs that are hazard.Forgetters call it on every
// delivery to the person, so that all rewrite alike.
func ForgetDelivery(d *Delivery, e hazard.Erasure) bool {
	if d.UserID != e.UserID {
		return false
	}
	d.UserID = e.Pseudonym
	parts := strings.Split(d.Key, "/")
	for i, p := range parts {
		if p == KeyPart(e.UserID) {
			parts[i] = KeyPart(e.Pseudonym)
		}
	}
	d.Key = strings.Join(parts, "/")
	return true
}

var _ hazard.Forgetter = (*MemoryLog)(nil)

// ForgetUser implements hazard.Forgetter: every delivery to e.UserID is
// rewritten by ForgetDelivery, keeping its place in the log's order.
func (l *MemoryLog) ForgetUser(ctx context.Context, e hazard.Erasure) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := e.Validate(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, k := range l.order {
		d := l.keys[k]
		if !ForgetDelivery(&d, e) {
			continue
		}
		delete(l.keys, k)
		l.keys[d.Key] = d
		l.order[i] = d.Key
	}
	return nil
}
