package ui_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/core"
	"switchboard/internal/store"
)

const testPassword = "correct horse battery staple"

// addUser adds a user with a password to the account of an existing user.
func addUser(t *testing.T, e *apptest.Env, accountOf, email string, role core.Role) {
	t.Helper()
	ctx := context.Background()
	owner, err := e.App.Store.GetUserByEmail(ctx, accountOf)
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := e.App.Identity.CreateUserInAccount(ctx, owner.AccountID, email, "", role)
	if err != nil {
		t.Fatal(err)
	}
	setPassword(t, e, u.Email)
}

func setPassword(t *testing.T, e *apptest.Env, email string) {
	t.Helper()
	ctx := context.Background()
	u, err := e.App.Store.GetUserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.App.Identity.SetPassword(ctx, nil, u.ID, testPassword); err != nil {
		t.Fatal(err)
	}
}

// browser is a plain HTTP client with cookies, standing in for a browser
// where no JavaScript matters.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// do sends a request, following redirects, and remembers the page's CSRF token.
func (b *browser) do(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if m := csrfRe.FindSubmatch(raw); m != nil {
		b.csrf = string(m[1])
	}
	return resp, string(raw)
}

func (b *browser) get(path string) (*http.Response, string) { return b.do("GET", path, nil) }

// post sends a form with the CSRF token of the last page seen.
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", b.csrf)
	}
	return b.do("POST", path, form)
}

func (b *browser) signIn(email, password string) (*http.Response, string) {
	b.t.Helper()
	b.get("/signin")
	return b.post("/signin", url.Values{"email": {email}, "password": {password}})
}

// signedOutAdmin is a fresh Switchboard with Acme Corp, whose super admin
// (admin@acme.example) has testPassword, and a browser not yet signed in.
func signedOutAdmin(t *testing.T) (*apptest.Env, *browser) {
	t.Helper()
	e := apptest.New(t, apptest.Options{})
	e.CreateAccount("Acme Corp", "admin@acme.example")
	setPassword(t, e, "admin@acme.example")
	return e, newBrowser(t, e.URL)
}

// signedInAdmin is signedOutAdmin with the super admin signed in.
func signedInAdmin(t *testing.T) (*apptest.Env, *browser) {
	t.Helper()
	e, b := signedOutAdmin(t)
	b.signIn("admin@acme.example", testPassword)
	return e, b
}

func mustUser(t *testing.T, e *apptest.Env, email string) core.User {
	t.Helper()
	u, err := e.App.Store.GetUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func storeFilter() store.OrderFilter { return store.OrderFilter{} }
