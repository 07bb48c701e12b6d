package sqlstore

import (
	"context"
	"time"

	"switchboard/internal/store"
)

// ---- sign-in: passwords and sessions ----

func (q Queries) SetUserPassword(ctx context.Context, userID, hash string) error {
	res, err := q.w.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)
	if err := q.matched(res, err, "set password of user %s", userID); err != nil {
		return err
	}
	// A new password ends the sessions the old one opened, and the links
	// that would set another.
	return q.deleteOfUser(ctx, userID, "sessions", "password_resets")
}

const resetCols = `token_hash, user_id, account_id, created_at, expires_at`

func scanReset(s scanner) (store.PasswordReset, error) {
	var p store.PasswordReset
	err := s.Scan(&p.TokenHash, &p.UserID, &p.AccountID, timeCol{&p.CreatedAt}, timeCol{&p.ExpiresAt})
	return p, err
}

func (q Queries) CreatePasswordReset(ctx context.Context, p store.PasswordReset) error {
	if err := q.deleteOfUser(ctx, p.UserID, "password_resets"); err != nil {
		return err
	}
	res, err := q.w.ExecContext(ctx, `INSERT INTO password_resets (`+resetCols+`) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
		p.TokenHash, p.UserID, p.AccountID, q.tm(p.CreatedAt), q.tm(p.ExpiresAt))
	if err != nil {
		// The hash identifies a credential: keep it out of messages.
		return q.fail(err, "create set-password link for user %s", p.UserID)
	}
	return q.created(res, "token taken", "create set-password link for user %s", p.UserID)
}

func (q Queries) GetPasswordReset(ctx context.Context, tokenHash string) (store.PasswordReset, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+resetCols+` FROM password_resets WHERE token_hash = $1`, tokenHash), scanReset, "get set-password link")
}

func (q Queries) UsePasswordReset(ctx context.Context, tokenHash string) (store.PasswordReset, error) {
	return one(q, q.w.QueryRowContext(ctx, `DELETE FROM password_resets WHERE token_hash = $1 RETURNING `+resetCols, tokenHash), scanReset, "use set-password link")
}

const sessionCols = `token_hash, user_id, account_id, created_at, expires_at`

func (q Queries) CreateSession(ctx context.Context, s store.Session) error {
	res, err := q.w.ExecContext(ctx, `INSERT INTO sessions (`+sessionCols+`) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
		s.TokenHash, s.UserID, s.AccountID, q.tm(s.CreatedAt), q.tm(s.ExpiresAt))
	if err != nil {
		// The hash identifies a credential: keep it out of messages.
		return q.fail(err, "create session for user %s", s.UserID)
	}
	return q.created(res, "token taken", "create session for user %s", s.UserID)
}

func scanSession(s scanner) (store.Session, error) {
	var v store.Session
	err := s.Scan(&v.TokenHash, &v.UserID, &v.AccountID, timeCol{&v.CreatedAt}, timeCol{&v.ExpiresAt})
	return v, err
}

func (q Queries) GetSession(ctx context.Context, tokenHash string) (store.Session, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE token_hash = $1`, tokenHash), scanSession, "get session")
}

func (q Queries) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := q.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return q.fail(err, "delete session")
	}
	return nil
}

func (q Queries) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := q.w.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, q.tm(now))
	n, err := q.affected(res, err, "delete expired sessions")
	if err != nil {
		return 0, err
	}
	return int(n), nil
}
