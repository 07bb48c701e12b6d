package core

import (
	"fmt"
	"time"
)

// Account is one customer company of the vendor: a tenant. Everything else
// belongs to exactly one account, and one account never sees another's data.
type Account struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// Role is what a user may do inside their account.
type Role string

const (
	RoleSuperAdmin        Role = "super_admin"         // configures integrations and credentials
	RoleAdmin             Role = "admin"               // manages vacancies and users, sees everything but credentials
	RoleTeamMember        Role = "team_member"         // sees and acts on orders
	RoleLimitedTeamMember Role = "limited_team_member" // sees orders only, never credentials or settings
)

// Roles lists the roles from most to least privileged.
var Roles = []Role{RoleSuperAdmin, RoleAdmin, RoleTeamMember, RoleLimitedTeamMember}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (want one of super_admin, admin, team_member, limited_team_member)", s)
}

// CanConfigureIntegrations reports whether the role may change integrations,
// their settings and credentials.
func (r Role) CanConfigureIntegrations() bool { return r == RoleSuperAdmin }

// CanManageVacancies reports whether the role may create and edit vacancies.
func (r Role) CanManageVacancies() bool { return r == RoleSuperAdmin || r == RoleAdmin }

// CanManageUsers reports whether the role may add users to the account and
// manage their roles, passwords, API keys and deactivation.
func (r Role) CanManageUsers() bool { return r == RoleSuperAdmin || r == RoleAdmin }

// CanActOnOrders reports whether the role may retry jobs and resend invitations.
func (r Role) CanActOnOrders() bool {
	return r == RoleSuperAdmin || r == RoleAdmin || r == RoleTeamMember
}

// CanSeeIntegrations reports whether the role may see integrations (without
// their credentials' values, which nobody sees).
func (r Role) CanSeeIntegrations() bool {
	return r == RoleSuperAdmin || r == RoleAdmin || r == RoleTeamMember
}

// CanSeeVendors reports whether the role may see the account's vendors,
// their endpoint health and their deliveries.
func (r Role) CanSeeVendors() bool { return r.CanSeeIntegrations() }

// User is a person (or automation) who signs in to one account.
type User struct {
	ID           string
	AccountID    string
	Email        string
	Name         string
	Role         Role
	PasswordHash string // empty for API-only users
	CreatedAt    time.Time
	// DeactivatedAt is when the user was deactivated; zero while active. A
	// deactivated user keeps their row, so what they did stays attributed.
	DeactivatedAt time.Time
	// Operator marks a person who runs this Switchboard: besides their role in
	// their own account, they manage the vendors, which span accounts. Only
	// the CLI sets it (whoever runs the binary is the operator).
	Operator bool
}

// IsOperator reports whether the user may use the operator pages and routes.
func (u User) IsOperator() bool { return u.Operator && u.Active() }

// Active reports whether the user may sign in and use API keys.
func (u User) Active() bool { return u.DeactivatedAt.IsZero() }

// APIKey authenticates a user on the admin API. Only the hash of the key is
// stored; the key itself is shown once when created.
type APIKey struct {
	ID         string
	UserID     string
	AccountID  string
	Prefix     string // first characters, to tell keys apart in listings
	Hash       string
	CreatedAt  time.Time
	LastUsedAt time.Time
}
