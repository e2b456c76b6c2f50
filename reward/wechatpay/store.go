package wechatpay

import (
	"context"
	"time"
)

// MaxInFlightBatch is the most bills Store.InFlight returns at once.
const MaxInFlightBatch = 100

// Store keeps the bills of every reward, durably and shared by every
// process that pays: the bill numbers a reward used, and what WeChat Pay
// said about each. It is the port that membills and pgbills implement;
// wechatpaytest.TestBills pins every promise below. A Store is safe for
// concurrent use and copies bills in and out (no aliasing).
type Store interface {
	// Open stores b, a new bill (Version 1 is set), unless the key already
	// has a bill with b.Attempt: then it returns that bill and false, so
	// that of two processes opening a reward's next attempt one wins and
	// both use its bill. An invalid bill is CodeInvalid; an OutBillNo
	// used by another key or attempt is CodeConflict.
	Open(ctx context.Context, b Bill) (Bill, bool, error)
	// Latest returns the key's bill with the highest attempt; CodeNotFound
	// when the key has none.
	Latest(ctx context.Context, key string) (Bill, error)
	// Get returns the bill with the number; CodeNotFound when none.
	Get(ctx context.Context, outBillNo string) (Bill, error)
	// Update stores b over the bill with its number if that bill's version
	// is still b.Version, and returns it with the version increased; a
	// stale version is CodeConflict (hazard.Error.Version is the current
	// one), a missing bill CodeNotFound, an invalid one CodeInvalid. Only
	// State, TransferBillNo, PackageInfo, FailReason and UpdatedAt change.
	Update(ctx context.Context, b Bill) (Bill, error)
	// InFlight returns up to limit (at most MaxInFlightBatch) bills not in
	// a final state whose UpdatedAt is before before, least recently
	// updated first.
	InFlight(ctx context.Context, before time.Time, limit int) ([]Bill, error)
}
