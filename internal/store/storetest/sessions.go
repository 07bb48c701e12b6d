package storetest

import (
	"testing"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

// testSessions covers sign-in: password hashes and UI sessions.
func testSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	u := core.User{ID: core.NewID("usr"), AccountID: acme.ID, Email: "ann@example.com", Name: "Ann", Role: core.RoleAdmin, CreatedAt: at(1)}
	ok(t, s.CreateUser(ctx, u), "create user")

	ok(t, s.SetUserPassword(ctx, u.ID, "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA"), "set password")
	got, err := s.GetUser(ctx, u.ID)
	ok(t, err, "get user")
	equal(t, "password hash", got.PasswordHash, "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA")
	isErr(t, s.SetUserPassword(ctx, "usr_missing", "x"), core.ErrNotFound, "set password of a missing user")

	live := store.Session{TokenHash: "hash-live", UserID: u.ID, AccountID: acme.ID, CreatedAt: at(2), ExpiresAt: at(3600)}
	old := store.Session{TokenHash: "hash-old", UserID: u.ID, AccountID: acme.ID, CreatedAt: at(2), ExpiresAt: at(10)}
	ok(t, s.CreateSession(ctx, live), "create session")
	ok(t, s.CreateSession(ctx, old), "create expiring session")
	isErr(t, s.CreateSession(ctx, live), core.ErrConflict, "create a session with a taken token hash")

	gotS, err := s.GetSession(ctx, "hash-live")
	ok(t, err, "get session")
	equal(t, "session", gotS, live)
	_, err = s.GetSession(ctx, "hash-missing")
	isErr(t, err, core.ErrNotFound, "get missing session")

	n, err := s.DeleteExpiredSessions(ctx, at(10))
	ok(t, err, "delete expired sessions")
	equal(t, "expired sessions deleted", n, 1)
	_, err = s.GetSession(ctx, "hash-old")
	isErr(t, err, core.ErrNotFound, "expired session is gone")

	ok(t, s.DeleteSession(ctx, "hash-live"), "delete session")
	ok(t, s.DeleteSession(ctx, "hash-live"), "delete an absent session")
	_, err = s.GetSession(ctx, "hash-live")
	isErr(t, err, core.ErrNotFound, "deleted session is gone")

	// A new password ends the user's sessions.
	ok(t, s.CreateSession(ctx, store.Session{TokenHash: "hash-before", UserID: u.ID, AccountID: acme.ID, CreatedAt: at(2), ExpiresAt: at(3600)}), "create session")
	ok(t, s.SetUserPassword(ctx, u.ID, "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$bmV3"), "change password")
	_, err = s.GetSession(ctx, "hash-before")
	isErr(t, err, core.ErrNotFound, "a session opened before the password changed")

	// Sessions work inside transactions too.
	ok(t, s.InTx(ctx, func(tx store.Tx) error {
		return tx.CreateSession(ctx, store.Session{TokenHash: "hash-tx", UserID: u.ID, AccountID: acme.ID, CreatedAt: at(2), ExpiresAt: at(20)})
	}), "create session in a transaction")
	_, err = s.GetSession(ctx, "hash-tx")
	ok(t, err, "get session created in a transaction")
}
