package api_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
)

type userJSON struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	Role        string `json:"role"`
	Active      bool   `json:"active"`
	HasPassword bool   `json:"has_password"`
}

type keyJSON struct {
	ID         string `json:"id"`
	UserID     string `json:"user_id"`
	Prefix     string `json:"prefix"`
	CreatedAt  string `json:"created_at"`
	LastUsedAt string `json:"last_used_at"`
}

func me(t *testing.T, e *apptest.Env, key string) userJSON {
	t.Helper()
	var u userJSON
	e.MustAPI(http.StatusOK, key, "GET", "/me", nil, &u)
	return u
}

func keysOf(t *testing.T, e *apptest.Env, key, userID string) []keyJSON {
	t.Helper()
	var out struct {
		Keys []keyJSON `json:"keys"`
	}
	e.MustAPI(http.StatusOK, key, "GET", "/users/"+userID+"/keys", nil, &out)
	return out.Keys
}

// TestAPIKeyRevokeAndRotate: a leaked key is revoked or rotated through the
// API, and stops working at once.
func TestAPIKeyRevokeAndRotate(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	superKey := e.CreateAccount("Acme Corp", "owner@acme.example")
	teamKey := createUser(t, e, superKey, "team@acme.example", team)
	teamUser := me(t, e, teamKey)

	ks := keysOf(t, e, superKey, teamUser.ID)
	if len(ks) != 1 || !strings.HasPrefix(teamKey, ks[0].Prefix) || ks[0].LastUsedAt == "" || ks[0].CreatedAt == "" {
		t.Fatalf("keys of the team member: %+v (key %s…)", ks, teamKey[:10])
	}
	// Users list and rotate their own keys.
	if own := keysOf(t, e, teamKey, teamUser.ID); !reflect.DeepEqual(own, ks) {
		t.Fatalf("own keys %+v, want %+v", own, ks)
	}
	var rotated struct {
		Key    keyJSON `json:"key"`
		APIKey string  `json:"api_key"`
	}
	e.MustAPI(http.StatusOK, teamKey, "POST", "/users/"+teamUser.ID+"/keys/"+ks[0].ID+"/rotate", nil, &rotated)
	if rotated.APIKey == "" || rotated.Key.ID == ks[0].ID || !strings.HasPrefix(rotated.APIKey, rotated.Key.Prefix) {
		t.Fatalf("rotated: %+v", rotated)
	}
	apiErr(t, e, http.StatusUnauthorized, teamKey, "GET", "/me", nil)
	if got := me(t, e, rotated.APIKey); got.ID != teamUser.ID {
		t.Fatalf("the new key is %s's, want %s's", got.ID, teamUser.ID)
	}

	// A super admin revokes it; it stops at once.
	e.MustAPI(http.StatusNoContent, superKey, "DELETE", "/users/"+teamUser.ID+"/keys/"+rotated.Key.ID, nil, nil)
	apiErr(t, e, http.StatusUnauthorized, rotated.APIKey, "GET", "/me", nil)
	apiErr(t, e, http.StatusNotFound, superKey, "DELETE", "/users/"+teamUser.ID+"/keys/"+rotated.Key.ID, nil)
	if ks := keysOf(t, e, superKey, teamUser.ID); len(ks) != 0 {
		t.Fatalf("keys after revoking: %+v", ks)
	}
	// And gives them a new one.
	var fresh struct {
		APIKey string `json:"api_key"`
	}
	e.MustAPI(http.StatusCreated, superKey, "POST", "/users/"+teamUser.ID+"/keys", nil, &fresh)
	if got := me(t, e, fresh.APIKey); got.ID != teamUser.ID {
		t.Fatalf("the new key is %s's, want %s's", got.ID, teamUser.ID)
	}
}

