package ui

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/identity"
)

type usersData struct {
	Users  []core.User
	Roles  []core.Role
	Form   struct{ Email, Name, Role string }
	Errors map[string]string
	// Created is set right after adding a user: their API key, shown once.
	Created *createdUser
}

type createdUser struct {
	User   core.User
	APIKey string
}

func (h *handler) usersPage(w http.ResponseWriter, r *http.Request, q *request) {
	h.renderUsers(w, r, q, http.StatusOK, usersData{Errors: map[string]string{}})
}

// rolesFor are the roles the actor may give.
func rolesFor(actor core.User) []core.Role {
	var out []core.Role
	for _, role := range core.Roles {
		if role != core.RoleSuperAdmin || actor.Role == core.RoleSuperAdmin {
			out = append(out, role)
		}
	}
	return out
}

func (h *handler) renderUsers(w http.ResponseWriter, r *http.Request, q *request, status int, d usersData) {
	us, err := h.id.Users(r.Context(), q.User)
	if err != nil {
		h.fail(w, r, q, "user", err)
		return
	}
	d.Users = us
	d.Roles = rolesFor(q.User)
	if d.Form.Role == "" {
		d.Form.Role = string(core.RoleTeamMember)
	}
	h.render(w, r, status, "users", view{Title: "Users", Nav: "users", Q: q, D: d})
}

// createUser adds a user with an optional password. The answer is rendered,
// not redirected, because it shows the new user's API key once.
func (h *handler) createUser(w http.ResponseWriter, r *http.Request, q *request) {
	d := usersData{Errors: map[string]string{}}
	d.Form.Email, d.Form.Name, d.Form.Role = strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("name"), r.PostFormValue("role")
	password := r.PostFormValue("password")
	if password != "" {
		if err := identity.CheckPassword(password); err != nil {
			if inv, ok := asValidation(err); ok {
				d.Errors["password"] = inv.Fields["password"] + " (or leave it empty and send them a set-password link from their page)"
			}
			h.renderUsers(w, r, q, http.StatusUnprocessableEntity, d)
			return
		}
	}
	u, key, err := h.id.CreateUser(r.Context(), q.User, d.Form.Email, d.Form.Name, core.Role(d.Form.Role))
	if inv, ok := asValidation(err); ok {
		d.Errors = inv.Fields
		h.renderUsers(w, r, q, http.StatusUnprocessableEntity, d)
		return
	}
	if err != nil {
		h.fail(w, r, q, "user", err)
		return
	}
	if password != "" {
		if err := h.id.SetPassword(r.Context(), &q.User, u.ID, password); err != nil {
			h.fail(w, r, q, "user", err)
			return
		}
	}
	h.renderUsers(w, r, q, http.StatusOK, usersData{Errors: map[string]string{}, Created: &createdUser{User: u, APIKey: key}})
}

// userData is one user's page: role, access, password and API keys.
type userData struct {
	User  core.User
	Keys  []core.APIKey
	Roles []core.Role
	// Self: the page of the signed-in user, who may change their own
	// password and keys but not their own role or access.
	Self bool
	// NewKey and Link are shown once, right after they were made.
	NewKey      string
	Link        string
	LinkExpires time.Time
	Errors      map[string]string
}

func (h *handler) userPage(w http.ResponseWriter, r *http.Request, q *request) {
	h.renderUser(w, r, q, http.StatusOK, userData{})
}

func (h *handler) renderUser(w http.ResponseWriter, r *http.Request, q *request, status int, d userData) {
	ctx := r.Context()
	u, err := h.id.User(ctx, q.User, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, q, "user", err)
		return
	}
	keys, err := h.id.APIKeys(ctx, &q.User, u.ID)
	if err != nil {
		h.fail(w, r, q, "user", err)
		return
	}
	d.User, d.Keys, d.Roles, d.Self = u, keys, rolesFor(q.User), u.ID == q.User.ID
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	h.render(w, r, status, "user", view{Title: u.Name + " · user", Nav: "users", Q: q, D: d})
}

