package ui

import (
	"crypto/subtle"
	"errors"
	"net/http"

	"switchboard/internal/service"
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
	d.Token = randomToken()
	h.setCookie(w, signInCookie, d.Token, 0)
	h.render(w, r, status, "signin", view{Title: "Sign in", D: d})
}

func (h *handler) signIn(w http.ResponseWriter, r *http.Request) {
	email, password, next := r.PostFormValue("email"), r.PostFormValue("password"), r.PostFormValue("next")
	c, err := r.Cookie(signInCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		h.renderSignIn(w, r, http.StatusForbidden, signInData{Email: email, Next: next,
			Error: "The sign-in form expired. Please sign in again."})
		return
	}
	_, token, err := h.svc.SignIn(r.Context(), email, password)
	if errors.Is(err, service.ErrUnauthenticated) {
		h.renderSignIn(w, r, http.StatusUnauthorized, signInData{Email: email, Next: next,
			Error: "The email address or password is not right. Check both and try again."})
		return
	}
	if err != nil {
		h.serverError(w, r, nil, err)
		return
	}
	h.clearCookie(w, signInCookie)
	h.setCookie(w, h.sessionCookieName(), token, service.SessionTTL)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

func (h *handler) signOut(w http.ResponseWriter, r *http.Request, q *request) {
	if err := h.svc.SignOut(r.Context(), q.token); err != nil {
		h.serverError(w, r, q, err)
		return
	}
	h.clearCookie(w, h.sessionCookieName())
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
