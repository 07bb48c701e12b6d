package ui

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"switchboard/internal/ats"
)

// sessionCookieName is the session cookie. Over https it carries the
// __Host- prefix, which makes the browser refuse it unless it is Secure,
// host-only and for the whole site, so a sibling subdomain cannot plant one.
func (h *handler) sessionCookieName() string {
	if h.secure {
		return "__Host-sb_session"
	}
	return "sb_session"
}

const (
	signInCookie = "sb_signin" // the sign-in form's CSRF token, before there is a session
	flashCookie  = "sb_flash"
)

func (h *handler) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (h *handler) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
}

// csrfToken derives a session's CSRF token from its (secret, random)
// session token, so it needs no storage and changes with every sign-in.
func csrfToken(sessionToken string) string {
	m := hmac.New(sha256.New, []byte(sessionToken))
	m.Write([]byte("switchboard-ui-csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF refuses a post whose hidden csrf field does not match the session.
func (h *handler) checkCSRF(fn pageFunc) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, q *request) {
		if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(q.CSRF)) != 1 {
			h.render(w, r, http.StatusForbidden, "problem", view{Title: "Form expired", Q: q, D: problem{
				Title:   "This form has expired",
				Message: "The form was sent from an old page or another site, so nothing was changed.",
				Hint:    "Go back, reload the page and try again.",
			}})
			return
		}
		fn(w, r, q)
	}
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// signInURL is the sign-in page, coming back to next afterwards.
func signInURL(next string) string {
	if next == "" || next == "/" {
		return "/signin"
	}
	return "/signin?next=" + url.QueryEscape(next)
}

// safeNext keeps a post-sign-in redirect on this site: a path, not
// "//host" or "/\host", which browsers treat as another origin.
func safeNext(next string) string {
	const home = "/orders"
	// Browsers drop tabs and newlines and read '\\' as '/', so "/\t/evil" or
	// "/\\evil" would leave the site: refuse any control character or
	// backslash outright, then accept only a path on this host.
	if strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(next, "//") {
		return home
	}
	return next
}

// flash is a one-time message carried across a redirect in a short-lived
// cookie. It holds no secrets: only what the next page says.
type flash struct {
	Kind    string      `json:"k"` // "ok" or "error"
	Message string      `json:"m"`
	Checks  []ats.Check `json:"c,omitempty"`
}

func (h *handler) setFlash(w http.ResponseWriter, f flash) {
	b, err := json.Marshal(f)
	if err != nil {
		return
	}
	h.setCookie(w, flashCookie, base64.RawURLEncoding.EncodeToString(b), time.Minute)
}

func (h *handler) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	h.clearCookie(w, flashCookie)
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	var f flash
	if json.Unmarshal(b, &f) != nil {
		return nil
	}
	return &f
}

// checksFlash turns a validation checklist into a flash message.
func checksFlash(ok string, failed string, checks []ats.Check) flash {
	if ats.Passed(checks) {
		return flash{Kind: "ok", Message: ok, Checks: checks}
	}
	return flash{Kind: "error", Message: failed, Checks: checks}
}
