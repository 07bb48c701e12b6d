package sqlstore

import (
	"context"
	"time"

	"switchboard/internal/core"
)

// ---- accounts ----

const accountCols = `id, name, created_at`

func scanAccount(s scanner) (core.Account, error) {
	var a core.Account
	err := s.Scan(&a.ID, &a.Name, timeCol{&a.CreatedAt})
	return a, err
}

func (q Queries) CreateAccount(ctx context.Context, a core.Account) error {
	res, err := q.w.ExecContext(ctx, `INSERT INTO accounts (`+accountCols+`) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		a.ID, a.Name, q.tm(a.CreatedAt))
	if err != nil {
		return q.fail(err, "create account %s", a.ID)
	}
	return q.created(res, "id taken", "create account %s", a.ID)
}

func (q Queries) GetAccount(ctx context.Context, id string) (core.Account, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = $1`, id), scanAccount, "get account %s", id)
}

func (q Queries) ListAccounts(ctx context.Context) ([]core.Account, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts ORDER BY created_at, id`)
	return list(q, rows, err, scanAccount, "list accounts")
}

// ---- users ----

const userCols = `id, account_id, email, name, role, password_hash, created_at, deactivated_at, operator`

func scanUser(s scanner) (core.User, error) {
	var u core.User
	err := s.Scan(&u.ID, &u.AccountID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, timeCol{&u.CreatedAt}, timeCol{&u.DeactivatedAt}, &u.Operator)
	return u, err
}

func (q Queries) CreateUser(ctx context.Context, u core.User) error {
	res, err := q.w.ExecContext(ctx, `INSERT INTO users (`+userCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
		u.ID, u.AccountID, u.Email, u.Name, string(u.Role), u.PasswordHash, q.tm(u.CreatedAt), q.tm(u.DeactivatedAt), u.Operator)
	if err != nil {
		return q.fail(err, "create user %s", u.ID)
	}
	return q.created(res, "email or id taken", "create user %s", u.ID)
}

func (q Queries) GetUser(ctx context.Context, id string) (core.User, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id), scanUser, "get user %s", id)
}

func (q Queries) GetUserByEmail(ctx context.Context, email string) (core.User, error) {
	// lower(email) = lower(?) is what the unique index users_email_key covers.
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE lower(email) = lower($1)`, email), scanUser, "get user by email %q", email)
}

func (q Queries) ListUsers(ctx context.Context, accountID string) ([]core.User, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+userCols+` FROM users WHERE account_id = $1 ORDER BY created_at, id`, accountID)
	return list(q, rows, err, scanUser, "list users of account %s", accountID)
}

func (q Queries) UpdateUser(ctx context.Context, u core.User) error {
	res, err := q.w.ExecContext(ctx, `UPDATE users SET name = $1, role = $2, deactivated_at = $3 WHERE id = $4`,
		u.Name, string(u.Role), q.tm(u.DeactivatedAt), u.ID)
	return q.matched(res, err, "update user %s", u.ID)
}

func (q Queries) SetUserOperator(ctx context.Context, userID string, on bool) error {
	res, err := q.w.ExecContext(ctx, `UPDATE users SET operator = $1 WHERE id = $2`, on, userID)
	return q.matched(res, err, "set operator of user %s", userID)
}

func (q Queries) ListActiveSuperAdminIDs(ctx context.Context, accountID string) ([]string, error) {
	// Locked (FOR UPDATE where the dialect has it): a concurrent demotion
	// waits, then sees the row changed. SQLite needs no lock: the
	// transaction holds the only writer.
	rows, err := q.w.QueryContext(ctx, `SELECT id FROM users WHERE account_id = $1 AND role = $2 AND deactivated_at IS NULL ORDER BY id`+q.d.ForUpdate,
		accountID, string(core.RoleSuperAdmin))
	return list(q, rows, err, scanString, "list super admins of account %s", accountID)
}

func (q Queries) EndUserAccess(ctx context.Context, userID string) error {
	return q.deleteOfUser(ctx, userID, "sessions", "api_keys", "password_resets")
}

// deleteOfUser deletes a user's rows of each table, all constants of this
// package.
func (q Queries) deleteOfUser(ctx context.Context, userID string, tables ...string) error {
	for _, table := range tables {
		if _, err := q.w.ExecContext(ctx, `DELETE FROM `+table+` WHERE user_id = $1`, userID); err != nil {
			return q.fail(err, "delete %s of user %s", table, userID)
		}
	}
	return nil
}

// ---- API keys ----

const apiKeyCols = `id, user_id, account_id, prefix, hash, created_at, last_used_at`

func (q Queries) CreateAPIKey(ctx context.Context, k core.APIKey) error {
	res, err := q.w.ExecContext(ctx, `INSERT INTO api_keys (`+apiKeyCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		k.ID, k.UserID, k.AccountID, k.Prefix, k.Hash, q.tm(k.CreatedAt), q.tm(k.LastUsedAt))
	if err != nil {
		return q.fail(err, "create api key %s", k.ID)
	}
	return q.created(res, "hash or id taken", "create api key %s", k.ID)
}

func scanAPIKey(s scanner) (core.APIKey, error) {
	var k core.APIKey
	err := s.Scan(&k.ID, &k.UserID, &k.AccountID, &k.Prefix, &k.Hash, timeCol{&k.CreatedAt}, timeCol{&k.LastUsedAt})
	return k, err
}

func (q Queries) GetAPIKey(ctx context.Context, id string) (core.APIKey, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE id = $1`, id), scanAPIKey, "get api key %s", id)
}

func (q Queries) GetAPIKeyByHash(ctx context.Context, hash string) (core.APIKey, error) {
	k, err := scanAPIKey(q.r.QueryRowContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE hash = $1`, hash))
	if err != nil {
		// The hash is a credential: keep it out of error messages.
		return core.APIKey{}, q.fail(err, "get api key by hash")
	}
	return k, nil
}

func (q Queries) ListAPIKeys(ctx context.Context, userID string) ([]core.APIKey, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE user_id = $1 ORDER BY created_at, id`, userID)
	return list(q, rows, err, scanAPIKey, "list api keys of user %s", userID)
}

func (q Queries) DeleteAPIKey(ctx context.Context, id string) error {
	res, err := q.w.ExecContext(ctx, `DELETE FROM api_keys WHERE id = $1`, id)
	return q.matched(res, err, "delete api key %s", id)
}

func (q Queries) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	res, err := q.w.ExecContext(ctx, `UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, q.tm(at), id)
	return q.matched(res, err, "touch api key %s", id)
}
