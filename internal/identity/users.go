package identity

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/store"
)

// PasswordResetTTL is how long a set-password link works.
const PasswordResetTTL = 24 * time.Hour

// resetTokenPrefix marks set-password link tokens, so a leaked one is recognisable.
const resetTokenPrefix = "sbr_"

// SetPasswordPath is the page a set-password link opens.
const SetPasswordPath = "/set-password"

// The user-management operations below take the acting user; a nil actor
// is the operator at the CLI, who may act on any user of any account. The
// rules are those of creating users: user managers (super admins and
// admins) act on the users of their own account, only a super admin acts on
// a super admin or makes one, and nobody may leave an account without an
// active super admin.

// managedUser loads userID for actor to act on. self says whether the actor
// may act on themself (their own password and keys) or not (their own role
// or deactivation, which another user manager changes).
func (s *Service) managedUser(ctx context.Context, q store.Queries, actor *core.User, userID string, self bool) (core.User, error) {
	u, err := q.GetUser(ctx, userID)
	if err != nil {
		return core.User{}, err
	}
	if actor == nil {
		return u, nil
	}
	if u.AccountID != actor.AccountID {
		return core.User{}, core.Explain(fmt.Errorf("user %s: %w", userID, core.ErrNotFound), "there is no such user in this account")
	}
	if u.ID == actor.ID {
		if !self {
			return core.User{}, core.Explain(core.ErrForbidden, "another user manager must change your own role or access")
		}
		return u, nil
	}
	if !actor.Role.CanManageUsers() {
		return core.User{}, core.ErrForbidden
	}
	if u.Role == core.RoleSuperAdmin && actor.Role != core.RoleSuperAdmin {
		return core.User{}, core.Explain(core.ErrForbidden, "only a super admin may manage a super admin")
	}
	return u, nil
}

// keepSuperAdmin refuses a change that would take the last active super
// admin of u's account away.
func keepSuperAdmin(ctx context.Context, q store.Queries, u core.User) error {
	if u.Role != core.RoleSuperAdmin || !u.Active() {
		return nil
	}
	ids, err := q.ListActiveSuperAdminIDs(ctx, u.AccountID)
	if err != nil {
		return err
	}
	if len(ids) <= 1 {
		return core.Explain(core.ErrConflict, "%s is the account's last super admin; make another user super admin first", u.Email)
	}
	return nil
}

// SetRole changes a user's role.
func (s *Service) SetRole(ctx context.Context, actor *core.User, userID string, role core.Role) (core.User, error) {
	if _, err := core.ParseRole(string(role)); err != nil {
		return core.User{}, core.Invalid("role", err.Error())
	}
	if role == core.RoleSuperAdmin && actor != nil && actor.Role != core.RoleSuperAdmin {
		return core.User{}, core.Explain(core.ErrForbidden, "only a super admin may make a super admin")
	}
	var u core.User
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		var err error
		if u, err = s.managedUser(ctx, tx, actor, userID, false); err != nil {
			return err
		}
		if u.Role == role {
			return nil
		}
		if err := keepSuperAdmin(ctx, tx, u); err != nil {
			return err
		}
		u.Role = role
		return tx.UpdateUser(ctx, u)
	})
	if err != nil {
		return core.User{}, fmt.Errorf("set role: %w", err)
	}
	return u, nil
}

// SetActive deactivates a user, which ends their sessions, API keys and
// set-password links at once, or reactivates them (they then need a new
// password or key: nothing old comes back).
func (s *Service) SetActive(ctx context.Context, actor *core.User, userID string, active bool) (core.User, error) {
	var u core.User
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		var err error
		if u, err = s.managedUser(ctx, tx, actor, userID, false); err != nil {
			return err
		}
		if u.Active() == active {
			return nil
		}
		if active {
			u.DeactivatedAt = time.Time{}
			return tx.UpdateUser(ctx, u)
		}
		if err := keepSuperAdmin(ctx, tx, u); err != nil {
			return err
		}
		u.DeactivatedAt = s.now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return tx.EndUserAccess(ctx, u.ID)
	})
	if err != nil {
		return core.User{}, fmt.Errorf("set active: %w", err)
	}
	return u, nil
}

// activeManagedUser is managedUser (self allowed) for giving the user a way
// in: a deactivated user gets none.
func (s *Service) activeManagedUser(ctx context.Context, q store.Queries, actor *core.User, userID string) (core.User, error) {
	u, err := s.managedUser(ctx, q, actor, userID, true)
	if err != nil {
		return core.User{}, err
	}
	if !u.Active() {
		return core.User{}, core.Explain(core.ErrConflict, "%s is deactivated; reactivate them first", u.Email)
	}
	return u, nil
}

