// Package identity is who may do what: accounts and their users, roles,
// admin API keys (issued, listed, rotated, revoked, and resolved to a user on
// each API request), UI sessions, sign-in with its throttle and its bound on
// concurrent argon2id checks, password hashing and set-password links.
//
// User-management operations take the acting user and apply the role rules
// (see users.go); a nil actor is the operator at the CLI. Every other part of
// Switchboard takes the core.User this package resolved.
package identity

import (
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"switchboard/internal/store"
)

// Deps are what identity needs.
type Deps struct {
	Store store.Store
	// BaseURL is where users reach this Switchboard, for set-password links,
	// e.g. "https://switchboard.example.com".
	BaseURL string
	Now     func() time.Time
	Logger  *slog.Logger
}

// Service holds the identity operations.
type Service struct {
	d Deps
	// signins bounds concurrent password checks (see SignIn).
	signins chan struct{}
	// signInThrottle slows password guessing (see SignIn).
	signInThrottle *signInThrottle
}

// New builds the identity service.
func New(d Deps) (*Service, error) {
	switch {
	case d.Store == nil:
		return nil, errors.New("identity: Store is required")
	case d.BaseURL == "":
		return nil, errors.New("identity: BaseURL is required")
	}
	d.BaseURL = strings.TrimRight(d.BaseURL, "/")
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	return &Service{d: d, signins: make(chan struct{}, max(2, runtime.NumCPU())), signInThrottle: newSignInThrottle(d.Now)}, nil
}

func (s *Service) now() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }
