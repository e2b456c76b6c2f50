package server

import (
	"context"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/pgstore"
	"github.com/hazardloop/hazardloop/reward"
)

// openPostgres opens the PostgreSQL database named by url, brings its
// schema up to date, and returns its hazard store and reward ledger. Users,
// uploads, login codes and articles stay in memory in this example.
func openPostgres(ctx context.Context, url string) (hazard.Store, reward.Ledger, func() error, error) {
	db, err := pgstore.Open(ctx, url)
	if err != nil {
		return nil, nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return db.Hazards(), db.Ledger(), func() error { db.Close(); return nil }, nil
}
