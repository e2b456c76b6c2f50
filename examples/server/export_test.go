package server

import (
	"context"

	"github.com/hazardloop/hazardloop/reward/wechatpay"
)

// MigrateServerUpTo applies the server's migrations up to a version, for
// the test that loads rows an older server wrote.
var MigrateServerUpTo = migrateServerUpTo

// StoreUnavailable exposes the classification of database outages, for
// the test of which failures answer 503.
var StoreUnavailable = storeUnavailable

// PayeeOf is who WeChat Pay pays a reporter's rewards to, as the server's
// payer asks the user store.
func PayeeOf(ctx context.Context, s *Server, reporterID string) (wechatpay.Payee, error) {
	return payees{u: s.users}.Payee(ctx, reporterID)
}
