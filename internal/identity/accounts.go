package identity

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/store"
)

// CreateAccount creates an account with its first user, a super admin, and
// returns that user's API key (shown once). It is an operator action (CLI),
// not an account-scoped one.
func (s *Service) CreateAccount(ctx context.Context, name, adminEmail, adminName string) (core.Account, core.User, string, error) {
	name = strings.TrimSpace(name)
	v := core.Invalid()
	if name == "" {
		v.Add("name", "is required")
	}
	if err := v.OrNil(); err != nil {
		return core.Account{}, core.User{}, "", err
	}
	acc := core.Account{ID: core.NewID("acc"), Name: name, CreatedAt: s.now()}
	var u core.User
	var key string
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, acc); err != nil {
			return err
		}
		var err error
		u, key, err = s.createUser(ctx, tx, acc.ID, adminEmail, adminName, core.RoleSuperAdmin)
		return err
	})
	if err != nil {
		return core.Account{}, core.User{}, "", fmt.Errorf("create account: %w", err)
	}
	return acc, u, key, nil
}

// CreateUser adds a user to the actor's account and returns their API key.
func (s *Service) CreateUser(ctx context.Context, actor core.User, email, name string, role core.Role) (core.User, string, error) {
	if !actor.Role.CanManageUsers() {
		return core.User{}, "", fmt.Errorf("create user: %w", core.ErrForbidden)
	}
	if role == core.RoleSuperAdmin && actor.Role != core.RoleSuperAdmin {
		return core.User{}, "", fmt.Errorf("create user: only a super admin may create a super admin: %w", core.ErrForbidden)
	}
	return s.CreateUserInAccount(ctx, actor.AccountID, email, name, role)
}

// CreateUserInAccount is the operator (CLI) form of CreateUser.
func (s *Service) CreateUserInAccount(ctx context.Context, accountID, email, name string, role core.Role) (core.User, string, error) {
	var u core.User
	var key string
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		if _, err := tx.GetAccount(ctx, accountID); err != nil {
			return err
		}
		var err error
		u, key, err = s.createUser(ctx, tx, accountID, email, name, role)
		return err
	})
	if err != nil {
		return core.User{}, "", fmt.Errorf("create user: %w", err)
	}
	return u, key, nil
}

func (s *Service) createUser(ctx context.Context, tx store.Tx, accountID, email, name string, role core.Role) (core.User, string, error) {
	email = strings.TrimSpace(email)
	v := core.Invalid()
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
		v.Add("email", "must be a plain email address")
	}
	if _, err := core.ParseRole(string(role)); err != nil {
		v.Add("role", err.Error())
	}
	if err := v.OrNil(); err != nil {
		return core.User{}, "", err
	}
	if strings.TrimSpace(name) == "" {
		name = email
	}
	u := core.User{ID: core.NewID("usr"), AccountID: accountID, Email: email, Name: strings.TrimSpace(name), Role: role, CreatedAt: s.now()}
	if err := tx.CreateUser(ctx, u); errors.Is(err, core.ErrConflict) {
		// Sign-in finds a user by email alone, so an address is unique across
		// accounts. The answer is the same whichever account holds it, and
		// names neither that account nor the user.
		return core.User{}, "", core.Invalid("email", emailInUse)
	} else if err != nil {
		return core.User{}, "", err
	}
	_, key, err := s.newAPIKey(ctx, tx, u)
	if err != nil {
		return core.User{}, "", err
	}
	return u, key, nil
}

// emailInUse is the one answer to an email address that already has a user.
const emailInUse = "cannot be used for a new user: choose another address"

func (s *Service) newAPIKey(ctx context.Context, tx store.Tx, u core.User) (core.APIKey, string, error) {
	key, err := secret.NewToken("sbk_")
	if err != nil {
		return core.APIKey{}, "", fmt.Errorf("new api key: %w", err)
	}
	k := core.APIKey{ID: core.NewID("key"), UserID: u.ID, AccountID: u.AccountID, Prefix: key[:10], Hash: secret.HashToken(key), CreatedAt: s.now()}
	if err := tx.CreateAPIKey(ctx, k); err != nil {
		return core.APIKey{}, "", err
	}
	return k, key, nil
}

// ErrUnauthenticated is returned for a missing or unknown credential.
var ErrUnauthenticated = errors.New("unauthenticated")

// Authenticate resolves an admin API key to its user.
func (s *Service) Authenticate(ctx context.Context, apiKey string) (core.User, error) {
	if !strings.HasPrefix(apiKey, "sbk_") {
		return core.User{}, ErrUnauthenticated
	}
	k, err := s.d.Store.GetAPIKeyByHash(ctx, secret.HashToken(apiKey))
	if errors.Is(err, core.ErrNotFound) {
		return core.User{}, ErrUnauthenticated
	}
	if err != nil {
		return core.User{}, fmt.Errorf("authenticate: %w", err)
	}
	u, err := s.d.Store.GetUser(ctx, k.UserID)
	if err != nil {
		return core.User{}, fmt.Errorf("authenticate: %w", err)
	}
	// Deactivation deletes the keys too; this holds even mid-request.
	if !u.Active() {
		return core.User{}, ErrUnauthenticated
	}
	// Last use is kept to the minute or so: enough to spot unused keys,
	// without a write on every request.
	if now := s.now(); now.Sub(k.LastUsedAt) > time.Minute {
		if err := s.d.Store.TouchAPIKey(ctx, k.ID, now); err != nil {
			return core.User{}, fmt.Errorf("authenticate: %w", err)
		}
	}
	return u, nil
}

// Account returns the actor's own account, for page headers.
func (s *Service) Account(ctx context.Context, actor core.User) (core.Account, error) {
	a, err := s.d.Store.GetAccount(ctx, actor.AccountID)
	if err != nil {
		return core.Account{}, fmt.Errorf("account: %w", err)
	}
	return a, nil
}

// Accounts lists every account, oldest first, for an operator linking a
// vendor (the caller checks the actor is one).
func (s *Service) Accounts(ctx context.Context) ([]core.Account, error) {
	as, err := s.d.Store.ListAccounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	return as, nil
}
