package ui

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"switchboard/internal/identity"
)

type signInData struct {
	Email, Next, Token, Error string
}

// signInPage shows the sign-in form. Before a session exists, the form's CSRF
// token is a random value in a cookie and a hidden field (double submit),
// which stops another site from signing a browser in as someone else.
func (h *handler) signInPage(w http.ResponseWriter, r *http.Request) {
	if _, err := h.session(r); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	h.renderSignIn(w, r, http.StatusOK, signInData{Next: r.URL.Query().Get("next")})
}

func (h *handler) renderSignIn(w http.ResponseWriter, r *http.Request, status int, d signInData) {
	d.Token = h.newFormToken(w)
	h.render(w, r, status, "signin", view{Title: "Sign in", D: d})
}

// newFormToken is the CSRF token of a form shown before there is a session
// (sign-in, set-password): a random value in a cookie and in the form.
func (h *handler) newFormToken(w http.ResponseWriter) string {
	t := randomToken()
	h.setCookie(w, signInCookie, t, 0)
	return t
}

// formTokenOK checks a pre-session form's CSRF field against its cookie.
func (h *handler) formTokenOK(r *http.Request) bool {
	c, err := r.Cookie(signInCookie)
	return err == nil && c.Value != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) == 1
}

func (h *handler) signIn(w http.ResponseWriter, r *http.Request) {
	email, password, next := r.PostFormValue("email"), r.PostFormValue("password"), r.PostFormValue("next")
	if !h.formTokenOK(r) {
		h.renderSignIn(w, r, http.StatusForbidden, signInData{Email: email, Next: next,
			Error: "The sign-in form expired. Please sign in again."})
		return
	}
	_, token, err := h.id.SignIn(r.Context(), email, password, clientAddr(r))
	if errors.Is(err, identity.ErrUnauthenticated) {
		h.renderSignIn(w, r, http.StatusUnauthorized, signInData{Email: email, Next: next,
			Error: "The email address or password is not right. Check both and try again."})
		return
	}
	var throttled *identity.ThrottledError
	if errors.As(err, &throttled) {
		w.Header().Set("Retry-After", strconv.Itoa(throttled.RetryAfterSeconds()))
		h.renderSignIn(w, r, http.StatusTooManyRequests, signInData{Email: email, Next: next,
			Error: "Too many failed sign-ins for this email address or from your network. Wait " + waitText(throttled.RetryAfter) + " and try again."})
		return
	}
	if err != nil {
		h.serverError(w, r, nil, err)
		return
	}
	h.clearCookie(w, signInCookie)
	h.setCookie(w, h.sessionCookieName(), token, identity.SessionTTL)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

// clientAddr is the address a request came from, without the port. Behind a
// reverse proxy this is the proxy's.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// waitText says a wait in words: "a few seconds", "about 3 minutes".
func waitText(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return "a few seconds"
	case d < 90*time.Second:
		return fmt.Sprintf("about %d seconds", int(d.Round(10*time.Second).Seconds()))
	default:
		return fmt.Sprintf("about %d minutes", int(d.Round(time.Minute).Minutes()))
	}
}

func (h *handler) signOut(w http.ResponseWriter, r *http.Request, q *request) {
	if err := h.id.SignOut(r.Context(), q.token); err != nil {
		h.serverError(w, r, q, err)
		return
	}
	h.clearCookie(w, h.sessionCookieName())
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
