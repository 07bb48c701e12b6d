package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/store"
)

// Argon2id parameters for new password hashes: OWASP's minimum configuration
// (19 MiB, 2 passes, 1 lane). They are written into every hash, so raising
// them later leaves existing hashes verifiable.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

const maxPasswordBytes = 1024

// SessionTTL is how long a UI sign-in lasts.
const SessionTTL = 12 * time.Hour

// sessionTokenPrefix marks UI session tokens, so a leaked one is recognisable.
const sessionTokenPrefix = "sbs_"

// HashPassword derives an argon2id hash of password in the PHC string format,
// e.g. "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>".
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches an argon2id hash made by
// HashPassword, using the parameters stored in the hash. The final comparison
// is constant-time. A malformed hash never matches.
func VerifyPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var mem, iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false
	}
	// Refuse absurd parameters rather than let a bad row exhaust memory.
	if mem == 0 || mem > 1<<20 || iters == 0 || iters > 20 || threads == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when no user matches, so that an unknown
// email costs as much time as a wrong password and sign-in does not reveal
// which addresses have accounts.
// It is made on first use, not at start-up, so CLI commands do not pay for it.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("switchboard-dummy-password")
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return h
})

// CheckPassword says whether a password is acceptable, so callers can refuse
// one before creating the user it is for.
func CheckPassword(password string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return core.Invalid("password", fmt.Sprintf("must be at least %d characters", MinPasswordLength))
	case len(password) > maxPasswordBytes:
		return core.Invalid("password", fmt.Sprintf("must be at most %d bytes", maxPasswordBytes))
	}
	return nil
}

// SignIn checks an email and password and opens a session, returning the
// session token for the cookie (shown once, stored only hashed). Any mismatch
// is ErrUnauthenticated, after the same amount of work. Failed attempts per
// email and per client address (clientAddr, without port) make later ones
// wait: those are refused with a *ThrottledError before any password check.
func (s *Service) SignIn(ctx context.Context, email, password, clientAddr string) (core.User, string, error) {
	email = strings.TrimSpace(email)
	emailKey, addrKey := "email:"+strings.ToLower(email), "addr:"+throttleAddr(clientAddr)
	if err := s.signInThrottle.attempt(map[string]throttlePolicy{emailKey: emailThrottle, addrKey: addrThrottle}); err != nil {
		s.d.Logger.InfoContext(ctx, "sign-in throttled", "addr", clientAddr, "email_hash", emailHash(email), "err", err)
		return core.User{}, "", err
	}
	u, err := s.checkPassword(ctx, email, password)
	if errors.Is(err, ErrUnauthenticated) {
		s.d.Logger.WarnContext(ctx, "sign-in failed", "addr", clientAddr, "email_hash", emailHash(email))
	}
	if err != nil {
		return core.User{}, "", err
	}
	s.signInThrottle.succeeded(emailKey, addrKey)
	token, err := secret.NewToken(sessionTokenPrefix)
	if err != nil {
		return core.User{}, "", fmt.Errorf("sign in: %w", err)
	}
	now := s.now()
	sess := store.Session{TokenHash: secret.HashToken(token), UserID: u.ID, AccountID: u.AccountID, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}
	if err := s.d.Store.CreateSession(ctx, sess); err != nil {
		return core.User{}, "", fmt.Errorf("sign in: %w", err)
	}
	// Sweeping here keeps the table small without another periodic job.
	if _, err := s.d.Store.DeleteExpiredSessions(ctx, now); err != nil {
		s.d.Logger.WarnContext(ctx, "delete expired sessions", "err", err)
	}
	return u, token, nil
}

// checkPassword finds the active user with email and password, or answers
// ErrUnauthenticated after the same work as for a wrong password.
func (s *Service) checkPassword(ctx context.Context, email, password string) (core.User, error) {
	if len(password) > maxPasswordBytes {
		return core.User{}, ErrUnauthenticated // no such password can have been set
	}
	// argon2id takes 19 MiB per check: bound how many run at once, so a
	// flood of sign-ins queues instead of exhausting memory.
	select {
	case s.signins <- struct{}{}:
		defer func() { <-s.signins }()
	case <-ctx.Done():
		return core.User{}, fmt.Errorf("sign in: %w", ctx.Err())
	}
	u, err := s.d.Store.GetUserByEmail(ctx, email)
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		return core.User{}, fmt.Errorf("sign in: %w", err)
	}
	hash := u.PasswordHash
	if hash == "" || !u.Active() {
		hash = dummyHash() // unknown, API-only or deactivated user: same cost, never a match
	}
	if !VerifyPassword(hash, password) || hash != u.PasswordHash {
		return core.User{}, ErrUnauthenticated
	}
	return u, nil
}

// emailHash names an email address in logs without writing it down.
func emailHash(email string) string {
	return secret.HashToken(strings.ToLower(email))[:16]
}

// SessionUser resolves a session token to its user. A missing, unknown or
// expired session is ErrUnauthenticated.
func (s *Service) SessionUser(ctx context.Context, token string) (core.User, store.Session, error) {
	if !strings.HasPrefix(token, sessionTokenPrefix) {
		return core.User{}, store.Session{}, ErrUnauthenticated
	}
	sess, err := s.d.Store.GetSession(ctx, secret.HashToken(token))
	if errors.Is(err, core.ErrNotFound) {
		return core.User{}, store.Session{}, ErrUnauthenticated
	}
	if err != nil {
		return core.User{}, store.Session{}, fmt.Errorf("session: %w", err)
	}
	if !s.now().Before(sess.ExpiresAt) {
		return core.User{}, store.Session{}, ErrUnauthenticated
	}
	u, err := s.d.Store.GetUser(ctx, sess.UserID)
	if errors.Is(err, core.ErrNotFound) {
		return core.User{}, store.Session{}, ErrUnauthenticated
	}
	if err != nil {
		return core.User{}, store.Session{}, fmt.Errorf("session: %w", err)
	}
	// Deactivation deletes the sessions too; this holds even mid-request.
	if !u.Active() {
		return core.User{}, store.Session{}, ErrUnauthenticated
	}
	return u, sess, nil
}

// SignOut ends the session of token.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if err := s.d.Store.DeleteSession(ctx, secret.HashToken(token)); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}