// userDone answers a change on a user's page: back to the page with a
// flash, or the refusal (a last super admin, a deactivated user) said there.
func (h *handler) userDone(w http.ResponseWriter, r *http.Request, q *request, err error, ok string) {
	to := "/users/" + r.PathValue("id")
	switch {
	case err == nil:
		h.back(w, r, to, flash{Kind: "ok", Message: ok})
	case errors.Is(err, core.ErrConflict):
		h.back(w, r, to, flash{Kind: "error", Message: "Not changed: " + sentence(core.PublicMessage(err, "the change was refused"))})
	default:
		h.fail(w, r, q, "user", err)
	}
}

func (h *handler) setRole(w http.ResponseWriter, r *http.Request, q *request) {
	role := core.Role(r.PostFormValue("role"))
	u, err := h.id.SetRole(r.Context(), &q.User, r.PathValue("id"), role)
	if inv, ok := asValidation(err); ok {
		h.renderUser(w, r, q, http.StatusUnprocessableEntity, userData{Errors: inv.Fields})
		return
	}
	h.userDone(w, r, q, err, u.Email+" is now "+roleName(role)+".")
}

func (h *handler) deactivateUser(w http.ResponseWriter, r *http.Request, q *request) {
	u, err := h.id.SetActive(r.Context(), &q.User, r.PathValue("id"), false)
	h.userDone(w, r, q, err, u.Email+" is deactivated: their sessions and API keys stopped working.")
}

func (h *handler) reactivateUser(w http.ResponseWriter, r *http.Request, q *request) {
	u, err := h.id.SetActive(r.Context(), &q.User, r.PathValue("id"), true)
	h.userDone(w, r, q, err, u.Email+" is active again. Give them a set-password link or a new API key.")
}

func (h *handler) setUserPassword(w http.ResponseWriter, r *http.Request, q *request) {
	err := h.id.SetPassword(r.Context(), &q.User, r.PathValue("id"), r.PostFormValue("password"))
	if inv, ok := asValidation(err); ok {
		h.renderUser(w, r, q, http.StatusUnprocessableEntity, userData{Errors: inv.Fields})
		return
	}
	h.userDone(w, r, q, err, "The password is set; the user's other sessions ended.")
}

// passwordLink shows a new set-password link once, rendered rather than
// redirected so it travels in no cookie.
func (h *handler) passwordLink(w http.ResponseWriter, r *http.Request, q *request) {
	link, expires, err := h.id.PasswordResetLink(r.Context(), &q.User, r.PathValue("id"))
	if err != nil {
		h.userDone(w, r, q, err, "")
		return
	}
	h.renderUser(w, r, q, http.StatusOK, userData{Link: link, LinkExpires: expires})
}

func (h *handler) newKey(w http.ResponseWriter, r *http.Request, q *request) {
	_, key, err := h.id.NewAPIKey(r.Context(), &q.User, r.PathValue("id"))
	if err != nil {
		h.userDone(w, r, q, err, "")
		return
	}
	h.renderUser(w, r, q, http.StatusOK, userData{NewKey: key})
}

func (h *handler) rotateKey(w http.ResponseWriter, r *http.Request, q *request) {
	_, key, err := h.id.RotateAPIKey(r.Context(), &q.User, r.PathValue("id"), r.PathValue("key"))
	if err != nil {
		h.userDone(w, r, q, err, "")
		return
	}
	h.renderUser(w, r, q, http.StatusOK, userData{NewKey: key})
}

func (h *handler) revokeKey(w http.ResponseWriter, r *http.Request, q *request) {
	err := h.id.RevokeAPIKey(r.Context(), &q.User, r.PathValue("id"), r.PathValue("key"))
	h.userDone(w, r, q, err, "The API key is revoked: it stopped working.")
}
