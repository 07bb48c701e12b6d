package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
)

func TestSignInSessionsAndCSRF(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	e.CreateAccount("Acme Corp", "admin@acme.example")
	setPassword(t, e, "admin@acme.example")

	// Signed out: the detail page link leads to sign-in and back.
	b := newBrowser(t, e.URL)
	resp, body := b.get("/orders/ord_x")
	if resp.Request.URL.Path != "/signin" || resp.Request.URL.Query().Get("next") != "/orders/ord_x" || !strings.Contains(body, "Sign in to Switchboard") {
		t.Fatalf("signed-out detail page: %s", resp.Request.URL)
	}

	for _, bad := range []struct{ email, password string }{
		{"admin@acme.example", "wrong password!"},
		{"nobody@acme.example", testPassword},
	} {
		resp, body = b.signIn(bad.email, bad.password)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "The email address or password is not right") {
			t.Fatalf("bad sign-in %s: %d", bad.email, resp.StatusCode)
		}
	}

	// The sign-in form itself needs its token.
	resp, _ = b.do("POST", "/signin", url.Values{"email": {"admin@acme.example"}, "password": {testPassword}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-in without its CSRF token: %d", resp.StatusCode)
	}

	b.get("/signin?next=" + url.QueryEscape("/integrations"))
	resp, _ = b.post("/signin", url.Values{"email": {"ADMIN@acme.example"}, "password": {testPassword}, "next": {"/integrations"}})
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/integrations" {
		t.Fatalf("sign in: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	u, _ := url.Parse(e.URL)
	var session *http.Cookie
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "sb_session" {
			session = c
		}
	}
	if session == nil || !strings.HasPrefix(session.Value, "sbs_") {
		t.Fatalf("no session cookie: %v", b.c.Jar.Cookies(u))
	}

	// Posts without the session's CSRF token change nothing.
	resp, body = b.do("POST", "/integrations/new", url.Values{"provider": {"lever"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "This form has expired") {
		t.Fatalf("post without CSRF: %d", resp.StatusCode)
	}
	resp, _ = b.post("/integrations/new", url.Values{"provider": {"lever"}, "csrf": {"forged"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("post with a forged CSRF token: %d", resp.StatusCode)
	}
	// A cross-site post is refused by the browser's own headers too.
	req, _ := http.NewRequest("POST", e.URL+"/integrations/new", strings.NewReader(url.Values{"provider": {"lever"}, "csrf": {b.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r2, err := b.c.Do(req); err != nil || r2.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site post: %v %v", r2, err)
	}

	// Sign-out ends the session on the server: the old cookie no longer works.
	b.get("/orders")
	resp, _ = b.post("/signout", nil)
	if resp.Request.URL.Path != "/signin" {
		t.Fatalf("sign out went to %s", resp.Request.URL)
	}
	replay := newBrowser(t, e.URL)
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "sb_session", Value: session.Value}})
	if resp, _ = replay.get("/orders"); resp.Request.URL.Path != "/signin" {
		t.Fatalf("old session still works after sign-out: %s", resp.Request.URL)
	}
}

func TestSessionCookieFlags(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	e.CreateAccount("Acme Corp", "admin@acme.example")
	setPassword(t, e, "admin@acme.example")
	b := newBrowser(t, e.URL)
	b.get("/signin")
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, _ := b.post("/signin", url.Values{"email": {"admin@acme.example"}, "password": {testPassword}, "next": {"//evil.example/x"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/orders" {
		t.Fatalf("open redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var found bool
	for _, h := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "sb_session=") {
			found = true
			if !strings.Contains(h, "HttpOnly") || !strings.Contains(h, "SameSite=Lax") || !strings.Contains(h, "Path=/") {
				t.Fatalf("session cookie flags: %s", h)
			}
		}
	}
	if !found {
		t.Fatal("no session cookie set")
	}
}
