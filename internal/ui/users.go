package ui

import (
	"errors"
	"net/http"
	"strings"

	"switchboard/internal/core"
	"switchboard/internal/service"
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

func (h *handler) renderUsers(w http.ResponseWriter, r *http.Request, q *request, status int, d usersData) {
	us, err := h.svc.Users(r.Context(), q.User)
	if err != nil {
		h.fail(w, r, q, "user", err)
		return
	}
	d.Users = us
	for _, role := range core.Roles {
		if role != core.RoleSuperAdmin || q.User.Role == core.RoleSuperAdmin {
			d.Roles = append(d.Roles, role)
		}
	}
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
		if err := service.CheckPassword(password); err != nil {
			if inv, ok := asValidation(err); ok {
				d.Errors["password"] = inv.Fields["password"] + " (or leave it empty for an API-only user)"
			}
			h.renderUsers(w, r, q, http.StatusUnprocessableEntity, d)
			return
		}
	}
	u, key, err := h.svc.CreateUser(r.Context(), q.User, d.Form.Email, d.Form.Name, core.Role(d.Form.Role))
	if inv, ok := asValidation(err); ok {
		d.Errors = inv.Fields
		h.renderUsers(w, r, q, http.StatusUnprocessableEntity, d)
		return
	}
	if errors.Is(err, core.ErrConflict) {
		d.Errors["email"] = "is already taken"
		h.renderUsers(w, r, q, http.StatusUnprocessableEntity, d)
		return
	}
	if err != nil {
		h.fail(w, r, q, "user", err)
		return
	}
	if password != "" {
		if err := h.svc.SetPassword(r.Context(), q.User, u.ID, password); err != nil {
			h.fail(w, r, q, "user", err)
			return
		}
	}
	h.renderUsers(w, r, q, http.StatusOK, usersData{Errors: map[string]string{}, Created: &createdUser{User: u, APIKey: key}})
}