// TestUserManagementRoleRules: the rules of creating users hold for every
// change to a user, and another account's users and keys are not found.
func TestUserManagementRoleRules(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	superKey := e.CreateAccount("Acme Corp", "owner@acme.example")
	owner := me(t, e, superKey)
	adminKey := createUser(t, e, superKey, "admin@acme.example", admin)
	adminUser := me(t, e, adminKey)
	teamKey := createUser(t, e, superKey, "team@acme.example", team)
	teamUser := me(t, e, teamKey)
	otherKey := e.CreateAccount("Other Ltd", "owner@other.example")
	otherOwner := me(t, e, otherKey)
	ownerKeyID := keysOf(t, e, superKey, owner.ID)[0].ID

	for _, c := range []struct {
		name, key, method, path string
		body                    any
		want                    int
	}{
		{"a team member changes a role", teamKey, "PATCH", "/users/" + adminUser.ID, map[string]string{"role": team}, http.StatusForbidden},
		{"a team member lists another's keys", teamKey, "GET", "/users/" + adminUser.ID + "/keys", nil, http.StatusForbidden},
		{"a team member deactivates", teamKey, "POST", "/users/" + adminUser.ID + "/deactivate", nil, http.StatusForbidden},
		{"an admin makes a super admin", adminKey, "PATCH", "/users/" + teamUser.ID, map[string]string{"role": super}, http.StatusForbidden},
		{"an admin demotes a super admin", adminKey, "PATCH", "/users/" + owner.ID, map[string]string{"role": team}, http.StatusForbidden},
		{"an admin deactivates a super admin", adminKey, "POST", "/users/" + owner.ID + "/deactivate", nil, http.StatusForbidden},
		{"an admin revokes a super admin's key", adminKey, "DELETE", "/users/" + owner.ID + "/keys/" + ownerKeyID, nil, http.StatusForbidden},
		{"an admin sets a super admin's password", adminKey, "PUT", "/users/" + owner.ID + "/password", map[string]string{"password": "a long enough password"}, http.StatusForbidden},
		{"an admin makes a super admin's link", adminKey, "POST", "/users/" + owner.ID + "/password-link", nil, http.StatusForbidden},
		{"an admin changes their own role", adminKey, "PATCH", "/users/" + adminUser.ID, map[string]string{"role": team}, http.StatusForbidden},
		{"a super admin deactivates themself", superKey, "POST", "/users/" + owner.ID + "/deactivate", nil, http.StatusForbidden},
		{"an unknown role", superKey, "PATCH", "/users/" + teamUser.ID, map[string]string{"role": "owner"}, http.StatusUnprocessableEntity},
		{"a short password", superKey, "PUT", "/users/" + teamUser.ID + "/password", map[string]string{"password": "short"}, http.StatusUnprocessableEntity},
		{"another account's user", otherKey, "PATCH", "/users/" + teamUser.ID, map[string]string{"role": admin}, http.StatusNotFound},
		{"another account's user's keys", otherKey, "GET", "/users/" + teamUser.ID + "/keys", nil, http.StatusNotFound},
		{"another account's key under one's own user", otherKey, "DELETE", "/users/" + otherOwner.ID + "/keys/" + ownerKeyID, nil, http.StatusNotFound},
		{"another account's user's link", otherKey, "POST", "/users/" + teamUser.ID + "/password-link", nil, http.StatusNotFound},
	} {
		t.Run(c.name, func(t *testing.T) { apiErr(t, e, c.want, c.key, c.method, c.path, c.body) })
	}
	// Nothing changed.
	if got := me(t, e, adminKey); got.Role != admin || !got.Active {
		t.Fatalf("admin after refused changes: %+v", got)
	}
	if got := me(t, e, superKey); got.Role != super || !got.Active {
		t.Fatalf("owner after refused changes: %+v", got)
	}

	// What is allowed: an admin changes a team member's role; a super admin
	// makes a super admin; anyone sets their own password.
	var u userJSON
	e.MustAPI(http.StatusOK, adminKey, "PATCH", "/users/"+teamUser.ID, map[string]string{"role": limited}, &u)
	if u.Role != limited {
		t.Fatalf("after PATCH role: %+v", u)
	}
	e.MustAPI(http.StatusOK, superKey, "PATCH", "/users/"+adminUser.ID, map[string]string{"role": super}, &u)
	if u.Role != super {
		t.Fatalf("after PATCH role: %+v", u)
	}
	e.MustAPI(http.StatusNoContent, teamKey, "PUT", "/users/"+teamUser.ID+"/password", map[string]string{"password": "my own long password"}, nil)
	if got := me(t, e, teamKey); !got.HasPassword {
		t.Fatalf("own password not set: %+v", got)
	}
}

// TestLastSuperAdminStays: the last active super admin cannot be demoted or
// deactivated, so an account always has someone who configures it. Through
// the API the actor is a super admin acting on another, so there are two;
// the operator (CLI) is who could remove the last one.
func TestLastSuperAdminStays(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	superKey := e.CreateAccount("Acme Corp", "owner@acme.example")
	owner := me(t, e, superKey)
	secondKey := createUser(t, e, superKey, "second@acme.example", super)
	second := me(t, e, secondKey)

	// With two, one may go.
	var u userJSON
	e.MustAPI(http.StatusOK, secondKey, "POST", "/users/"+owner.ID+"/deactivate", nil, &u)
	if u.Active {
		t.Fatalf("deactivated owner: %+v", u)
	}
	// The second is now the last: neither demoted nor deactivated, even by
	// the operator.
	ctx := context.Background()
	if _, err := e.App.Identity.SetRole(ctx, nil, second.ID, admin); err == nil || !strings.Contains(err.Error(), "last super admin") {
		t.Fatalf("operator demotes the last super admin: %v", err)
	}
	if _, err := e.App.Identity.SetActive(ctx, nil, second.ID, false); err == nil || !strings.Contains(err.Error(), "last super admin") {
		t.Fatalf("operator deactivates the last super admin: %v", err)
	}
	// Reactivated, the owner counts again and the second may be demoted.
	e.MustAPI(http.StatusOK, secondKey, "POST", "/users/"+owner.ID+"/reactivate", nil, &u)
	if !u.Active {
		t.Fatalf("reactivated owner: %+v", u)
	}
	if _, err := e.App.Identity.SetRole(ctx, nil, second.ID, admin); err != nil {
		t.Fatalf("demote a super admin who is not the last: %v", err)
	}
	if _, err := e.App.Identity.SetRole(ctx, nil, owner.ID, admin); err == nil {
		t.Fatal("the owner, now the last super admin, was demoted")
	}
}