// SetPassword sets the password a user signs in to the UI with: the actor's
// own, or that of a user they manage. It ends the user's sessions.
func (s *Service) SetPassword(ctx context.Context, actor *core.User, userID, password string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	err = s.d.Store.InTx(ctx, func(tx store.Tx) error {
		if _, err := s.activeManagedUser(ctx, tx, actor, userID); err != nil {
			return err
		}
		// The store ends the user's sessions and links with the change.
		return tx.SetUserPassword(ctx, userID, hash)
	})
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// PasswordResetLink makes a one-time link at which the user sets their own
// password, valid for PasswordResetTTL; it replaces the user's earlier link.
// Only its hash is stored: the link is shown once.
func (s *Service) PasswordResetLink(ctx context.Context, actor *core.User, userID string) (string, time.Time, error) {
	token, err := secret.NewToken(resetTokenPrefix)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("set-password link: %w", err)
	}
	now := s.now()
	expires := now.Add(PasswordResetTTL)
	err = s.d.Store.InTx(ctx, func(tx store.Tx) error {
		u, err := s.activeManagedUser(ctx, tx, actor, userID)
		if err != nil {
			return err
		}
		return tx.CreatePasswordReset(ctx, store.PasswordReset{TokenHash: secret.HashToken(token), UserID: u.ID, AccountID: u.AccountID, CreatedAt: now, ExpiresAt: expires})
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("set-password link: %w", err)
	}
	return s.d.BaseURL + SetPasswordPath + "?token=" + url.QueryEscape(token), expires, nil
}

// ErrResetLinkInvalid is a set-password link that is unknown, used or expired.
var ErrResetLinkInvalid = errors.New("this set-password link is not valid any more")

// PasswordResetUser is whom a set-password link is for; a link that is
// unknown, used or expired is ErrResetLinkInvalid.
func (s *Service) PasswordResetUser(ctx context.Context, token string) (core.User, error) {
	p, err := s.d.Store.GetPasswordReset(ctx, secret.HashToken(token))
	if err != nil {
		return core.User{}, s.resetLinkErr(err)
	}
	u, err := s.resetLinkUser(ctx, s.d.Store, p)
	if err != nil {
		return core.User{}, s.resetLinkErr(err)
	}
	return u, nil
}

// resetLinkUser is the active user a set-password link is for, while the
// link runs; otherwise ErrResetLinkInvalid.
func (s *Service) resetLinkUser(ctx context.Context, q store.Queries, p store.PasswordReset) (core.User, error) {
	if !s.now().Before(p.ExpiresAt) {
		return core.User{}, ErrResetLinkInvalid
	}
	u, err := q.GetUser(ctx, p.UserID)
	if err != nil {
		return core.User{}, err
	}
	if !u.Active() {
		return core.User{}, ErrResetLinkInvalid
	}
	return u, nil
}

// ResetPassword sets a password through a set-password link, using the link
// up; a bad password leaves the link usable.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (core.User, error) {
	if err := CheckPassword(password); err != nil {
		return core.User{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return core.User{}, err
	}
	var u core.User
	err = s.d.Store.InTx(ctx, func(tx store.Tx) error {
		p, err := tx.UsePasswordReset(ctx, secret.HashToken(token))
		if err != nil {
			return err
		}
		// An invalid link rolls back: an expired one stays, harmlessly.
		if u, err = s.resetLinkUser(ctx, tx, p); err != nil {
			return err
		}
		return tx.SetUserPassword(ctx, u.ID, hash)
	})
	if err != nil {
		return core.User{}, s.resetLinkErr(err)
	}
	return u, nil
}

func (s *Service) resetLinkErr(err error) error {
	if errors.Is(err, core.ErrNotFound) || errors.Is(err, ErrResetLinkInvalid) {
		return ErrResetLinkInvalid
	}
	return fmt.Errorf("set-password link: %w", err)
}

// APIKeys lists a user's API keys (prefix, created, last used; never the key).
func (s *Service) APIKeys(ctx context.Context, actor *core.User, userID string) ([]core.APIKey, error) {
	u, err := s.managedUser(ctx, s.d.Store, actor, userID, true)
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	ks, err := s.d.Store.ListAPIKeys(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	return ks, nil
}

// managedKey loads a key of a user the actor may act on. A key of another
// user than userID is not found, so a path cannot pair one user with
// another's key. The operator may leave userID empty: a leaked key is
// revoked knowing only its id.
func (s *Service) managedKey(ctx context.Context, q store.Queries, actor *core.User, userID, keyID string) (core.User, core.APIKey, error) {
	k, err := q.GetAPIKey(ctx, keyID)
	if err != nil {
		return core.User{}, core.APIKey{}, err
	}
	if userID == "" && actor == nil {
		userID = k.UserID
	}
	u, err := s.managedUser(ctx, q, actor, userID, true)
	if err != nil {
		return core.User{}, core.APIKey{}, err
	}
	if k.UserID != u.ID {
		return core.User{}, core.APIKey{}, core.Explain(fmt.Errorf("api key %s: %w", keyID, core.ErrNotFound), "there is no such API key in this account")
	}
	return u, k, nil
}

// RevokeAPIKey revokes one key of a user; it stops working at once.
func (s *Service) RevokeAPIKey(ctx context.Context, actor *core.User, userID, keyID string) error {
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		if _, _, err := s.managedKey(ctx, tx, actor, userID, keyID); err != nil {
			return err
		}
		return tx.DeleteAPIKey(ctx, keyID)
	})
	if err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	return nil
}

