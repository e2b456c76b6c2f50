package pgbills_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/rewardtest"
	"github.com/hazardloop/hazardloop/reward/wechatpay"
	"github.com/hazardloop/hazardloop/reward/wechatpay/pgbills"
	"github.com/hazardloop/hazardloop/reward/wechatpay/wechatpaytest"
)

// envURL names the variable that holds the test database's URL.
const envURL = "HAZARDLOOP_TEST_DATABASE_URL"

var ctx = context.Background()

// newPool returns a pool on a fresh schema of the test database, dropped
// when the test ends, or skips the test without a database.
func newPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	url := os.Getenv(envURL)
	if url == "" {
		t.Skipf("%s is not set; run against PostgreSQL with e.g. %s=postgres://postgres@127.0.0.1:5432/test", envURL, envURL)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "wx_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	require.NoError(t, admin.Close(ctx))
	cfg, err := pgxpool.ParseConfig(url)
	require.NoError(t, err)
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		pool.Close()
		admin, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return pool
}

func TestStore(t *testing.T) {
	wechatpaytest.TestBills(t, func(t *testing.T) wechatpay.Store {
		pool := newPool(t)
		_, err := pgbills.Migrate(ctx, pool)
		require.NoError(t, err)
		return pgbills.New(pool)
	})
}

func TestMigrateOnce(t *testing.T) {
	pool := newPool(t)
	applied, err := pgbills.Migrate(ctx, pool)
	require.NoError(t, err)
	assert.Equal(t, []int{1}, applied)
	applied, err = pgbills.Migrate(ctx, pool)
	require.NoError(t, err)
	assert.Empty(t, applied, "nothing left to do")
}

var payees = wechatpay.PayeeFunc(func(_ context.Context, id string) (wechatpay.Payee, error) {
	return wechatpay.Payee{OpenID: "o-" + id, RealName: "张三"}, nil
})

func TestPayerOnPostgres(t *testing.T) {
	rewardtest.TestPayer(t, func(t *testing.T) (reward.Payer, func(string) error) {
		pool := newPool(t)
		_, err := pgbills.Migrate(ctx, pool)
		require.NoError(t, err)
		srv := wechatpaytest.NewServer(t)
		bills := pgbills.New(pool)
		p, err := wechatpay.New(srv.Config(), bills, payees)
		require.NoError(t, err)
		return p, func(key string) error {
			b, err := bills.Latest(ctx, key)
			if err != nil {
				return err
			}
			return srv.Confirm(b.OutBillNo)
		}
	})
}

// Two server processes share the bills: the one that receives the
// callback maps the bill number back to the reward another one paid, and
// a claim retried on the other process reuses the bill.
func TestBillsSharedByProcesses(t *testing.T) {
	pool := newPool(t)
	_, err := pgbills.Migrate(ctx, pool)
	require.NoError(t, err)
	srv := wechatpaytest.NewServer(t)
	a, err := wechatpay.New(srv.Config(), pgbills.New(pool), payees)
	require.NoError(t, err)
	b, err := wechatpay.New(srv.Config(), pgbills.New(pool), payees)
	require.NoError(t, err)

	id := uuid.Must(uuid.NewV7())
	req := reward.PayRequest{IdempotencyKey: id.String(), RewardID: id, ReporterID: "alice", Amount: 5000, Remark: "隐患举报奖励"}
	first, err := a.Pay(ctx, req)
	require.NoError(t, err)
	again, err := b.Pay(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, first, again, "the other process answers with the same bill")
	require.Len(t, srv.Bills(), 1)

	require.NoError(t, srv.Confirm(srv.Bills()[0].OutBillNo))
	cb, err := srv.CallbackRequest(srv.Bills()[0].OutBillNo, wechatpaytest.CallbackOptions{})
	require.NoError(t, err)
	var reported []uuid.UUID
	w := httptest.NewRecorder()
	b.Callback(func(_ context.Context, got uuid.UUID) error { reported = append(reported, got); return nil }).ServeHTTP(w, cb)
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, []uuid.UUID{id}, reported)
	q, err := a.Query(ctx, req.IdempotencyKey)
	require.NoError(t, err)
	assert.Equal(t, reward.PaySettled, q.Status)
}
