package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/core"
)

// TestSetPasswordLink: the first super admin made without a password (as
// "Running it" says) signs in through the one-time link the CLI prints.
func TestSetPasswordLink(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	e.CreateAccount("Acme Corp", "owner@acme.example")
	owner := mustUser(t, e, "owner@acme.example")
	ctx := context.Background()
	link, expires, err := e.App.Identity.PasswordResetLink(ctx, nil, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !expires.Equal(e.Clock.Now().UTC().Truncate(time.Microsecond).Add(24 * time.Hour)) {
		t.Errorf("link expires %s, want 24 h from now", expires)
	}
	path := strings.TrimPrefix(link, e.URL)
	token := strings.TrimPrefix(path, "/set-password?token=")

	b := newBrowser(t, e.URL)
	resp, body := b.get(path)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "owner@acme.example") || !strings.Contains(body, "Set your password") {
		t.Fatalf("set-password page: %d\n%s", resp.StatusCode, body)
	}
	for _, c := range []struct {
		name           string
		form           url.Values
		status         int
		says           string
		withoutCSRFTok bool
	}{
		{"without the form's token", url.Values{"token": {token}, "password": {testPassword}, "confirm": {testPassword}}, http.StatusForbidden, "The form expired", true},
		{"two different passwords", url.Values{"token": {token}, "password": {testPassword}, "confirm": {testPassword + "!"}}, http.StatusUnprocessableEntity, "not the same", false},
		{"a short password", url.Values{"token": {token}, "password": {"short"}, "confirm": {"short"}}, http.StatusUnprocessableEntity, "at least 10 characters", false},
	} {
		if c.withoutCSRFTok {
			c.form.Set("csrf", "forged")
		}
		resp, body = b.post("/set-password", c.form)
		if resp.StatusCode != c.status || !strings.Contains(body, c.says) {
			t.Fatalf("%s: %d, want %d saying %q\n%s", c.name, resp.StatusCode, c.status, c.says, body)
		}
	}
	// None of that used the link up.
	resp, body = b.post("/set-password", url.Values{"token": {token}, "password": {testPassword}, "confirm": {testPassword}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Your password is set") {
		t.Fatalf("set password: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := b.signIn("owner@acme.example", testPassword); resp.Request.URL.Path != "/orders" {
		t.Fatalf("sign in with the new password landed on %s", resp.Request.URL)
	}

	// The link works once.
	other := newBrowser(t, e.URL)
	if resp, body := other.get(path); resp.StatusCode != http.StatusGone || !strings.Contains(body, "does not work any more") {
		t.Fatalf("used link: %d\n%s", resp.StatusCode, body)
	}
	other.get("/signin") // the pre-session form token, shared with sign-in
	resp, body = other.post("/set-password", url.Values{"token": {token}, "password": {"another password!"}, "confirm": {"another password!"}})
	if resp.StatusCode != http.StatusGone {
		t.Fatalf("posting a used link: %d\n%s", resp.StatusCode, body)
	}

	// A link expires after 24 hours, and only the newest link works.
	older, _, err := e.App.Identity.PasswordResetLink(ctx, nil, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	newer, _, err := e.App.Identity.PasswordResetLink(ctx, nil, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := other.get(strings.TrimPrefix(older, e.URL)); resp.StatusCode != http.StatusGone {
		t.Fatalf("a replaced link: %d", resp.StatusCode)
	}
	e.Clock.Advance(24 * time.Hour)
	if resp, _ := other.get(strings.TrimPrefix(newer, e.URL)); resp.StatusCode != http.StatusGone {
		t.Fatalf("a link after 24 hours: %d", resp.StatusCode)
	}
}

var (
	shownKeyRe  = regexp.MustCompile(`id="new-api-key" value="(sbk_[^"]+)"`)
	shownLinkRe = regexp.MustCompile(`id="set-password-link" value="([^"]+)"`)
	keyRowRe    = regexp.MustCompile(`(?s)<code>([^<]+)…</code>.*?/keys/(key_[a-z0-9]+)/rotate`)
)

// TestUserPageManagesAccess: a super admin changes a team member's role,
// hands out a set-password link and keys, rotates and revokes keys, and
// deactivates them, which ends their session and key at once.
func TestUserPageManagesAccess(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	e.CreateAccount("Acme Corp", "owner@acme.example")
	setPassword(t, e, "owner@acme.example")
	addUser(t, e, "owner@acme.example", "team@acme.example", core.RoleTeamMember)
	team := mustUser(t, e, "team@acme.example")
	page := "/users/" + team.ID

	teamBrowser := newBrowser(t, e.URL)
	teamBrowser.signIn("team@acme.example", testPassword)
	if resp, _ := teamBrowser.get("/orders"); resp.Request.URL.Path != "/orders" {
		t.Fatalf("team member not signed in: %s", resp.Request.URL)
	}

	b := newBrowser(t, e.URL)
	b.signIn("owner@acme.example", testPassword)
	if resp, body := b.get("/users"); !strings.Contains(body, `href="`+page+`"`) {
		t.Fatalf("users list links no user page: %d\n%s", resp.StatusCode, body)
	}
	resp, body := b.get(page)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "team@acme.example") {
		t.Fatalf("user page: %d\n%s", resp.StatusCode, body)
	}

	// Role.
	resp, body = b.post(page+"/role", url.Values{"role": {"admin"}})
	if !strings.Contains(body, "team@acme.example is now admin") || mustUser(t, e, "team@acme.example").Role != core.RoleAdmin {
		t.Fatalf("change role: %d\n%s", resp.StatusCode, body)
	}

	// A set-password link, shown once on the page.
	_, body = b.post(page+"/password-link", nil)
	m := shownLinkRe.FindStringSubmatch(body)
	if m == nil || !strings.HasPrefix(m[1], e.URL+"/set-password?token=sbr_") {
		t.Fatalf("no set-password link shown:\n%s", body)
	}

	// Keys: a new one works; rotating replaces it; revoking stops it.
	_, body = b.post(page+"/keys", nil)
	k := shownKeyRe.FindStringSubmatch(body)
	if k == nil {
		t.Fatalf("no new key shown:\n%s", body)
	}
	var me struct{ ID string }
	e.MustAPI(http.StatusOK, k[1], "GET", "/me", nil, &me)
	keyID := func(body, key string) string {
		t.Helper()
		for _, row := range keyRowRe.FindAllStringSubmatch(body, -1) {
			if strings.HasPrefix(key, row[1]) {
				return row[2]
			}
		}
		t.Fatalf("no row for key %s… in:\n%s", key[:10], body)
		return ""
	}
	if rows := keyRowRe.FindAllStringSubmatch(body, -1); len(rows) != 2 {
		t.Fatalf("key rows: %v\n%s", rows, body)
	}
	_, body = b.post(page+"/keys/"+keyID(body, k[1])+"/rotate", nil)
	rotated := shownKeyRe.FindStringSubmatch(body)
	if rotated == nil || rotated[1] == k[1] {
		t.Fatalf("no rotated key shown:\n%s", body)
	}
	if got := e.API(k[1], "GET", "/me", nil, nil); got != http.StatusUnauthorized {
		t.Fatalf("the rotated-out key answers %d", got)
	}
	e.MustAPI(http.StatusOK, rotated[1], "GET", "/me", nil, &me)
	_, body = b.post(page+"/keys/"+keyID(body, rotated[1])+"/revoke", nil)
	if !strings.Contains(body, "The API key is revoked") {
		t.Fatalf("revoke:\n%s", body)
	}
	if got := e.API(rotated[1], "GET", "/me", nil, nil); got != http.StatusUnauthorized {
		t.Fatalf("the revoked key answers %d", got)
	}

	// Deactivation: the session ends at once and sign-in is refused.
	_, body = b.post(page+"/deactivate", nil)
	if !strings.Contains(body, "is deactivated") || !strings.Contains(body, `id="user-deactivated"`) {
		t.Fatalf("deactivate:\n%s", body)
	}
	if resp, _ := teamBrowser.get("/orders"); resp.Request.URL.Path != "/signin" {
		t.Fatalf("a deactivated user's session still opens %s", resp.Request.URL)
	}
	if resp, _ := teamBrowser.signIn("team@acme.example", testPassword); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a deactivated user signs in: %d", resp.StatusCode)
	}
	if _, body := b.get("/users"); !strings.Contains(body, "deactivated") {
		t.Fatalf("users list does not show the deactivation:\n%s", body)
	}

	// The owner's own page offers no role or deactivation.
	owner := mustUser(t, e, "owner@acme.example")
	if _, body := b.get("/users/" + owner.ID); strings.Contains(body, "/deactivate") || strings.Contains(body, "/role") {
		t.Fatalf("own page offers a role change or deactivation:\n%s", body)
	}
}

// TestAdminCannotManageSuperAdminInUI: an admin opens no super admin's page.
func TestAdminCannotManageSuperAdminInUI(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	e.CreateAccount("Acme Corp", "owner@acme.example")
	addUser(t, e, "owner@acme.example", "admin@acme.example", core.RoleAdmin)
	owner := mustUser(t, e, "owner@acme.example")
	b := newBrowser(t, e.URL)
	b.signIn("admin@acme.example", testPassword)
	if resp, _ := b.get("/users/" + owner.ID); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("admin opens the super admin's page: %d", resp.StatusCode)
	}
	b.get("/users")
	if resp, _ := b.post("/users/"+owner.ID+"/deactivate", nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("admin deactivates the super admin: %d", resp.StatusCode)
	}
	if !mustUser(t, e, "owner@acme.example").Active() {
		t.Fatal("the super admin was deactivated by an admin")
	}
}
