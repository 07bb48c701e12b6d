package ui

import (
	"errors"
	"net/http"

	"switchboard/internal/identity"
)

type setPasswordData struct {
	Email, Token, CSRF, Error string
	// Invalid: the link is unknown, used or expired; Done: the password is set.
	Invalid, Done bool
}

// setPasswordPage is where a one-time set-password link lands. Like sign-in,
// there is no session yet: the form's CSRF token is a double submit.
func (h *handler) setPasswordPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	u, err := h.id.PasswordResetUser(r.Context(), token)
	if errors.Is(err, identity.ErrResetLinkInvalid) {
		h.renderSetPassword(w, r, http.StatusGone, setPasswordData{Invalid: true})
		return
	}
	if err != nil {
		h.serverError(w, r, nil, err)
		return
	}
	h.renderSetPassword(w, r, http.StatusOK, setPasswordData{Email: u.Email, Token: token})
}

func (h *handler) renderSetPassword(w http.ResponseWriter, r *http.Request, status int, d setPasswordData) {
	if !d.Invalid && !d.Done {
		d.CSRF = h.newFormToken(w)
	}
	h.render(w, r, status, "set_password", view{Title: "Set your password", D: d})
}

func (h *handler) setPassword(w http.ResponseWriter, r *http.Request) {
	token, password := r.PostFormValue("token"), r.PostFormValue("password")
	d := setPasswordData{Token: token, Email: r.PostFormValue("email")}
	if !h.formTokenOK(r) {
		d.Error = "The form expired. Please enter your new password again."
		h.renderSetPassword(w, r, http.StatusForbidden, d)
		return
	}
	if password != r.PostFormValue("confirm") {
		d.Error = "The two passwords are not the same. Please type them again."
		h.renderSetPassword(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	u, err := h.id.ResetPassword(r.Context(), token, password)
	if inv, ok := asValidation(err); ok {
		d.Error = "The password " + inv.Fields["password"] + "."
		h.renderSetPassword(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	if errors.Is(err, identity.ErrResetLinkInvalid) {
		h.renderSetPassword(w, r, http.StatusGone, setPasswordData{Invalid: true})
		return
	}
	if err != nil {
		h.serverError(w, r, nil, err)
		return
	}
	h.clearCookie(w, signInCookie)
	h.renderSetPassword(w, r, http.StatusOK, setPasswordData{Done: true, Email: u.Email})
}
