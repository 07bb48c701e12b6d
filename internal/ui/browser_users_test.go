package ui_test

import (
	"context"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/core"
)

// TestBrowserSetPasswordAndUsers is the newcomer's path in a real browser:
// the first super admin, made without a password, sets one at the link the
// CLI printed, signs in, and on a colleague's page makes a set-password link,
// a new API key and deactivates them.
func TestBrowserSetPasswordAndUsers(t *testing.T) {
	t.Parallel()
	ctx := chrome(t)
	e := apptest.New(t, apptest.Options{})
	e.CreateAccount("Acme Corp", "owner@acme.example")
	addUser(t, e, "owner@acme.example", "team@acme.example", core.RoleTeamMember)
	owner, team := mustUser(t, e, "owner@acme.example"), mustUser(t, e, "team@acme.example")
	link, _, err := e.App.Identity.PasswordResetLink(context.Background(), nil, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	u := &ui{t: t, ctx: ctx, base: e.URL, dir: screenshotDir(t)}

	u.open(link)
	u.mustSee("h1", "Set your password")
	u.fill("#sp-password", testPassword)
	u.fill("#sp-confirm", testPassword)
	u.shot("set-password")
	u.submit("set password", "button[type=submit]")
	u.mustSee("h1", "Your password is set")
	u.submit("go to sign-in", "a.btn")
	u.fill("#email", "owner@acme.example")
	u.fill("#password", testPassword)
	u.submit("sign in", "button[type=submit]")

	u.open("/users")
	u.submit("open the colleague's page", `a[href="/users/`+team.ID+`"]`)
	u.mustSee("h1", team.Name)
	u.submit("create a set-password link", `form[action$="/password-link"] button`)
	if v := u.value("#set-password-link"); len(v) < len(e.URL) || v[:len(e.URL)] != e.URL {
		t.Fatalf("set-password link shown: %q", v)
	}
	u.submit("new API key", `form[action$="/keys"] button`)
	u.shot("user-page")
	u.submit("deactivate", `form[action$="/deactivate"] button`)
	u.mustSee(".flash", "is deactivated")
	u.mustSee("#user-deactivated", "deactivated")
	u.shot("user-deactivated")
}
