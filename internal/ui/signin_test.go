package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSignInSessionsAndCSRF(t *testing.T) {
	t.Parallel()
	e, b := signedOutAdmin(t)

	// Signed out: the detail page link leads to sign-in and back.
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
	_, b := signedOutAdmin(t)
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

// TestSignInThrottled: failed sign-ins for one email make the next wait,
// answered 429 without checking the password (the right one is refused
// too), until the clock has moved on; each failure is logged at warn with
// the address and a hash of the email, never the email.
func TestSignInThrottled(t *testing.T) {
	t.Parallel()
	e, b := signedOutAdmin(t)

	for i := range 6 {
		if resp, _ := b.signIn("admin@acme.example", "wrong password!"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failed sign-in %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := b.signIn("Admin@acme.example", testPassword)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" ||
		!strings.Contains(body, "Too many failed sign-ins") {
		t.Fatalf("throttled sign-in: %d Retry-After %q\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	e.Clock.Advance(time.Second)
	if resp, _ := b.signIn("admin@acme.example", testPassword); resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/orders" {
		t.Fatalf("sign-in after the wait: %d at %s", resp.StatusCode, resp.Request.URL)
	}

	log := e.Log()
	if n := strings.Count(log, `level=WARN msg="sign-in failed" addr=127.0.0.1 email_hash=`); n != 6 {
		t.Errorf("%d sign-in failures logged at warn with address and email hash, want 6:\n%s", n, log)
	}
	if strings.Contains(log, "admin@acme.example") {
		t.Error("the log names the email address")
	}
}

// TestFormBodyLimits: every form handler reads a bounded, url-encoded body:
// a large body is 413 and multipart is 415, before anything else is done,
// signed in or not (sign-in, a signed-in page, the candidate's answers, the
// SmartRecruiters consent form).
func TestFormBodyLimits(t *testing.T) {
	t.Parallel()
	e, b := signedInAdmin(t)
	b.get("/users")

	big := url.Values{"email": {"admin@acme.example"}, "password": {strings.Repeat("x", 20<<10)}}.Encode()
	huge := url.Values{"csrf": {b.csrf}, "email": {"x@acme.example"}, "name": {strings.Repeat("x", 100<<10)}}.Encode()
	multipart := "--b\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nadmin@acme.example\r\n--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"big.bin\"\r\n\r\n" +
		strings.Repeat("x", 1<<10) + "\r\n--b--\r\n"
	for _, c := range []struct {
		name, path, contentType, body string
		want                          int
	}{
		{"sign-in, 20 KiB", "/signin", "application/x-www-form-urlencoded", big, http.StatusRequestEntityTooLarge},
		{"sign-in, multipart", "/signin", "multipart/form-data; boundary=b", multipart, http.StatusUnsupportedMediaType},
		{"set-password, multipart", "/set-password", "multipart/form-data; boundary=b", multipart, http.StatusUnsupportedMediaType},
		{"add user, 100 KiB", "/users", "application/x-www-form-urlencoded", huge, http.StatusRequestEntityTooLarge},
		{"add user, multipart", "/users", "multipart/form-data; boundary=b", multipart, http.StatusUnsupportedMediaType},
		{"add user, plain text", "/users", "text/plain", "email=x@acme.example", http.StatusUnsupportedMediaType},
		{"candidate answers, multipart", "/a/sbi_nosuchtoken/q", "multipart/form-data; boundary=b", multipart, http.StatusUnsupportedMediaType},
		{"candidate answers, 100 KiB", "/a/sbi_nosuchtoken/q", "application/x-www-form-urlencoded", huge, http.StatusRequestEntityTooLarge},
		{"consent, multipart", "/partners/smartrecruiters/integration", "multipart/form-data; boundary=b", multipart, http.StatusUnsupportedMediaType},
		{"consent, 20 KiB", "/partners/smartrecruiters/integration", "application/x-www-form-urlencoded", big, http.StatusRequestEntityTooLarge},
	} {
		req, err := http.NewRequest("POST", e.URL+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", c.contentType)
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d", c.name, resp.StatusCode, c.want)
		}
	}
	// Nothing was created by the refused posts.
	if _, err := e.App.Store.GetUserByEmail(t.Context(), "x@acme.example"); err == nil {
		t.Error("a refused form created a user")
	}
}
