package server

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
)

// pgUsers is the userStore in PostgreSQL (table server_users): every
// process on the database knows every account. Unique constraints keep one
// account per ID, per phone and per resident ID number.
type pgUsers struct {
	pool *pgxpool.Pool
}

var _ userStore = (*pgUsers)(nil)

const userColumns = `id, role, department, unit, name, coalesce(phone, ''), verified, coalesce(verified_ns, 0),
	coalesce(resident_hash, ''), resident_masked, created_ns, coalesce(openid, ''), coalesce(unionid, '')`

func scanUser(row pgx.Row) (Account, error) {
	var a Account
	var verifiedNS, createdNS int64
	err := row.Scan(&a.ID, &a.Role, &a.Department, &a.Unit, &a.Name, &a.Phone, &a.Verified, &verifiedNS,
		&a.residentHash, &a.residentMasked, &createdNS, &a.openID, &a.unionID)
	a.VerifiedAt, a.CreatedAt = nsTime(verifiedNS), nsTime(createdNS)
	return a, err
}

// nullText is NULL for "" (unique columns where empty means none).
func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (u *pgUsers) add(ctx context.Context, a Account) error {
	var verifiedNS *int64
	if !a.VerifiedAt.IsZero() {
		ns := a.VerifiedAt.UnixNano()
		verifiedNS = &ns
	}
	_, err := u.pool.Exec(ctx, `INSERT INTO server_users (id, role, department, unit, name, phone, verified, verified_ns,
		resident_hash, resident_masked, created_ns, openid, unionid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		a.ID, a.Role, a.Department, a.Unit, a.Name, nullText(a.Phone), a.Verified, verifiedNS,
		nullText(a.residentHash), a.residentMasked, timeNS(a.CreatedAt), nullText(a.openID), nullText(a.unionID))
	switch uniqueViolation(err) {
	case "":
	case "server_users_pkey":
		return hazard.Errorf(hazard.CodeConflict, "user %s already exists", a.ID)
	case "server_users_phone_key":
		return hazard.Errorf(hazard.CodeConflict, "the phone number is taken")
	case "server_users_openid_key", "server_users_unionid_key":
		return hazard.Errorf(hazard.CodeConflict, "the WeChat user is taken")
	default:
		return errResidentTaken()
	}
	return pgError("users.add", err)
}

func (u *pgUsers) get(ctx context.Context, id string) (Account, error) {
	a, err := scanUser(u.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM server_users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Account{}, hazard.Errorf(hazard.CodeNotFound, "no such user")
	}
	return a, pgError("users.get", err)
}

// citizen inserts the account unless the phone has one (ON CONFLICT on the
// phone does nothing), then reads the phone's account: of two processes
// logging one phone in at once, both read the one account. An ID taken
// already (a 64-bit collision) is drawn again.
func (u *pgUsers) citizen(ctx context.Context, phone string, now time.Time) (Account, error) {
	for range maxCitizenIDTries {
		_, err := u.pool.Exec(ctx, `INSERT INTO server_users (id, role, phone, created_ns) VALUES ($1, $2, $3, $4)
			ON CONFLICT (phone) DO NOTHING`, newCitizenID(phoneCitizenPrefix), string(hazard.RoleReporter), phone, now.UnixNano())
		if uniqueViolation(err) == "server_users_pkey" {
			continue
		}
		if err != nil {
			return Account{}, pgError("users.citizen", err)
		}
		a, err := scanUser(u.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM server_users WHERE phone = $1`, phone))
		return a, pgError("users.citizen", err)
	}
	return Account{}, hazard.Errorf(hazard.CodeInternal, "no free citizen ID")
}

// maxCitizenIDTries bounds the attempts at a free citizen ID.
const maxCitizenIDTries = 4

