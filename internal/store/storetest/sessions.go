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
	u := newUser(t, s, acme.ID, "Ann", "ann@example.com")

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

// testPasswordResets covers one-time set-password links.
func testPasswordResets(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	u := newUser(t, s, acme.ID, "Ann", "ann@example.com")

	first := store.PasswordReset{TokenHash: "reset-1", UserID: u.ID, AccountID: acme.ID, CreatedAt: at(2), ExpiresAt: at(100)}
	ok(t, s.CreatePasswordReset(ctx, first), "create link")
	got, err := s.GetPasswordReset(ctx, "reset-1")
	ok(t, err, "get link")
	equal(t, "link", got, first)

	// A newer link replaces the older one.
	second := store.PasswordReset{TokenHash: "reset-2", UserID: u.ID, AccountID: acme.ID, CreatedAt: at(3), ExpiresAt: at(100)}
	ok(t, s.CreatePasswordReset(ctx, second), "create second link")
	_, err = s.GetPasswordReset(ctx, "reset-1")
	isErr(t, err, core.ErrNotFound, "the replaced link")

	// A link is used once.
	got, err = s.UsePasswordReset(ctx, "reset-2")
	ok(t, err, "use link")
	equal(t, "used link", got, second)
	_, err = s.UsePasswordReset(ctx, "reset-2")
	isErr(t, err, core.ErrNotFound, "use a used link")
	_, err = s.GetPasswordReset(ctx, "reset-2")
	isErr(t, err, core.ErrNotFound, "get a used link")

	// Setting a password ends the user's links.
	ok(t, s.CreatePasswordReset(ctx, store.PasswordReset{TokenHash: "reset-3", UserID: u.ID, AccountID: acme.ID, CreatedAt: at(4), ExpiresAt: at(100)}), "create third link")
	ok(t, s.SetUserPassword(ctx, u.ID, "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA"), "set password")
	_, err = s.GetPasswordReset(ctx, "reset-3")
	isErr(t, err, core.ErrNotFound, "a link after the password was set")

	// Links work inside transactions too.
	ok(t, s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreatePasswordReset(ctx, store.PasswordReset{TokenHash: "reset-tx", UserID: u.ID, AccountID: acme.ID, CreatedAt: at(5), ExpiresAt: at(100)}); err != nil {
			return err
		}
		_, err := tx.UsePasswordReset(ctx, "reset-tx")
		return err
	}), "create and use a link in a transaction")
}

// testEndUserAccess covers what deactivation removes: sessions, API keys
// and set-password links of that user only.
func testEndUserAccess(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	ann := newUser(t, s, acme.ID, "Ann", "ann@example.com")
	bob := newUser(t, s, acme.ID, "Bob", "bob@example.com")
	for _, u := range []core.User{ann, bob} {
		ok(t, s.CreateSession(ctx, store.Session{TokenHash: "sess-" + u.Name, UserID: u.ID, AccountID: acme.ID, CreatedAt: at(2), ExpiresAt: at(3600)}), "create session")
		ok(t, s.CreateAPIKey(ctx, core.APIKey{ID: core.NewID("key"), UserID: u.ID, AccountID: acme.ID, Prefix: "sbk_", Hash: "key-" + u.Name, CreatedAt: at(2)}), "create key")
		ok(t, s.CreatePasswordReset(ctx, store.PasswordReset{TokenHash: "reset-" + u.Name, UserID: u.ID, AccountID: acme.ID, CreatedAt: at(2), ExpiresAt: at(100)}), "create link")
	}
	ok(t, s.InTx(ctx, func(tx store.Tx) error { return tx.EndUserAccess(ctx, ann.ID) }), "end access")

	_, err := s.GetSession(ctx, "sess-Ann")
	isErr(t, err, core.ErrNotFound, "Ann's session")
	_, err = s.GetAPIKeyByHash(ctx, "key-Ann")
	isErr(t, err, core.ErrNotFound, "Ann's key")
	_, err = s.GetPasswordReset(ctx, "reset-Ann")
	isErr(t, err, core.ErrNotFound, "Ann's link")

	_, err = s.GetSession(ctx, "sess-Bob")
	ok(t, err, "Bob's session stays")
	_, err = s.GetAPIKeyByHash(ctx, "key-Bob")
	ok(t, err, "Bob's key stays")
	_, err = s.GetPasswordReset(ctx, "reset-Bob")
	ok(t, err, "Bob's link stays")
}