// RotateAPIKey replaces one key of a user with a new one, returned once; the
// old key stops working in the same transaction.
func (s *Service) RotateAPIKey(ctx context.Context, actor *core.User, userID, keyID string) (core.APIKey, string, error) {
	k, key, err := s.issueAPIKey(ctx, actor, userID, keyID)
	if err != nil {
		return core.APIKey{}, "", fmt.Errorf("rotate api key: %w", err)
	}
	return k, key, nil
}

// NewAPIKey gives a user another key, returned once (for a user whose keys
// were all revoked, or to roll keys over without a gap).
func (s *Service) NewAPIKey(ctx context.Context, actor *core.User, userID string) (core.APIKey, string, error) {
	k, key, err := s.issueAPIKey(ctx, actor, userID, "")
	if err != nil {
		return core.APIKey{}, "", fmt.Errorf("new api key: %w", err)
	}
	return k, key, nil
}

// issueAPIKey makes a key for a user, revoking replaces (a key id) when set.
func (s *Service) issueAPIKey(ctx context.Context, actor *core.User, userID, replaces string) (core.APIKey, string, error) {
	var k core.APIKey
	var key string
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		var u core.User
		var err error
		if replaces != "" {
			// A deactivated user has no keys, so has none to rotate.
			if u, _, err = s.managedKey(ctx, tx, actor, userID, replaces); err != nil {
				return err
			}
			if err := tx.DeleteAPIKey(ctx, replaces); err != nil {
				return err
			}
		} else if u, err = s.activeManagedUser(ctx, tx, actor, userID); err != nil {
			return err
		}
		k, key, err = s.newAPIKey(ctx, tx, u)
		return err
	})
	return k, key, err
}

// Users lists the users of the actor's account (user managers only).
func (s *Service) Users(ctx context.Context, actor core.User) ([]core.User, error) {
	if !actor.Role.CanManageUsers() {
		return nil, fmt.Errorf("users: %w", core.ErrForbidden)
	}
	us, err := s.d.Store.ListUsers(ctx, actor.AccountID)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return us, nil
}

// UsersOf lists an account's users for the operator (CLI).
func (s *Service) UsersOf(ctx context.Context, accountID string) ([]core.User, error) {
	if _, err := s.d.Store.GetAccount(ctx, accountID); err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	us, err := s.d.Store.ListUsers(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return us, nil
}

// User is one user of the actor's account whom the actor may manage, or the
// actor themself.
func (s *Service) User(ctx context.Context, actor core.User, userID string) (core.User, error) {
	u, err := s.managedUser(ctx, s.d.Store, &actor, userID, true)
	if err != nil {
		return core.User{}, fmt.Errorf("user: %w", err)
	}
	return u, nil
}

// SetOperator makes the user with this email an operator, or no longer one
// (CLI only: whoever runs the binary is the operator). Their role in their
// own account stays as it is.
func (s *Service) SetOperator(ctx context.Context, email string, on bool) (core.User, error) {
	var u core.User
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		var err error
		if u, err = tx.GetUserByEmail(ctx, strings.TrimSpace(email)); errors.Is(err, core.ErrNotFound) {
			return core.Explain(err, "there is no user %s", email)
		} else if err != nil {
			return err
		}
		if u.Operator == on {
			return nil
		}
		u.Operator = on
		return tx.SetUserOperator(ctx, u.ID, on)
	})
	if err != nil {
		return core.User{}, fmt.Errorf("set operator: %w", err)
	}
	return u, nil
}