// verify locks the account's row, applies the verification and writes it
// in one short transaction; the unique resident_hash refuses a number bound
// to another account.
func (u *pgUsers) verify(ctx context.Context, id string, v verification) (Account, error) {
	var out Account
	err := pgx.BeginFunc(ctx, u.pool, func(tx pgx.Tx) error {
		a, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM server_users WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return hazard.Errorf(hazard.CodeNotFound, "no such user")
		}
		if err != nil {
			return err
		}
		if out, err = applyVerification(a, v); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE server_users SET name = $2, verified = true, verified_ns = $3,
			resident_hash = $4, resident_masked = $5 WHERE id = $1`,
			id, out.Name, out.VerifiedAt.UnixNano(), out.residentHash, out.residentMasked)
		if uniqueViolation(err) != "" {
			return errResidentTaken()
		}
		return err
	})
	if err != nil {
		return Account{}, pgError("users.verify", err)
	}
	return out, nil
}

func (u *pgUsers) withRole(ctx context.Context, q notify.UserQuery) ([]Account, error) {
	rows, err := u.pool.Query(ctx, `SELECT `+userColumns+` FROM server_users
		WHERE role = $1 AND ($2 = '' OR department = $2) AND ($3 = '' OR unit = $3) ORDER BY id`, q.Role, q.Department, q.Unit)
	if err != nil {
		return nil, pgError("users.withRole", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Account, error) { return scanUser(r) })
	return out, pgError("users.withRole", err)
}

func (u *pgUsers) remove(ctx context.Context, id string) error {
	_, err := u.pool.Exec(ctx, `DELETE FROM server_users WHERE id = $1`, id)
	return pgError("users.remove", err)
}

func (u *pgUsers) countCitizens(ctx context.Context) (int, error) {
	var n int
	err := u.pool.QueryRow(ctx, `SELECT count(*) FROM server_users WHERE role = $1`, string(hazard.RoleReporter)).Scan(&n)
	return n, pgError("users.countCitizens", err)
}

// wechat finds the identity's account by unionid, then by openid, giving
// it the identifier it lacked; else it inserts a citizen account unless
// the openid has one (ON CONFLICT DO NOTHING) and reads the openid's
// account, so that two processes logging one user in at once read one
// account.
func (u *pgUsers) wechat(ctx context.Context, w wxIdentity, now time.Time) (Account, error) {
	const op = "users.wechat"
	if w.unionID != "" {
		a, err := scanUser(u.pool.QueryRow(ctx, `UPDATE server_users SET openid = coalesce(openid, $2)
			WHERE unionid = $1 AND NOT EXISTS (SELECT 1 FROM server_users WHERE openid = $2 AND unionid IS DISTINCT FROM $1)
			RETURNING `+userColumns, w.unionID, w.openID))
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return Account{}, pgError(op, err)
		}
		a, err = scanUser(u.pool.QueryRow(ctx, `UPDATE server_users SET unionid = $2
			WHERE openid = $1 AND unionid IS NULL RETURNING `+userColumns, w.openID, w.unionID))
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) && uniqueViolation(err) == "" {
			return Account{}, pgError(op, err)
		}
	}
	for range maxCitizenIDTries {
		_, err := u.pool.Exec(ctx, `INSERT INTO server_users (id, role, openid, unionid, created_ns) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (openid) DO NOTHING`, newCitizenID(wechatCitizenPrefix), string(hazard.RoleReporter), w.openID, nullText(w.unionID), now.UnixNano())
		switch uniqueViolation(err) {
		case "server_users_pkey":
			continue
		case "server_users_unionid_key":
			// The unionid's account appeared meanwhile: it is the one.
			a, err := scanUser(u.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM server_users WHERE unionid = $1`, w.unionID))
			return a, pgError(op, err)
		}
		if err != nil {
			return Account{}, pgError(op, err)
		}
		a, err := scanUser(u.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM server_users WHERE openid = $1`, w.openID))
		return a, pgError(op, err)
	}
	return Account{}, hazard.Errorf(hazard.CodeInternal, "no free citizen ID")
}

// bindPhone locks the account and the phone's account, if any, decides
// with linkPhone and writes both in one short transaction: the retired
// account's identity is cleared before the kept one takes it.
func (u *pgUsers) bindPhone(ctx context.Context, id, phone string) (Account, error) {
	var out Account
	err := pgx.BeginFunc(ctx, u.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+userColumns+` FROM server_users WHERE id = $1 OR phone = $2 ORDER BY id FOR UPDATE`, id, phone)
		if err != nil {
			return err
		}
		accts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Account, error) { return scanUser(r) })
		if err != nil {
			return err
		}
		var a, owner *Account
		for i := range accts {
			if accts[i].ID == id {
				a = &accts[i]
			}
			if accts[i].Phone == phone {
				owner = &accts[i]
			}
		}
		if a == nil {
			return hazard.Errorf(hazard.CodeNotFound, "no such user")
		}
		keep, retired, err := linkPhone(*a, owner, phone)
		if err != nil {
			return err
		}
		if retired != nil {
			if _, err := tx.Exec(ctx, `UPDATE server_users SET openid = NULL, unionid = NULL WHERE id = $1`, retired.ID); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE server_users SET phone = $2, openid = $3, unionid = $4 WHERE id = $1`,
			keep.ID, keep.Phone, nullText(keep.openID), nullText(keep.unionID))
		if uniqueViolation(err) == "server_users_phone_key" {
			return &hazard.Error{Code: hazard.CodeConflict, Field: "phone", Message: "the phone number is taken"}
		}
		out = keep
		return err
	})
	if err != nil {
		return Account{}, pgError("users.bindPhone", err)
	}
	return out, nil
}
