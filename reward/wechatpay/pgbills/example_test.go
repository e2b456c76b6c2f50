package pgbills_test

import (
	"context"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hazardloop/hazardloop/reward/wechatpay/pgbills"
)

// A server migrates the store's tables at start and hands the store to
// wechatpay.New. Without a database the example prints what it would do.
func Example() {
	ctx := context.Background()
	url := os.Getenv("HAZARDLOOP_TEST_DATABASE_URL")
	if url == "" {
		fmt.Println("migrated; store ready")
		return
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	if _, err := pgbills.Migrate(ctx, pool); err != nil {
		panic(err)
	}
	_ = pgbills.New(pool) // wechatpay.New(cfg, store, payees)
	fmt.Println("migrated; store ready")
	// Output:
	// migrated; store ready
}