// TestDeactivationEndsKeysAtOnce: a deactivated user's keys stop working at
// once, and reactivating gives none of them back.
func TestDeactivationEndsKeysAtOnce(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	superKey := e.CreateAccount("Acme Corp", "owner@acme.example")
	teamKey := createUser(t, e, superKey, "team@acme.example", team)
	teamUser := me(t, e, teamKey)

	var u userJSON
	e.MustAPI(http.StatusOK, superKey, "POST", "/users/"+teamUser.ID+"/deactivate", nil, &u)
	if u.Active {
		t.Fatalf("deactivated: %+v", u)
	}
	apiErr(t, e, http.StatusUnauthorized, teamKey, "GET", "/me", nil)
	// A deactivated user gets no new key or link until reactivated.
	apiErr(t, e, http.StatusConflict, superKey, "POST", "/users/"+teamUser.ID+"/keys", nil)
	apiErr(t, e, http.StatusConflict, superKey, "POST", "/users/"+teamUser.ID+"/password-link", nil)

	e.MustAPI(http.StatusOK, superKey, "POST", "/users/"+teamUser.ID+"/reactivate", nil, &u)
	apiErr(t, e, http.StatusUnauthorized, teamKey, "GET", "/me", nil)
	if ks := keysOf(t, e, superKey, teamUser.ID); len(ks) != 0 {
		t.Fatalf("keys after reactivating: %+v", ks)
	}
	var link struct {
		URL string `json:"url"`
	}
	e.MustAPI(http.StatusCreated, superKey, "POST", "/users/"+teamUser.ID+"/password-link", nil, &link)
	if !strings.HasPrefix(link.URL, e.URL+"/set-password?token=sbr_") {
		t.Fatalf("set-password link %q", link.URL)
	}
}

// TestEmailTakenElsewhereIsNotRevealed: an address is unique across
// accounts (sign-in finds users by email alone), but an admin who tries one
// that another account holds learns nothing about that account: the answer
// is the one for an address of their own account.
func TestEmailTakenElsewhereIsNotRevealed(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	acmeKey := e.CreateAccount("Acme Corp", "owner@acme.example")
	otherKey := e.CreateAccount("Other Ltd", "owner@other.example")
	createUser(t, e, otherKey, "shared@example.com", team)
	createUser(t, e, acmeKey, "mine@example.com", team)

	elsewhere := apiErr(t, e, http.StatusUnprocessableEntity, acmeKey, "POST", "/users", map[string]string{"email": "SHARED@example.com", "role": team})
	mine := apiErr(t, e, http.StatusUnprocessableEntity, acmeKey, "POST", "/users", map[string]string{"email": "MINE@example.com", "role": team})
	if !reflect.DeepEqual(elsewhere, mine) {
		t.Fatalf("an address of another account answers\n%+v\nbut one of one's own\n%+v", elsewhere, mine)
	}
	if elsewhere.Fields["email"] == "" {
		t.Fatalf("no email field in %+v", elsewhere)
	}
	for _, leak := range []string{"Other", "usr_", "acc_", "store", "conflict"} {
		if strings.Contains(elsewhere.Error+elsewhere.Fields["email"], leak) {
			t.Errorf("the answer mentions %q: %+v", leak, elsewhere)
		}
	}
	// The other account's user is untouched.
	var list struct {
		Users []userJSON `json:"users"`
	}
	e.MustAPI(http.StatusOK, otherKey, "GET", "/users", nil, &list)
	found := false
	for _, u := range list.Users {
		found = found || u.Email == "shared@example.com" && u.Role == team && u.Active
	}
	if len(list.Users) != 2 || !found {
		t.Fatalf("other account's users: %+v", list.Users)
	}
}

// TestLastSuperAdminUnderConcurrency: two super admins demoted at the same
// moment leave exactly one; the count and the change are one transaction
// (locked rows on PostgreSQL, one writer on SQLite).
func TestLastSuperAdminUnderConcurrency(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := apptest.New(t, apptest.Options{Dialect: dialect})
			superKey := e.CreateAccount("Acme Corp", "owner@acme.example")
			ids := []string{me(t, e, superKey).ID, me(t, e, createUser(t, e, superKey, "second@acme.example", super)).ID}
			for round := range 5 {
				errs := make(chan error, 2)
				for _, id := range ids {
					go func() {
						_, err := e.App.Identity.SetRole(context.Background(), nil, id, admin)
						errs <- err
					}()
				}
				failed := 0
				for range ids {
					if err := <-errs; err != nil {
						if !strings.Contains(err.Error(), "last super admin") {
							t.Fatalf("round %d: %v", round, err)
						}
						failed++
					}
				}
				if failed != 1 {
					t.Fatalf("round %d: %d of 2 concurrent demotions refused, want 1", round, failed)
				}
				// Both super admins again for the next round.
				for _, id := range ids {
					if _, err := e.App.Identity.SetRole(context.Background(), nil, id, super); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}
